//! `darts-host train`: a genotype's evaluation network, trained from scratch.

use std::io::IsTerminal;

use anyhow::Result;
use darts_host::plugins::PluginSet;
use darts_host::search::DeviceChoice;
use darts_host::train::{run_train, TrainConfig, TrainProgress};
use indicatif::{ProgressBar, ProgressStyle};

use super::describe::read_genotype;
use super::network_args::run_dir;
use crate::cli::{DeviceFlag, TrainArgs};
use crate::logging::{set_progress_bar, RunLog};

/// Resolves the config and the genotype, trains, and says where the model is.
pub fn run(plugins: &PluginSet, args: &TrainArgs, log: &RunLog) -> Result<()> {
    let mut config = match &args.config {
        Some(path) => TrainConfig::from_file(path)?,
        None => TrainConfig::default(),
    };
    if let Some(dataset) = &args.dataset {
        config.dataset = dataset.clone();
    }
    if let Some(targets) = &args.targets {
        config.targets = targets.clone();
    }
    if let Some(classify) = &args.classify {
        config.classify = classify.clone();
    }
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
        config.device = match device {
            DeviceFlag::Auto => DeviceChoice::Auto,
            DeviceFlag::Cpu => DeviceChoice::Cpu,
            DeviceFlag::Cuda => DeviceChoice::Cuda,
        };
    }
    config.validate()?;
    let genotype = read_genotype(&args.genotype)?;
    let dir = run_dir(args.out.as_deref(), "train", &config.dataset)?;

    let terminal = std::io::stderr().is_terminal();
    let mut bar: Option<ProgressBar> = None;
    let mut on_progress = |event: TrainProgress| match event {
        TrainProgress::Started { dir } => {
            if let Err(err) = log.open(&dir.join("train.log")) {
                tracing::warn!("could not write the log file in {}: {err}", dir.display());
            }
            tracing::info!("writing the model to {}", dir.display());
        }
        TrainProgress::EpochStart { epoch, epochs, steps } if terminal => {
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
        TrainProgress::Step { loss } => {
            if let Some(bar) = &bar {
                bar.set_message(format!("{loss:.4}"));
                bar.inc(1);
            }
        }
        TrainProgress::EpochEnd => {
            if let Some(bar) = bar.take() {
                bar.finish_and_clear();
                set_progress_bar(None);
            }
        }
        TrainProgress::EpochStart { .. } => {}
    };
    let outcome = run_train(&config, &genotype, plugins, &dir, &mut on_progress);
    if let Some(bar) = bar.take() {
        bar.finish_and_clear();
        set_progress_bar(None);
    }
    let outcome = outcome?;

    println!("{}", outcome.dir.display());
    eprintln!(
        "training finished: test {}; model in {}",
        outcome.test.summary(),
        outcome.dir.display()
    );
    Ok(())
}
