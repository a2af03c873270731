//! The settings of a training run, read from TOML and overridden by flags.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::search::config::Checks;
use crate::search::{ConfigError, DeviceChoice};

/// Everything training a genotype's network needs besides the genotype and the plugins.
/// Defaults are the DARTS paper's CIFAR-10 evaluation schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainConfig {
    /// A built-in data set or a CSV, NPZ or NPY file (as for the search); empty for the
    /// built-in set of the genotype's layout.
    pub dataset: String,
    /// For a CSV file: the target columns; for an NPY file of inputs: its targets' file.
    pub targets: Vec<String>,
    /// For a CSV file: which of `targets` are class labels.
    pub classify: Vec<String>,
    /// Class counts by task, when the data may not show every class (as for the search).
    pub classes: BTreeMap<String, usize>,
    /// Passes over the training set.
    pub epochs: usize,
    /// Examples per step.
    pub batch_size: usize,
    /// Initial learning rate, annealed by a cosine to `lr_min`.
    pub lr: f64,
    /// Final learning rate.
    pub lr_min: f64,
    /// SGD momentum.
    pub momentum: f64,
    /// Weight decay.
    pub weight_decay: f64,
    /// Maximum global norm of the gradient; `inf` for no clipping.
    pub grad_clip: f64,
    /// Cells of the network.
    pub cells: usize,
    /// Channels of the first cells.
    pub channels: i64,
    /// Stem width as a multiple of `channels`.
    pub stem_multiplier: i64,
    /// Whether to train with the auxiliary head (image layout).
    pub auxiliary: bool,
    /// The auxiliary loss's weight.
    pub auxiliary_weight: f64,
    /// The drop-path probability reached at the last epoch, ramped linearly from 0.
    pub drop_path: f64,
    /// Side of the square cutout removes from each training image; 0 for none.
    pub cutout: i64,
    /// Share of the non-test data held out for per-epoch validation.
    pub valid_fraction: f64,
    /// Share of the whole data set held out as the test set; with the search's seed and
    /// value it is the same examples the search never saw.
    pub test_fraction: f64,
    /// Loss weight per task, in the data set's task order; empty for equal weights.
    pub task_weights: Vec<f64>,
    /// Seed of weights, data order, augmentation and generated data.
    pub seed: u64,
    /// Where tensors live.
    pub device: DeviceChoice,
    /// CPU threads per operation; 0 for libtorch's default.
    pub threads: usize,
    /// Write a checkpoint every this many steps as well as after every epoch; 0 for after
    /// every epoch only. Changing it does not change the run's results.
    pub checkpoint_every: usize,
    /// Expected SHA-256 digests (hex) of plugin files, by file name (`libconv2d.so`) or by
    /// the path given to --plugin; a pinned file with another digest is refused.
    pub plugin_sha256: BTreeMap<String, String>,
    /// Steps whose loss or gradient is NaN or infinite that may be skipped (their updates
    /// undone) before the run stops; 0 stops at the first.
    pub skip_nonfinite: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            dataset: String::new(),
            targets: Vec::new(),
            classify: Vec::new(),
            classes: BTreeMap::new(),
            epochs: 600,
            batch_size: 96,
            lr: 0.025,
            lr_min: 0.0,
            momentum: 0.9,
            weight_decay: 3e-4,
            grad_clip: 5.0,
            cells: 20,
            channels: 36,
            stem_multiplier: 3,
            auxiliary: false,
            auxiliary_weight: 0.4,
            drop_path: 0.2,
            cutout: 0,
            valid_fraction: 0.1,
            test_fraction: 0.2,
            task_weights: Vec::new(),
            seed: 2,
            device: DeviceChoice::Auto,
            threads: 1,
            plugin_sha256: BTreeMap::new(),
            checkpoint_every: 0,
            skip_nonfinite: 0,
        }
    }
}

impl TrainConfig {
    /// The config as TOML, as written into a model folder.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a train config always serializes")
    }

    /// Reads a TOML file; keys not listed in [`TrainConfig`] are refused.
    pub fn from_file(path: &std::path::Path) -> Result<TrainConfig, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: shown.clone(), source })?;
        TrainConfig::from_toml(&text).map_err(|message| ConfigError::Parse { path: shown, message })
    }

    /// Parses TOML text, returning the reader's message on failure.
    pub fn from_toml(text: &str) -> Result<TrainConfig, String> {
        toml::from_str(text).map_err(|err| err.to_string().trim().replace('\n', " "))
    }

    /// Every problem with the values, at once.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut checks = Checks::default();
        checks.at_least("epochs", self.epochs, 1);
        checks.at_least("batch_size", self.batch_size, 1);
        checks.positive("lr", self.lr);
        checks.lr_min(self.lr_min, self.lr);
        checks.below_one("momentum", self.momentum);
        checks.not_negative("weight_decay", self.weight_decay);
        checks.grad_clip(self.grad_clip);
        checks.at_least("cells", self.cells, 1);
        checks.at_least("channels", self.channels, 1);
        checks.at_least("stem_multiplier", self.stem_multiplier, 1);
        checks.not_negative("auxiliary_weight", self.auxiliary_weight);
        checks.below_one("drop_path", self.drop_path);
        checks.not_negative("cutout", self.cutout);
        checks.fraction("valid_fraction", self.valid_fraction);
        checks.fraction("test_fraction", self.test_fraction);
        checks.classes(&self.classes);
        checks.pins(&self.plugin_sha256);
        checks.finish()
    }
}
