//! A trained model's folder: what `darts-host train` writes and `predict` reads back.
//!
//! The folder holds `model.json` ([`ModelInfo`]), `genotype.json` (primitives qualified by
//! plugin), `weights.safetensors` (every variable of the network, by name), for tabular
//! data `standardizer.safetensors` (`mean` and `std` of the training inputs), and the
//! training run's config, metrics and log.

use std::path::{Path, PathBuf};

use darts_plugin_api::Layout;
use serde::{Deserialize, Serialize};
use tch::{nn, Device, Tensor};

use crate::genotype::Genotype;
use crate::network::{resolve_cell, EvalConfig, EvalNetwork, NetworkError};
use crate::plugins::{PluginError, PluginSet};

/// The description of a trained model, `model.json`: what a reader needs to rebuild the
/// network and feed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelInfo {
    /// `flat`, `sequence` or `image`.
    pub layout: String,
    /// One example's shape.
    pub input_shape: Vec<i64>,
    /// The heads, in order.
    pub tasks: Vec<TaskInfo>,
    /// Channels of the first cells.
    pub channels: i64,
    /// Number of cells.
    pub cells: usize,
    /// Stem width as a multiple of `channels`.
    pub stem_multiplier: i64,
    /// Whether the network was built with the auxiliary head.
    pub auxiliary: bool,
    /// Whether inputs are standardized with `standardizer.safetensors` first.
    pub standardized: bool,
    /// The plugins whose primitives the network uses, with the versions it was trained
    /// with.
    pub plugins: Vec<PluginInfo>,
    /// Trainable parameters, the auxiliary head included.
    pub weight_parameters: i64,
}

/// One head of a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskInfo {
    /// The task's name.
    pub name: String,
    /// `classification` or `regression`.
    pub kind: String,
    /// The head's width: classes, or 1.
    pub outputs: i64,
}

/// A plugin a model needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginInfo {
    /// The plugin's name.
    pub name: String,
    /// Its version when the model was trained.
    pub version: String,
}

/// Why a model folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// A file of the folder is missing or unreadable.
    #[error("the model folder {dir} lacks a readable {file} ({reason}); point --model at a folder written by darts-host train")]
    Missing {
        /// The folder.
        dir: PathBuf,
        /// The file's name.
        file: String,
        /// Why it could not be read.
        reason: String,
    },
    /// A file is there but wrong.
    #[error("{path} is not valid: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The network could not be rebuilt from the loaded plugins.
    #[error("the model in {dir} needs plugins {needed}: {source}")]
    Network {
        /// The folder.
        dir: PathBuf,
        /// The plugins named in model.json.
        needed: String,
        /// What failed.
        source: Box<NetworkError>,
    },
}

/// A model read back from its folder, ready to predict.
pub struct LoadedModel {
    /// The description.
    pub info: ModelInfo,
    /// The network, weights loaded.
    pub network: EvalNetwork,
    /// The input standardization, for tabular models: `(mean, std)`.
    pub standardizer: Option<(Tensor, Tensor)>,
    _store: nn::VarStore,
}

impl LoadedModel {
    /// The model's input layout.
    pub fn layout(&self) -> Layout {
        match self.info.layout.as_str() {
            "image" => Layout::Image,
            "sequence" => Layout::Sequence,
            _ => Layout::Flat,
        }
    }

    /// Runs the model on `[N, ...input_shape]` inputs in evaluation mode, standardizing
    /// them first when the model was trained so: one output per head, `[N, outputs]`.
    pub fn predict(&self, inputs: &Tensor, batch_size: i64) -> Result<Vec<Tensor>, PluginError> {
        let inputs = match &self.standardizer {
            Some((mean, std)) => (inputs - mean) / std,
            None => inputs.shallow_clone(),
        };
        let mut per_head: Vec<Vec<Tensor>> =
            (0..self.info.tasks.len()).map(|_| Vec::new()).collect();
        let total = inputs.size()[0];
        let mut start = 0;
        while start < total {
            let batch = inputs.narrow(0, start, batch_size.min(total - start));
            let out = tch::no_grad(|| self.network.forward_t(&batch, false, 0.0))?;
            for (head, output) in per_head.iter_mut().zip(out.heads) {
                head.push(output);
            }
            start += batch_size;
        }
        Ok(per_head.iter().map(|parts| Tensor::cat(parts, 0)).collect())
    }
}

impl LoadedModel {
    /// Traces the model, standardization included, on `example` inputs
    /// (`[N, ...input_shape]`) into a TorchScript module whose `forward` takes an input
    /// batch and returns `[N, sum of head widths]`: the heads' outputs side by side in task
    /// order (a saved TorchScript method returns one value). The module holds the weights
    /// as constants and runs in PyTorch with neither darts nor its plugins.
    pub fn trace(&self, example: &Tensor) -> Result<tch::CModule, ModelError> {
        let invalid =
            |reason: String| ModelError::Invalid { path: PathBuf::from("(tracing)"), reason };
        // A plain forward first, so that a failing primitive is reported as an error here
        // rather than inside the tracer.
        self.predict(example, example.size()[0]).map_err(|err| invalid(err.to_string()))?;
        let mut run = |inputs: &[Tensor]| -> Vec<Tensor> {
            let xs = match &self.standardizer {
                Some((mean, std)) => (&inputs[0] - mean) / std,
                None => inputs[0].shallow_clone(),
            };
            let out = self.network.forward_t(&xs, false, 0.0).expect("the forward succeeded above");
            vec![Tensor::cat(&out.heads, 1)]
        };
        tch::no_grad(|| {
            tch::CModule::create_by_tracing(
                "DartsModel",
                "forward",
                &[example.shallow_clone()],
                &mut run,
            )
        })
        .map_err(|err| invalid(first_line(&err.to_string())))
    }
}

/// Reads the model folder `dir` and rebuilds its network from `plugins` on the CPU.
pub fn load_model(dir: &Path, plugins: &PluginSet) -> Result<LoadedModel, ModelError> {
    let read = |file: &str| {
        std::fs::read_to_string(dir.join(file)).map_err(|err| ModelError::Missing {
            dir: dir.to_path_buf(),
            file: file.to_owned(),
            reason: err.to_string(),
        })
    };
    let invalid = |file: &str, reason: String| ModelError::Invalid { path: dir.join(file), reason };
    let info: ModelInfo = serde_json::from_str(&read("model.json")?)
        .map_err(|err| invalid("model.json", err.to_string()))?;
    let genotype = Genotype::from_json(&read("genotype.json")?)
        .map_err(|err| invalid("genotype.json", err.to_string()))?;
    for file in ["weights.safetensors"]
        .into_iter()
        .chain(info.standardized.then_some("standardizer.safetensors"))
    {
        if !dir.join(file).is_file() {
            return Err(ModelError::Missing {
                dir: dir.to_path_buf(),
                file: file.to_owned(),
                reason: "no such file".to_owned(),
            });
        }
    }

    let layout = match info.layout.as_str() {
        "image" => Layout::Image,
        "sequence" => Layout::Sequence,
        "flat" => Layout::Flat,
        other => return Err(invalid("model.json", format!("unknown layout `{other}`"))),
    };
    let needed = info
        .plugins
        .iter()
        .map(|p| format!("{} {}", p.name, p.version))
        .collect::<Vec<_>>()
        .join(", ");
    let network_error = |source: NetworkError| ModelError::Network {
        dir: dir.to_path_buf(),
        needed: needed.clone(),
        source: Box::new(source),
    };
    let normal_ids =
        resolve_cell(plugins, &genotype.normal, layout).map_err(|e| network_error(e.into()))?;
    let reduce_ids = match &genotype.reduce {
        Some(reduce) => {
            resolve_cell(plugins, reduce, layout).map_err(|e| network_error(e.into()))?
        }
        None => Vec::new(),
    };
    let config = EvalConfig {
        channels: info.channels,
        cells: info.cells,
        stem_multiplier: info.stem_multiplier,
        auxiliary: info.auxiliary,
        ..EvalConfig::new(
            layout,
            info.input_shape.clone(),
            info.tasks.iter().map(|t| t.outputs).collect(),
        )
    };
    let mut store = nn::VarStore::new(Device::Cpu);
    let network =
        EvalNetwork::new(&store.root(), plugins, config, &genotype, &normal_ids, &reduce_ids)
            .map_err(network_error)?;
    let weights = dir.join("weights.safetensors");
    store
        .load(&weights)
        .map_err(|err| invalid("weights.safetensors", first_line(&err.to_string())))?;
    // A loaded model only predicts: no variable needs a gradient, and tracing refuses
    // constants that would.
    store.freeze();

    let standardizer = if info.standardized {
        let tensors = Tensor::read_safetensors(dir.join("standardizer.safetensors"))
            .map_err(|err| invalid("standardizer.safetensors", first_line(&err.to_string())))?;
        let get =
            |name: &str| {
                tensors.iter().find(|(n, _)| n == name).map(|(_, t)| t.shallow_clone()).ok_or_else(
                    || invalid("standardizer.safetensors", format!("no `{name}` tensor")),
                )
            };
        Some((get("mean")?, get("std")?))
    } else {
        None
    };
    Ok(LoadedModel { info, network, standardizer, _store: store })
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_owned()
}
