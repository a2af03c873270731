//! `darts-host train`: a genotype's evaluation network, trained from scratch.

use anyhow::Result;
use darts_host::plugins::PluginSet;
use darts_host::search::DeviceChoice;
use darts_host::train::{run_train, TrainConfig};

use super::describe::read_genotype;
use super::network_args::run_dir;
use super::progress::ProgressDisplay;
use crate::cli::{DeviceFlag, TrainArgs};
use crate::logging::RunLog;

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

    let mut display = ProgressDisplay::new(log, "train.log");
    let outcome = run_train(&config, &genotype, plugins, &dir, &mut |event| display.show(event));
    display.finish();
    let outcome = outcome?;

    println!("{}", outcome.dir.display());
    eprintln!(
        "training finished: test {}; model in {}",
        outcome.test.summary(),
        outcome.dir.display()
    );
    Ok(())
}
