//! The auxiliary classifier of the DARTS evaluation network for images.

use darts_ops::{batch_norm, conv, Conv, ConvSpec};
use tch::nn::{self, Module, ModuleT};
use tch::Tensor;

use crate::layers::dense;

/// A classifier reading the output of the cell at 2/3 of the depth, whose loss (weighted
/// 0.4 in the paper) helps train the lower cells: ReLU, 5x5 average pooling with stride 3,
/// a 1x1 convolution to 128 channels, BatchNorm, ReLU, a 2x2 convolution to 768 channels,
/// BatchNorm, ReLU, a linear layer.
///
/// On 32x32 images the pooling sees an 8x8 map and the 2x2 convolution a 2x2 one, as in the
/// reference code. Smaller maps skip the pooling (below 5x5) and shrink the last
/// convolution's kernel to the map (below 2x2), and the result is averaged to one position,
/// so the head works on any input while keeping the reference's parameters on CIFAR sizes.
#[derive(Debug)]
pub struct AuxiliaryHead {
    reduce: Conv,
    norm1: nn::BatchNorm,
    expand: Conv,
    norm2: nn::BatchNorm,
    classifier: nn::Linear,
}

impl AuxiliaryHead {
    /// A head from `channels` (the cell output's width) at `spatial` (its height and
    /// width) to `classes` outputs.
    pub fn new(path: &nn::Path, channels: i64, spatial: i64, classes: i64) -> Self {
        let pooled = if spatial >= 5 { (spatial - 5) / 3 + 1 } else { spatial };
        let kernel = pooled.clamp(1, 2);
        AuxiliaryHead {
            reduce: conv(path / "features" / 2, 2, ConvSpec::new(channels, 128, 1)),
            norm1: batch_norm(path / "features" / 3, 2, 128, true),
            expand: conv(path / "features" / 5, 2, ConvSpec::new(128, 768, kernel)),
            norm2: batch_norm(path / "features" / 6, 2, 768, true),
            classifier: dense(path / "classifier", 768, classes, true),
        }
    }

    /// `[batch, channels, h, w]` to `[batch, classes]`.
    pub fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        let mut xs = xs.relu();
        if xs.size()[2] >= 5 {
            xs = xs.avg_pool2d([5, 5], [3, 3], [0, 0], false, false, None);
        }
        let xs = self.norm1.forward_t(&self.reduce.forward(&xs), train).relu();
        let xs = self.norm2.forward_t(&self.expand.forward(&xs), train).relu();
        let pooled = xs.mean_dim(&[2i64, 3][..], false, xs.kind());
        self.classifier.forward(&pooled)
    }
}
