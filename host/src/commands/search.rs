//! `darts-host search`, and the short search run without a command.

use anyhow::Result;
use darts_host::data::default_for;
use darts_host::plugins::PluginSet;
use darts_host::search::{intended_layout, run_search, SearchConfig};

use super::network_args::{resolve, run_dir};
use super::progress::ProgressDisplay;
use crate::cli::NetworkArgs;
use crate::logging::RunLog;

/// Resolves the config (`base` below the file and flags), runs the search and says where
/// the results are.
pub fn run(
    plugins: &PluginSet,
    args: &NetworkArgs,
    base: SearchConfig,
    log: &RunLog,
) -> Result<()> {
    let config = resolve(args, base)?;
    let mut named = config.clone();
    if named.dataset.is_empty() {
        named.dataset = default_for(intended_layout(&config, plugins)?).to_owned();
    }
    let dir = run_dir(args.out.as_deref(), "search", &named.dataset)?;

    let mut display = ProgressDisplay::new(log, "search.log");
    let outcome = run_search(&config, plugins, &dir, &mut |event| display.show(event));
    display.finish();
    let outcome = outcome?;

    let last = outcome.epochs.last().expect("at least one epoch");
    tracing::info!("final genotype: {}", outcome.genotype);
    tracing::info!("validation after the last epoch: {}", last.valid.summary());
    println!("{}", outcome.dir.join("genotype.json").display());
    eprintln!(
        "search finished: genotype in {}, metrics in {}",
        outcome.dir.join("genotype.json").display(),
        outcome.dir.join("metrics.jsonl").display()
    );
    Ok(())
}
