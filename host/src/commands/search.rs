//! `darts-host search`, and the short search run without a command.

use std::path::PathBuf;

use anyhow::Result;
use darts_host::data::default_for;
use darts_host::plugins::PluginSet;
use darts_host::search::{intended_layout, resume_search, run_search, SearchConfig};

use super::network_args::{resolve, run_dir, saved_config};
use super::progress::ProgressDisplay;
use crate::cli::{NetworkArgs, RunArgs, SearchArgs};
use crate::logging::RunLog;

/// Resolves the config (`base` below the file and flags), runs or resumes the search and
/// says where the results are; `known_dir` is set to the run folder once it is known, so
/// that a failure can be recorded in its log.
pub fn run(
    plugins: &PluginSet,
    args: &NetworkArgs,
    search: Option<&SearchArgs>,
    base: SearchConfig,
    log: &RunLog,
    known_dir: &mut Option<PathBuf>,
) -> Result<()> {
    let run_args = search.map(|s| &s.run);
    let resume = run_args.and_then(|r| r.resume.as_deref());
    let base = match resume {
        Some(dir) => saved_config(dir, "search", SearchConfig::from_file)?,
        None => base,
    };
    let mut config = resolve(args, base)?;
    if let Some(search) = search {
        take_run_flags(&search.run, &mut config.checkpoint_every, &mut config.skip_nonfinite);
        if let Some(lr) = search.lr {
            config.lr = lr;
        }
        if let Some(arch_lr) = search.arch_lr {
            config.arch_lr = arch_lr;
        }
        config.validate()?;
    }

    let dir = match resume {
        Some(dir) => dir.to_path_buf(),
        None => {
            let mut named = config.clone();
            if named.dataset.is_empty() {
                named.dataset = default_for(intended_layout(&config, plugins)?).to_owned();
            }
            run_dir(args.out.as_deref(), "search", &named.dataset)?
        }
    };
    *known_dir = Some(dir.clone());
    let mut display = ProgressDisplay::new(log, "search.log", resume.is_some());
    let outcome = match resume {
        Some(_) => resume_search(&config, plugins, &dir, &mut |event| display.show(event)),
        None => run_search(&config, plugins, &dir, &mut |event| display.show(event)),
    };
    display.finish();
    let outcome = outcome?;
    if !search.is_some_and(|s| s.no_report) {
        super::report::write_after_run(&outcome.dir);
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

/// Puts the checkpoint flags given into a config's fields.
pub fn take_run_flags(args: &RunArgs, checkpoint_every: &mut usize, skip_nonfinite: &mut usize) {
    if let Some(every) = args.checkpoint_every {
        *checkpoint_every = every;
    }
    if let Some(skips) = args.skip_nonfinite {
        *skip_nonfinite = skips;
    }
}
