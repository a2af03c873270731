//! `darts-host export`: a trained model as a TorchScript module.

use anyhow::{Context, Result};
use darts_host::model::load_model;
use darts_host::plugins::PluginSet;
use tch::{Device, Kind, Tensor};

use crate::cli::ExportArgs;

/// Loads the model, traces it on a batch of two zero inputs and saves the module.
pub fn run(plugins: &PluginSet, args: &ExportArgs) -> Result<()> {
    let model = load_model(&args.model, plugins)?;
    let mut shape = vec![2];
    shape.extend(&model.info.input_shape);
    let example = Tensor::zeros(&shape, (Kind::Float, Device::Cpu));
    let module = model.trace(&example)?;
    module
        .save(&args.torchscript)
        .with_context(|| format!("cannot write {}", args.torchscript.display()))?;
    tracing::info!("wrote {}", args.torchscript.display());
    println!("{}", args.torchscript.display());
    Ok(())
}
