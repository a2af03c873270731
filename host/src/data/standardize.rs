//! Per-feature (flat) or per-channel (sequence, image) standardization.

use tch::{Kind, Tensor};

use super::dataset::Dataset;
use super::error::{DataError, Result};

/// A standard deviation below this counts as zero: the feature is constant on the training
/// set.
pub const STD_FLOOR: f64 = 1e-6;

/// The mean and standard deviation of each feature or channel of a training set, to shift
/// and scale every part of a split alike.
///
/// Fit it on the training set only: statistics taken from validation or test samples would
/// leak them into training. Feature `f` of a flat sample and channel `c` of a sequence or an
/// image become `(x - mean) / std`; a channel's statistics are taken over all its positions.
/// A standard deviation below [`STD_FLOOR`] is replaced by 1, so a feature that is constant
/// on the training set is only centred instead of blown up (as scikit-learn's
/// `StandardScaler` does).
#[derive(Debug)]
pub struct Standardizer {
    /// `[channels]` (`[features]` for the flat layout).
    mean: Tensor,
    /// `[channels]`, floored as described above.
    std: Tensor,
}

impl Standardizer {
    /// The statistics of `train`'s inputs; refuses an empty data set.
    pub fn fit(train: &Dataset) -> Result<Standardizer> {
        if train.is_empty() {
            return Err(DataError::Invalid {
                dataset: train.name.clone(),
                reason: "a standardizer needs at least one training sample".to_string(),
            });
        }

        // Every axis but the channel axis (1) is averaged over.
        let inputs = train.inputs.to_kind(Kind::Double);
        let axes: Vec<i64> = (0..inputs.dim() as i64).filter(|&axis| axis != 1).collect();
        let mean = inputs.mean_dim(axes.as_slice(), false, Kind::Double);
        let std = inputs.std_dim(axes.as_slice(), false, false);

        let constant = std.lt(STD_FLOOR);
        let std = std.where_self(&constant.logical_not(), &std.ones_like());
        Ok(Standardizer { mean: mean.to_kind(Kind::Float), std: std.to_kind(Kind::Float) })
    }

    /// `data` with its inputs standardized; the targets are shared, not copied.
    ///
    /// Refuses a data set whose channel (feature) count differs from the training set's.
    pub fn apply(&self, data: &Dataset) -> Result<Dataset> {
        let channels = self.mean.size()[0];
        let shape = data.inputs.size();
        if shape.get(1) != Some(&channels) {
            return Err(DataError::Invalid {
                dataset: data.name.clone(),
                reason: format!(
                    "inputs of shape {shape:?} do not have the {channels} channels the \
                     standardizer was fitted on"
                ),
            });
        }

        Dataset::new(
            data.name.clone(),
            data.layout,
            self.transform(&data.inputs),
            data.tasks.clone(),
            data.targets.iter().map(Tensor::shallow_clone).collect(),
        )
    }

    /// Standardizes inputs of shape `[N, channels, ...]` into a new tensor of that shape.
    pub fn transform(&self, inputs: &Tensor) -> Tensor {
        // [channels] -> [1, channels, 1, ...] so it broadcasts over samples and positions.
        let mut shape = vec![1, self.mean.size()[0]];
        shape.resize(inputs.dim(), 1);
        (inputs - self.mean.reshape(&shape)) / self.std.reshape(&shape)
    }

    /// The training means, `[channels]`.
    pub fn mean(&self) -> &Tensor {
        &self.mean
    }

    /// The training standard deviations after flooring, `[channels]`.
    pub fn std(&self) -> &Tensor {
        &self.std
    }
}
