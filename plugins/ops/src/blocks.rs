//! The composite operations of the DARTS reference code, for any number of spatial axes.

use tch::nn::{self, ModuleT};
use tch::Tensor;

use crate::layers::{batch_norm, boxed, conv, ConvSpec, Identity};

/// ReLU, convolution, BatchNorm, with the layers at `op.1` and `op.2`.
pub fn relu_conv_bn(path: &nn::Path, dims: usize, spec: ConvSpec, affine: bool) -> nn::SequentialT {
    let op = path / "op";
    nn::seq_t().add_fn(|xs| xs.relu()).add(conv(&op / 1, dims, spec)).add(batch_norm(
        &op / 2,
        dims,
        spec.c_out,
        affine,
    ))
}

/// Dilated depthwise convolution, then a pointwise one: ReLU, depthwise (`op.1`), 1x1
/// (`op.2`), BatchNorm (`op.3`). `spec` gives channels (`c_in`), kernel, stride, padding
/// and dilation of the depthwise convolution.
pub fn dil_conv(path: &nn::Path, dims: usize, spec: ConvSpec, affine: bool) -> nn::SequentialT {
    let channels = spec.c_in;
    let op = path / "op";
    let depthwise = ConvSpec { c_out: channels, groups: channels, ..spec };
    nn::seq_t()
        .add_fn(|xs| xs.relu())
        .add(conv(&op / 1, dims, depthwise))
        .add(conv(&op / 2, dims, ConvSpec::new(channels, channels, 1)))
        .add(batch_norm(&op / 3, dims, channels, affine))
}

/// Two separable convolutions in a row, the first carrying the stride: ReLU, depthwise
/// (`op.1`), 1x1 (`op.2`), BatchNorm (`op.3`), ReLU, depthwise (`op.5`), 1x1 (`op.6`),
/// BatchNorm (`op.7`). `spec` gives channels (`c_in`), kernel, stride and padding of the
/// first depthwise convolution.
pub fn sep_conv(path: &nn::Path, dims: usize, spec: ConvSpec, affine: bool) -> nn::SequentialT {
    let channels = spec.c_in;
    let op = path / "op";
    let depthwise = ConvSpec { c_out: channels, groups: channels, dilation: 1, ..spec };
    let pointwise = ConvSpec::new(channels, channels, 1);
    nn::seq_t()
        .add_fn(|xs| xs.relu())
        .add(conv(&op / 1, dims, depthwise))
        .add(conv(&op / 2, dims, pointwise))
        .add(batch_norm(&op / 3, dims, channels, affine))
        .add_fn(|xs| xs.relu())
        .add(conv(&op / 5, dims, ConvSpec { stride: 1, ..depthwise }))
        .add(conv(&op / 6, dims, pointwise))
        .add(batch_norm(&op / 7, dims, channels, affine))
}

/// Halves every spatial axis while keeping `channels`: ReLU, then two stride-2 1x1
/// convolutions (`conv_1`, `conv_2`) of `channels / 2` outputs each, the second seeing the
/// input shifted by one position on every spatial axis, concatenated and normalised (`bn`).
///
/// Spatial sizes must be even, as everywhere in DARTS, or the two halves differ in size.
#[derive(Debug)]
pub struct FactorizedReduce {
    dims: usize,
    conv_1: crate::layers::Conv,
    conv_2: crate::layers::Conv,
    bn: nn::BatchNorm,
}

/// Creates a [`FactorizedReduce`] from `c_in` to `c_out` channels (`c_out` even).
pub fn factorized_reduce(
    path: &nn::Path,
    dims: usize,
    c_in: i64,
    c_out: i64,
    affine: bool,
) -> FactorizedReduce {
    let half = ConvSpec { stride: 2, ..ConvSpec::new(c_in, c_out / 2, 1) };
    FactorizedReduce {
        dims,
        conv_1: conv(path / "conv_1", dims, half),
        conv_2: conv(path / "conv_2", dims, half),
        bn: batch_norm(path / "bn", dims, c_out, affine),
    }
}

impl ModuleT for FactorizedReduce {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        use tch::nn::Module;
        let xs = xs.relu();
        let mut shifted = xs.shallow_clone();
        for axis in 2..2 + self.dims as i64 {
            shifted = shifted.slice(axis, 1, None, 1);
        }
        let out = Tensor::cat(&[self.conv_1.forward(&xs), self.conv_2.forward(&shifted)], 1);
        self.bn.forward_t(&out, train)
    }
}

/// The `skip_connect` primitive: identity at stride 1, [`FactorizedReduce`] at stride 2.
pub fn skip_connect(
    path: &nn::Path,
    dims: usize,
    channels: i64,
    stride: i64,
    affine: bool,
) -> Box<dyn ModuleT> {
    if stride == 1 {
        boxed(Identity)
    } else {
        boxed(factorized_reduce(path, dims, channels, channels, affine))
    }
}
