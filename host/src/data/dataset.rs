//! A data set in memory: inputs in one of the plugin layouts and one target per task.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use darts_plugin_api::Layout;
use tch::{Device, Kind, Tensor};

use super::error::{DataError, Result};

/// The most classes a classification task may have.
///
/// A label far beyond the number of samples is almost always a wrong column or an unmapped
/// identifier, and a classifier head with millions of outputs would not fit in memory anyway.
pub const MAX_CLASSES: usize = 65_536;

/// What kind of prediction a task asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskKind {
    /// Pick one of `classes` classes; targets are class indices `0..classes`.
    Classification {
        /// The number of classes.
        classes: usize,
    },
    /// Predict one real number.
    Regression,
}

/// One output head of a data set: what it is called and what it predicts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Task {
    /// The name, unique within its data set (a CSV column, `y_<name>` in an NPZ file).
    pub name: String,
    /// Classification or regression.
    pub kind: TaskKind,
}

impl Task {
    /// A classification task with `classes` classes.
    pub fn classification(name: impl Into<String>, classes: usize) -> Task {
        Task { name: name.into(), kind: TaskKind::Classification { classes } }
    }

    /// A regression task.
    pub fn regression(name: impl Into<String>) -> Task {
        Task { name: name.into(), kind: TaskKind::Regression }
    }
}

/// Samples with their targets, on the CPU, ready to be batched onto a device.
///
/// The fields are public so the search can read them directly; build a data set with
/// [`Dataset::new`], which checks what the fields' documentation promises, and treat the
/// tensors as read-only: subsets and splits share nothing, but standardized copies share
/// their targets with the original.
pub struct Dataset {
    /// A short name for messages: the built-in name or the file's stem.
    pub name: String,
    /// How the inputs are laid out.
    pub layout: Layout,
    /// float32, `[N, features]`, `[N, channels, length]` or `[N, channels, height, width]`
    /// for the flat, sequence and image layouts.
    pub inputs: Tensor,
    /// The tasks, at least one, with distinct names.
    pub tasks: Vec<Task>,
    /// One tensor per task, in the order of `tasks`: `[N]` int64 class indices for a
    /// classification task, `[N]` float32 values for a regression task.
    pub targets: Vec<Tensor>,
}

impl Dataset {
    /// A data set from its parts, after checking that they fit together.
    ///
    /// Checked: the inputs are float32 on the CPU with the rank of `layout` and no empty axis
    /// but the first; there is one target per task and the task names are distinct; every
    /// target has one value per sample, int64 within `0..classes` for classification and
    /// float32 for regression; inputs and regression targets are finite.
    pub fn new(
        name: impl Into<String>,
        layout: Layout,
        inputs: Tensor,
        tasks: Vec<Task>,
        targets: Vec<Tensor>,
    ) -> Result<Dataset> {
        let dataset = Dataset { name: name.into(), layout, inputs, tasks, targets };
        dataset
            .check()
            .map_err(|reason| DataError::Invalid { dataset: dataset.name.clone(), reason })?;
        Ok(dataset)
    }

    /// The number of samples, `N`.
    pub fn len(&self) -> usize {
        self.inputs.size().first().copied().unwrap_or(0) as usize
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The shape of one sample: `[features]`, `[channels, length]` or
    /// `[channels, height, width]`.
    pub fn input_shape(&self) -> Vec<i64> {
        self.inputs.size().into_iter().skip(1).collect()
    }

    /// The samples at `indices`, in that order, as a new data set of the same name.
    ///
    /// # Panics
    ///
    /// If an index is negative or not below [`Dataset::len`]; indices come from the program,
    /// not from the user, so a wrong one is a bug.
    pub fn subset(&self, indices: &[i64]) -> Dataset {
        let len = self.len() as i64;
        if let Some(bad) = indices.iter().find(|&&index| index < 0 || index >= len) {
            panic!("subset index {bad} is out of range for `{}` with {len} samples", self.name);
        }

        let indices = Tensor::from_slice(indices);
        Dataset {
            name: self.name.clone(),
            layout: self.layout,
            inputs: self.inputs.index_select(0, &indices),
            tasks: self.tasks.clone(),
            targets: self.targets.iter().map(|target| target.index_select(0, &indices)).collect(),
        }
    }

    /// The SHA-256 of the inputs, the task names and the targets, as hex: two data sets
    /// with the same digest hold the same examples in the same order.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        let mut feed = |tensor: &Tensor| {
            let tensor = tensor.contiguous();
            for &size in &tensor.size() {
                hasher.update(size.to_le_bytes());
            }
            let numel = tensor.numel();
            let mut bytes = vec![0u8; numel * tensor.kind().elt_size_in_bytes()];
            tensor.copy_data_u8(&mut bytes, numel);
            hasher.update(&bytes);
        };
        feed(&self.inputs);
        for target in &self.targets {
            feed(target);
        }
        for task in &self.tasks {
            hasher.update(task.name.as_bytes());
            hasher.update([0]);
        }
        hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// The target tensor of the task called `name`, if there is one.
    pub fn target(&self, name: &str) -> Option<&Tensor> {
        let index = self.tasks.iter().position(|task| task.name == name)?;
        self.targets.get(index)
    }

    /// What [`Dataset::new`] promises, as the first broken promise.
    fn check(&self) -> std::result::Result<(), String> {
        let shape = self.inputs.size();
        let rank = 2 + self.layout.spatial_dims();
        if shape.len() != rank {
            return Err(format!(
                "inputs have shape {shape:?}, but the {} layout needs rank {rank}",
                self.layout
            ));
        }
        if let Some(axis) = shape.iter().skip(1).position(|&size| size < 1) {
            return Err(format!("inputs have shape {shape:?}, with axis {} empty", axis + 1));
        }
        if self.inputs.kind() != Kind::Float || self.inputs.device() != Device::Cpu {
            return Err(format!(
                "inputs are {:?} on {:?}, not float32 on the CPU",
                self.inputs.kind(),
                self.inputs.device()
            ));
        }
        if !all_finite(&self.inputs) {
            return Err("inputs hold NaN or infinite values".to_string());
        }

        if self.tasks.is_empty() {
            return Err("there is no task".to_string());
        }
        if self.tasks.len() != self.targets.len() {
            return Err(format!(
                "{} tasks but {} target tensors",
                self.tasks.len(),
                self.targets.len()
            ));
        }
        let mut names = HashSet::new();
        for task in &self.tasks {
            if !names.insert(task.name.as_str()) {
                return Err(format!("two tasks are called `{}`", task.name));
            }
        }

        let samples = shape[0];
        for (task, target) in self.tasks.iter().zip(&self.targets) {
            check_target(task, target, samples)?;
        }
        Ok(())
    }
}

/// The data set's name: the file's stem, such as `cells` for `data/cells.csv`.
pub(crate) fn dataset_name(path: &Path) -> String {
    path.file_stem().map_or_else(|| "data".to_string(), |stem| stem.to_string_lossy().into_owned())
}

/// Checks one target tensor against its task and the number of samples.
fn check_target(task: &Task, target: &Tensor, samples: i64) -> std::result::Result<(), String> {
    let name = &task.name;
    if target.size() != [samples] {
        return Err(format!("target `{name}` has shape {:?}, not [{samples}]", target.size()));
    }
    if target.device() != Device::Cpu {
        return Err(format!("target `{name}` is on {:?}, not the CPU", target.device()));
    }

    match task.kind {
        TaskKind::Classification { classes } => {
            if target.kind() != Kind::Int64 {
                return Err(format!("target `{name}` is {:?}, not int64", target.kind()));
            }
            if !(1..=MAX_CLASSES).contains(&classes) {
                return Err(format!("task `{name}` has {classes} classes, not 1..={MAX_CLASSES}"));
            }
            if samples > 0 {
                let low = target.min().int64_value(&[]);
                let high = target.max().int64_value(&[]);
                if low < 0 || high >= classes as i64 {
                    return Err(format!(
                        "target `{name}` holds labels {low}..={high}, outside 0..{classes}"
                    ));
                }
            }
        }
        TaskKind::Regression => {
            if target.kind() != Kind::Float {
                return Err(format!("target `{name}` is {:?}, not float32", target.kind()));
            }
            if !all_finite(target) {
                return Err(format!("target `{name}` holds NaN or infinite values"));
            }
        }
    }
    Ok(())
}

/// Whether every element of a float tensor is finite (true for an empty tensor).
fn all_finite(tensor: &Tensor) -> bool {
    tensor.numel() == 0 || tensor.isfinite().all().int64_value(&[]) != 0
}

impl fmt::Debug for Dataset {
    // The tensors' contents would drown the message; their shapes are what matters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dataset")
            .field("name", &self.name)
            .field("layout", &self.layout)
            .field("inputs", &self.inputs.size())
            .field("tasks", &self.tasks)
            .finish()
    }
}
