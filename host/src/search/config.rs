//! The settings of a search, read from TOML and overridden by flags.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use darts_plugin_api::Layout;

use super::architect::Order;
use crate::genotype::is_none_primitive;
use crate::plugins::PrimitiveId;
use crate::supernet::SupernetConfig;

/// Where tensors live during a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceChoice {
    /// CUDA device 0 when libtorch sees one, else the CPU.
    #[default]
    Auto,
    /// The CPU.
    Cpu,
    /// CUDA device 0; an error when there is none.
    Cuda,
}

impl fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeviceChoice::Auto => "auto",
            DeviceChoice::Cpu => "cpu",
            DeviceChoice::Cuda => "cuda",
        })
    }
}

/// Everything a search needs besides the plugins: data, search space, network size and
/// optimisation. Defaults are the DARTS paper's CIFAR-10 search settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    /// A built-in data set (`digits`, `motifs`, `uno`, `breast-cancer`) or a CSV, NPY or
    /// NPZ file; empty for the built-in set of the primitives' layout.
    pub dataset: String,
    /// For a CSV file: the target columns.
    pub targets: Vec<String>,
    /// For a CSV file: which of `targets` are class labels (the others are regression).
    pub classify: Vec<String>,
    /// For classification targets: the number of classes of a task, by task name, when the
    /// data may not show every class; labels must lie below it. Without an entry, a task
    /// has as many classes as its largest label plus one.
    pub classes: BTreeMap<String, usize>,
    /// The candidate primitives, `plugin:primitive` or bare when unique; absent for every
    /// primitive of the loaded plugins whose layout matches the data (in their default
    /// space). An empty list is refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primitives: Option<Vec<String>>,
    /// Passes over the training half.
    pub epochs: usize,
    /// Examples per step, for the weight and the alpha step alike.
    pub batch_size: usize,
    /// Initial weight learning rate, annealed by a cosine to `lr_min`.
    pub lr: f64,
    /// Final weight learning rate.
    pub lr_min: f64,
    /// Weight SGD momentum.
    pub momentum: f64,
    /// Weight decay of the weights.
    pub weight_decay: f64,
    /// Adam learning rate of the alphas.
    pub arch_lr: f64,
    /// Adam betas of the alphas.
    pub arch_betas: [f64; 2],
    /// Weight decay of the alphas.
    pub arch_weight_decay: f64,
    /// Maximum global norm of the weight gradient.
    pub grad_clip: f64,
    /// Cells of the supernet.
    pub cells: usize,
    /// Channels of the first cells (features for tabular data).
    pub channels: i64,
    /// Intermediate nodes per cell.
    pub nodes: usize,
    /// Nodes concatenated into a cell's output (the last ones).
    pub multiplier: usize,
    /// Stem width as a multiple of `channels`.
    pub stem_multiplier: i64,
    /// Share of the search data that trains the weights; the rest trains the alphas and
    /// measures validation metrics.
    pub train_portion: f64,
    /// Share of the whole data set held out as a test set, used by neither search nor
    /// training.
    pub test_fraction: f64,
    /// First- or second-order architecture gradient.
    pub order: Order,
    /// Seed of weights, alphas, data order and generated data.
    pub seed: u64,
    /// Where tensors live.
    pub device: DeviceChoice,
    /// CPU threads libtorch may use within one operation; 0 for its default (every core).
    /// The default is 1: the small tensors of a supernet on a CPU gain little from more
    /// threads and lose much to their synchronisation, most on a busy machine.
    pub threads: usize,
    /// Loss weight per task, in the data set's task order; empty for equal weights.
    pub task_weights: Vec<f64>,
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

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            dataset: String::new(),
            targets: Vec::new(),
            classify: Vec::new(),
            classes: BTreeMap::new(),
            primitives: None,
            epochs: 50,
            batch_size: 64,
            lr: 0.025,
            lr_min: 0.001,
            momentum: 0.9,
            weight_decay: 3e-4,
            arch_lr: 3e-4,
            arch_betas: [0.5, 0.999],
            arch_weight_decay: 1e-3,
            grad_clip: 5.0,
            cells: 8,
            channels: 16,
            nodes: 4,
            multiplier: 4,
            stem_multiplier: 3,
            train_portion: 0.5,
            test_fraction: 0.2,
            order: Order::First,
            seed: 2,
            device: DeviceChoice::Auto,
            threads: 1,
            task_weights: Vec::new(),
            plugin_sha256: BTreeMap::new(),
            checkpoint_every: 0,
            skip_nonfinite: 0,
        }
    }
}

/// A config that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML for a search config.
    #[error("config file {path} is not a valid config: {message}")]
    Parse {
        /// The file.
        path: String,
        /// The TOML reader's message, with line and column.
        message: String,
    },
    /// Values that make no sense, all of them.
    #[error("the config has {} problem(s): {}", problems.len(), problems.join("; "))]
    Invalid {
        /// One sentence per problem.
        problems: Vec<String>,
    },
}

impl SearchConfig {
    /// Reads a TOML file; keys not listed in [`SearchConfig`] are refused.
    pub fn from_file(path: &Path) -> Result<SearchConfig, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: shown.clone(), source })?;
        SearchConfig::from_toml(&text)
            .map_err(|message| ConfigError::Parse { path: shown, message })
    }

    /// Parses TOML text, returning the reader's message on failure.
    pub fn from_toml(text: &str) -> Result<SearchConfig, String> {
        toml::from_str(text).map_err(|err| err.to_string().trim().replace('\n', " "))
    }

    /// The config as TOML, as written into a run folder.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a search config always serializes")
    }

    /// The supernet these settings describe, for inputs of `layout` and `input_shape`, one
    /// head per entry of `heads` (its width), over `primitives`.
    pub fn supernet(
        &self,
        layout: Layout,
        input_shape: Vec<i64>,
        heads: Vec<i64>,
        primitives: Vec<PrimitiveId>,
    ) -> SupernetConfig {
        SupernetConfig {
            channels: self.channels,
            cells: self.cells,
            nodes: self.nodes,
            multiplier: self.multiplier,
            stem_multiplier: self.stem_multiplier,
            ..SupernetConfig::new(layout, input_shape, heads, primitives)
        }
    }

    /// A short search for a first look: 5 epochs of a 5-cell, 8-channel supernet.
    pub fn quick() -> SearchConfig {
        SearchConfig { epochs: 5, cells: 5, channels: 8, ..SearchConfig::default() }
    }

    /// Every problem with the values, at once.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        let mut check = |ok: bool, problem: String| {
            if !ok {
                problems.push(problem);
            }
        };
        check(self.epochs >= 1, format!("epochs must be at least 1, not {}", self.epochs));
        check(
            self.batch_size >= 1,
            format!("batch_size must be at least 1, not {}", self.batch_size),
        );
        check(self.lr > 0.0, format!("lr must be positive, not {}", self.lr));
        check(
            self.lr_min >= 0.0 && self.lr_min <= self.lr,
            format!("lr_min must be between 0 and lr ({}), not {}", self.lr, self.lr_min),
        );
        check(
            (0.0..1.0).contains(&self.momentum),
            format!("momentum must be in [0, 1), not {}", self.momentum),
        );
        check(
            self.weight_decay >= 0.0,
            format!("weight_decay must not be negative, not {}", self.weight_decay),
        );
        check(self.arch_lr > 0.0, format!("arch_lr must be positive, not {}", self.arch_lr));
        check(
            self.arch_betas.iter().all(|b| (0.0..1.0).contains(b)),
            format!("arch_betas must be in [0, 1), not {:?}", self.arch_betas),
        );
        check(
            self.arch_weight_decay >= 0.0,
            format!("arch_weight_decay must not be negative, not {}", self.arch_weight_decay),
        );
        check(self.grad_clip > 0.0, format!("grad_clip must be positive, not {}", self.grad_clip));
        check(self.cells >= 1, format!("cells must be at least 1, not {}", self.cells));
        check(self.channels >= 1, format!("channels must be at least 1, not {}", self.channels));
        check(self.nodes >= 1, format!("nodes must be at least 1, not {}", self.nodes));
        check(
            self.multiplier >= 1 && self.multiplier <= self.nodes,
            format!(
                "multiplier must be between 1 and nodes ({}), not {}",
                self.nodes, self.multiplier
            ),
        );
        check(
            self.stem_multiplier >= 1,
            format!("stem_multiplier must be at least 1, not {}", self.stem_multiplier),
        );
        check(
            self.train_portion > 0.0 && self.train_portion < 1.0,
            format!("train_portion must be strictly between 0 and 1, not {}", self.train_portion),
        );
        check(
            self.test_fraction > 0.0 && self.test_fraction < 1.0,
            format!("test_fraction must be strictly between 0 and 1, not {}", self.test_fraction),
        );
        check(
            self.task_weights.iter().all(|w| *w >= 0.0 && w.is_finite()),
            format!("task_weights must be finite and not negative, not {:?}", self.task_weights),
        );
        for (name, value) in [("lr", self.lr), ("lr_min", self.lr_min), ("arch_lr", self.arch_lr)] {
            check(value.is_finite(), format!("{name} must be finite"));
        }
        if let Some(primitives) = &self.primitives {
            check(
                !primitives.is_empty(),
                "primitives is an empty list; name at least one primitive, or leave the key \
                 out for every primitive of the data's layout"
                    .to_owned(),
            );
            check(
                primitives.is_empty() || primitives.iter().any(|p| !is_none_primitive(p)),
                format!(
                    "primitives {primitives:?} has no primitive but `none`, so no edge could \
                     compute anything; add real primitives"
                ),
            );
        }
        check_classes(&self.classes, &mut check);
        check_pins(&self.plugin_sha256, &mut check);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid { problems })
        }
    }
}

/// Adds a problem for every declared class count below 2, through `check`; shared by the
/// search and training configs.
pub(crate) fn check_classes(
    classes: &BTreeMap<String, usize>,
    check: &mut impl FnMut(bool, String),
) {
    for (task, &count) in classes {
        check(
            count >= 2,
            format!("classes.{task} must be at least 2 (a task needs two classes), not {count}"),
        );
    }
}

/// Refuses plugin pins that are not SHA-256 digests, before any plugin is opened.
pub fn validate_pins(pins: &BTreeMap<String, String>) -> Result<(), ConfigError> {
    let mut problems = Vec::new();
    check_pins(pins, &mut |ok, problem| {
        if !ok {
            problems.push(problem);
        }
    });
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ConfigError::Invalid { problems })
    }
}

/// Adds a problem for every plugin pin that is not 64 hexadecimal digits, through `check`;
/// shared by the search and training configs.
pub(crate) fn check_pins(pins: &BTreeMap<String, String>, check: &mut impl FnMut(bool, String)) {
    for (file, digest) in pins {
        let digest = digest.trim();
        check(
            digest.len() == 64 && digest.chars().all(|c| c.is_ascii_hexdigit()),
            format!(
                "plugin_sha256.\"{file}\" must be a SHA-256 digest of 64 hexadecimal digits, not \
                 `{digest}`"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_papers_search_settings() {
        let config = SearchConfig::default();
        assert_eq!(
            (config.batch_size, config.epochs, config.cells, config.channels),
            (64, 50, 8, 16)
        );
        assert_eq!((config.lr, config.lr_min, config.momentum), (0.025, 0.001, 0.9));
        assert_eq!(
            (config.arch_lr, config.arch_betas, config.arch_weight_decay),
            (3e-4, [0.5, 0.999], 1e-3)
        );
        assert!(config.validate().is_ok());
    }

    #[test]
    fn toml_round_trips_and_unknown_keys_are_refused() {
        let config = SearchConfig { epochs: 3, order: Order::Second, ..SearchConfig::default() };
        assert_eq!(SearchConfig::from_toml(&config.to_toml()).unwrap(), config);
        let err = SearchConfig::from_toml("epochs = 3\nlearning_rate = 0.1\n").unwrap_err();
        assert!(err.contains("learning_rate"), "{err}");
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let config = SearchConfig {
            nodes: 2,
            multiplier: 3,
            batch_size: 0,
            lr: 0.0,
            primitives: Some(vec!["conv2d:none".into()]),
            ..SearchConfig::default()
        };
        match config.validate() {
            Err(ConfigError::Invalid { problems }) => {
                assert_eq!(problems.len(), 5, "{problems:?}");
            }
            other => panic!("expected problems, got {other:?}"),
        }
    }
}
