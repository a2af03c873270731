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
    /// Maximum global norm of the weight gradient; `inf` for no clipping.
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
        let mut checks = Checks::default();
        checks.at_least("epochs", self.epochs, 1);
        checks.at_least("batch_size", self.batch_size, 1);
        checks.positive("lr", self.lr);
        checks.lr_min(self.lr_min, self.lr);
        checks.below_one("momentum", self.momentum);
        checks.not_negative("weight_decay", self.weight_decay);
        checks.positive("arch_lr", self.arch_lr);
        checks.check(self.arch_betas.iter().all(|b| (0.0..1.0).contains(b)), || {
            format!("arch_betas must be in [0, 1), not {:?}", self.arch_betas)
        });
        checks.not_negative("arch_weight_decay", self.arch_weight_decay);
        checks.grad_clip(self.grad_clip);
        checks.at_least("cells", self.cells, 1);
        checks.at_least("channels", self.channels, 1);
        checks.at_least("nodes", self.nodes, 1);
        checks.check(self.multiplier >= 1 && self.multiplier <= self.nodes, || {
            format!(
                "multiplier must be between 1 and nodes ({}), not {}",
                self.nodes, self.multiplier
            )
        });
        checks.at_least("stem_multiplier", self.stem_multiplier, 1);
        checks.fraction("train_portion", self.train_portion);
        checks.fraction("test_fraction", self.test_fraction);
        checks.check(self.task_weights.iter().all(|w| *w >= 0.0 && w.is_finite()), || {
            format!("task_weights must be finite and not negative, not {:?}", self.task_weights)
        });
        if let Some(primitives) = &self.primitives {
            checks.check(!primitives.is_empty(), || {
                "primitives is an empty list; name at least one primitive, or leave the key \
                 out for every primitive of the data's layout"
                    .to_owned()
            });
            checks.check(
                primitives.is_empty() || primitives.iter().any(|p| !is_none_primitive(p)),
                || {
                    format!(
                        "primitives {primitives:?} has no primitive but `none`, so no edge \
                         could compute anything; add real primitives"
                    )
                },
            );
        }
        checks.classes(&self.classes);
        checks.pins(&self.plugin_sha256);
        checks.finish()
    }
}

/// Refuses plugin pins that are not SHA-256 digests, before any plugin is opened.
pub fn validate_pins(pins: &BTreeMap<String, String>) -> Result<(), ConfigError> {
    let mut checks = Checks::default();
    checks.pins(pins);
    checks.finish()
}

/// The problems a config's values have, gathered so that one message reports them all. The
/// search and the training configs share it, so that a key they share is judged, and its
/// problem worded, the same way in both.
#[derive(Debug, Default)]
pub(crate) struct Checks {
    problems: Vec<String>,
}

impl Checks {
    /// Records `problem` unless `ok`.
    pub(crate) fn check(&mut self, ok: bool, problem: impl FnOnce() -> String) {
        if !ok {
            self.problems.push(problem());
        }
    }

    /// `key` must be `min` or more.
    pub(crate) fn at_least<T: PartialOrd + fmt::Display>(&mut self, key: &str, value: T, min: T) {
        self.check(value >= min, || format!("{key} must be at least {min}, not {value}"));
    }

    /// `key` must be a finite number above 0.
    pub(crate) fn positive(&mut self, key: &str, value: f64) {
        if value.is_nan() || value.is_infinite() {
            self.problems.push(format!("{key} must be a finite number, not {value}"));
        } else {
            self.check(value > 0.0, || format!("{key} must be positive, not {value}"));
        }
    }

    /// `key` must be 0 or more (and not NaN).
    pub(crate) fn not_negative<T>(&mut self, key: &str, value: T)
    where
        T: PartialOrd + Default + fmt::Display,
    {
        self.check(value >= T::default(), || format!("{key} must not be negative, not {value}"));
    }

    /// The gradient norm limit must be above 0; infinity turns clipping off.
    pub(crate) fn grad_clip(&mut self, value: f64) {
        self.check(value > 0.0, || {
            format!("grad_clip must be positive (inf for no clipping), not {value}")
        });
    }

    /// `key` must be in [0, 1).
    pub(crate) fn below_one(&mut self, key: &str, value: f64) {
        self.check((0.0..1.0).contains(&value), || format!("{key} must be in [0, 1), not {value}"));
    }

    /// `key` must be a share strictly between 0 and 1.
    pub(crate) fn fraction(&mut self, key: &str, value: f64) {
        self.check(value > 0.0 && value < 1.0, || {
            format!("{key} must be strictly between 0 and 1, not {value}")
        });
    }

    /// The final learning rate of a cosine schedule must lie between 0 and the initial `lr`.
    pub(crate) fn lr_min(&mut self, lr_min: f64, lr: f64) {
        self.check(lr_min >= 0.0 && lr_min <= lr, || {
            format!("lr_min must be between 0 and lr ({lr}), not {lr_min}")
        });
    }

    /// Every declared class count must be 2 or more.
    pub(crate) fn classes(&mut self, classes: &BTreeMap<String, usize>) {
        for (task, &count) in classes {
            self.check(count >= 2, || {
                format!("classes.{task} must be at least 2 (a task needs two classes), not {count}")
            });
        }
    }

    /// Every plugin pin must be a SHA-256 digest: 64 hexadecimal digits.
    pub(crate) fn pins(&mut self, pins: &BTreeMap<String, String>) {
        for (file, digest) in pins {
            let digest = digest.trim();
            self.check(digest.len() == 64 && digest.chars().all(|c| c.is_ascii_hexdigit()), || {
                format!(
                    "plugin_sha256.\"{file}\" must be a SHA-256 digest of 64 hexadecimal \
                     digits, not `{digest}`"
                )
            });
        }
    }

    /// Every problem found, or none.
    pub(crate) fn finish(self) -> Result<(), ConfigError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid { problems: self.problems })
        }
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

    fn problems(result: Result<(), ConfigError>) -> Vec<String> {
        match result {
            Err(ConfigError::Invalid { problems }) => problems,
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn non_finite_rates_are_named_and_an_infinite_clip_turns_clipping_off() {
        let config =
            SearchConfig { lr: f64::NAN, arch_lr: f64::INFINITY, ..SearchConfig::default() };
        assert_eq!(
            problems(config.validate()),
            [
                "lr must be a finite number, not NaN",
                "lr_min must be between 0 and lr (NaN), not 0.001",
                "arch_lr must be a finite number, not inf",
            ]
        );

        let unclipped = SearchConfig { grad_clip: f64::INFINITY, ..SearchConfig::default() };
        assert!(unclipped.validate().is_ok());
        let zero = SearchConfig { grad_clip: 0.0, ..SearchConfig::default() };
        assert_eq!(
            problems(zero.validate()),
            ["grad_clip must be positive (inf for no clipping), not 0"]
        );
    }

    #[test]
    fn the_training_config_words_its_problems_as_the_search_config() {
        use crate::train::TrainConfig;

        let train = TrainConfig {
            batch_size: 0,
            lr: -1.0,
            lr_min: 0.0,
            cutout: -2,
            drop_path: 1.0,
            auxiliary_weight: -0.5,
            ..TrainConfig::default()
        };
        assert_eq!(
            problems(train.validate()),
            [
                "batch_size must be at least 1, not 0",
                "lr must be positive, not -1",
                "lr_min must be between 0 and lr (-1), not 0",
                "auxiliary_weight must not be negative, not -0.5",
                "drop_path must be in [0, 1), not 1",
                "cutout must not be negative, not -2",
            ]
        );
        let search =
            SearchConfig { batch_size: 0, lr: -1.0, lr_min: 0.0, ..SearchConfig::default() };
        assert_eq!(problems(search.validate()), problems(train.validate())[..3]);
    }
}
