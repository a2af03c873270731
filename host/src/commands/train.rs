//! `darts-host train`: a genotype's evaluation network, trained from scratch.

use std::path::PathBuf;

use anyhow::Result;
use darts_host::plugins::PluginSet;
use darts_host::train::{resume_train, run_train, TrainConfig};

use super::describe::read_genotype;
use super::network_args::{run_dir, saved_config};
use super::progress::ProgressDisplay;
use super::search::take_run_flags;
use crate::cli::TrainArgs;
use crate::logging::RunLog;

/// Resolves the config and the genotype, trains or resumes, and says where the model is;
/// `known_dir` is set to the model folder once it is known, so that a failure can be
/// recorded in its log.
pub fn run(
    plugins: &PluginSet,
    args: &TrainArgs,
    log: &RunLog,
    known_dir: &mut Option<PathBuf>,
) -> Result<()> {
    let resume = args.run.resume.as_deref();
    let mut config = match (&args.data.config, resume) {
        (Some(path), _) => TrainConfig::from_file(path)?,
        (None, Some(dir)) => saved_config(dir, "train", TrainConfig::from_file)?,
        (None, None) => TrainConfig::default(),
    };
    args.data.apply_to(&mut config.dataset, &mut config.targets, &mut config.classify);
    macro_rules! take {
        ($($field:ident),*) => {$(
            if let Some(value) = args.$field {
                config.$field = value;
            }
        )*};
    }
    take!(epochs, batch_size, lr, channels, cells, drop_path, cutout, seed, threads);
    if args.auxiliary {
        config.auxiliary = true;
    }
    if let Some(device) = args.device {
        config.device = device.into();
    }
    take_run_flags(&args.run, &mut config.checkpoint_every, &mut config.skip_nonfinite);
    config.validate()?;
    let genotype = match (&args.genotype, resume) {
        (Some(genotype), _) => read_genotype(genotype)?,
        (None, Some(dir)) => read_genotype(&dir.join("genotype.json").display().to_string())?,
        (None, None) => unreachable!("clap requires --genotype without --resume"),
    };
    let dir = match resume {
        Some(dir) => dir.to_path_buf(),
        None => run_dir(args.out.as_deref(), "train", &config.dataset)?,
    };
    *known_dir = Some(dir.clone());

    let mut display = ProgressDisplay::new(log, "train.log", resume.is_some());
    let mut show = |event| display.show(event);
    let outcome = match resume {
        Some(_) => resume_train(&config, &genotype, plugins, &dir, &mut show),
        None => run_train(&config, &genotype, plugins, &dir, &mut show),
    };
    display.finish();
    let outcome = outcome?;
    if !args.no_report {
        super::report::write_after_run(&outcome.dir);
    }

    println!("{}", outcome.dir.display());
    eprintln!(
        "training finished: test {}; model in {}",
        outcome.test.summary(),
        outcome.dir.display()
    );
    Ok(())
}
