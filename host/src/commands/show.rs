//! `darts-host show`: the cells of a genotype as an SVG drawing or a Graphviz DOT graph.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use darts_host::report::{genotype_dot, genotype_svg};

use super::describe::read_genotype;
use crate::cli::ShowArgs;

/// Reads the genotype and writes its drawings where the flags say; without a flag, prints the
/// DOT graph.
pub fn run(args: &ShowArgs) -> Result<()> {
    let genotype = read_genotype(&args.genotype)?;
    let drawing_failed = || format!("cannot draw the genotype {}", args.genotype);
    if let Some(path) = &args.svg {
        write(path, &genotype_svg(&genotype).with_context(drawing_failed)?)?;
    }
    if let Some(path) = &args.dot {
        write(path, &genotype_dot(&genotype).with_context(drawing_failed)?)?;
    }
    if args.svg.is_none() && args.dot.is_none() {
        print!("{}", genotype_dot(&genotype).with_context(drawing_failed)?);
    }
    Ok(())
}

/// Writes `text` to `path` and says so on stderr.
fn write(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    tracing::info!("wrote {}", path.display());
    Ok(())
}
