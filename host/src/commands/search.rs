//! `darts-host search`, and the short search run without a command.

use std::io::IsTerminal;

use anyhow::Result;
use darts_host::data::default_for;
use darts_host::plugins::PluginSet;
use darts_host::search::{intended_layout, run_search, Progress, SearchConfig};
use indicatif::{ProgressBar, ProgressStyle};

use super::network_args::{resolve, run_dir};
use crate::cli::NetworkArgs;
use crate::logging::{set_progress_bar, RunLog};

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

    let terminal = std::io::stderr().is_terminal();
    let mut bar: Option<ProgressBar> = None;
    let mut log_error = None;
    let mut on_progress = |event: Progress| match event {
        Progress::Started { dir } => {
            if let Err(err) = log.open(&dir.join("search.log")) {
                log_error = Some(err);
            }
            tracing::info!("writing results to {}", dir.display());
        }
        Progress::EpochStart { epoch, epochs, steps } if terminal => {
            let style = ProgressStyle::with_template(
                "epoch {prefix} [{bar:30}] {pos}/{len} steps, loss {msg} ({elapsed}, eta {eta})",
            )
            .expect("a valid template")
            .progress_chars("=> ");
            let new = ProgressBar::new(steps as u64).with_style(style);
            new.set_prefix(format!("{epoch}/{epochs}"));
            set_progress_bar(Some(new.clone()));
            bar = Some(new);
        }
        Progress::Step { loss } => {
            if let Some(bar) = &bar {
                bar.set_message(format!("{loss:.4}"));
                bar.inc(1);
            }
        }
        Progress::EpochEnd => {
            if let Some(bar) = bar.take() {
                bar.finish_and_clear();
                set_progress_bar(None);
            }
        }
        Progress::EpochStart { .. } => {}
    };
    let outcome = run_search(&config, plugins, &dir, &mut on_progress);
    if let Some(bar) = bar.take() {
        bar.finish_and_clear();
        set_progress_bar(None);
    }
    let outcome = outcome?;
    if let Some(err) = log_error {
        tracing::warn!("could not write the log file in {}: {err}", dir.display());
    }

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
