//! What a network is trained to do: one loss per head, summed.

use tch::{Kind, Reduction, Tensor};

/// What one head predicts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HeadKind {
    /// Class logits, trained with cross-entropy against `[batch]` int64 labels.
    Classification {
        /// Number of classes: the head's width.
        classes: i64,
    },
    /// One real value, trained with mean squared error against `[batch]` floats.
    Regression,
}

impl HeadKind {
    /// The head's output width.
    pub fn outputs(self) -> i64 {
        match self {
            HeadKind::Classification { classes } => classes,
            HeadKind::Regression => 1,
        }
    }
}

/// A batch: inputs laid out as the network expects, and one target tensor per head.
#[derive(Debug)]
pub struct Batch {
    /// `[batch, ...]`.
    pub inputs: Tensor,
    /// One per head, `[batch]`.
    pub targets: Vec<Tensor>,
}

impl Batch {
    /// The same batch on `device`.
    pub fn to_device(&self, device: tch::Device) -> Batch {
        Batch {
            inputs: self.inputs.to_device(device),
            targets: self.targets.iter().map(|t| t.to_device(device)).collect(),
        }
    }
}

/// The training loss of a multi-head network: the weighted sum of each head's loss.
#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    /// One per head.
    pub heads: Vec<HeadKind>,
    /// One weight per head; all 1 unless the user asks otherwise.
    pub weights: Vec<f64>,
}

impl Objective {
    /// Equal weights for every head.
    pub fn new(heads: Vec<HeadKind>) -> Self {
        let weights = vec![1.0; heads.len()];
        Objective { heads, weights }
    }

    /// The loss of one head: mean cross-entropy or mean squared error.
    pub fn head_loss(&self, head: usize, output: &Tensor, target: &Tensor) -> Tensor {
        match self.heads[head] {
            HeadKind::Classification { .. } => {
                output.log_softmax(-1, output.kind()).nll_loss(target)
            }
            HeadKind::Regression => {
                output.squeeze_dim(-1).mse_loss(&target.to_kind(output.kind()), Reduction::Mean)
            }
        }
    }

    /// The weighted sum of the heads' losses, a scalar.
    pub fn loss(&self, outputs: &[Tensor], targets: &[Tensor]) -> Tensor {
        let mut total: Option<Tensor> = None;
        for (head, (output, target)) in outputs.iter().zip(targets).enumerate() {
            let term = self.head_loss(head, output, target) * self.weights[head];
            total = Some(match total {
                Some(sum) => sum + term,
                None => term,
            });
        }
        total.unwrap_or_else(|| Tensor::zeros([], (Kind::Float, tch::Device::Cpu)))
    }
}
