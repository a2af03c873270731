//! `darts-host report`: one HTML page from one or more run folders.

use std::path::Path;

use anyhow::Result;
use darts_host::report::{default_report_path, write_report};

use crate::cli::ReportArgs;

/// Writes the report page of the folders given and prints its path.
pub fn run(args: &ReportArgs) -> Result<()> {
    let out = match &args.out {
        Some(path) => path.clone(),
        None => default_report_path(&args.dirs[0]),
    };
    write_report(&args.dirs, &out)?;
    println!("{}", out.display());
    Ok(())
}

/// Writes `report.html` into the folder of a run that has just finished. A report that
/// cannot be written is a warning: the run itself succeeded and its files are all there.
pub fn write_after_run(dir: &Path) {
    let out = default_report_path(dir);
    match write_report(&[dir], &out) {
        Ok(()) => tracing::info!("report written to {}", out.display()),
        Err(err) => tracing::warn!(
            "the run succeeded, but its report could not be written: {err}; try darts-host \
             report {}",
            dir.display()
        ),
    }
}
