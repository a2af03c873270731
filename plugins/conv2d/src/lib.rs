//! The DARTS paper's vision primitives for images, `[batch, channels, height, width]`.
//!
//! The search space by default is the paper's eight; `sep_conv_7x7` and `conv_7x1_1x7`,
//! which published genotypes use, are built on request. Each is defined as in the authors'
//! reference code, with the same layer structure,
//! variable names and PyTorch initialisation, so that parameter counts and outputs match
//! it. Every primitive also works at stride 2, halving height and width (which must be
//! even, as everywhere in DARTS).

use darts_ops::{dil_conv, sep_conv, skip_connect, ConvSpec, Pool, PoolKind, Zero};
use darts_plugin_api::tch::nn::{self, ModuleT};
use darts_plugin_api::{export_plugin, primitive, BuildResult, PrimitiveSpec};

export_plugin!(name: "conv2d", version: env!("CARGO_PKG_VERSION"));

/// The depthwise convolution of a separable or dilated primitive on `spec.channels`.
fn separable(spec: &PrimitiveSpec, kernel: i64, padding: i64, dilation: i64) -> ConvSpec {
    let c = spec.channels;
    ConvSpec { stride: spec.stride, padding, dilation, ..ConvSpec::new(c, c, kernel) }
}

const DIMS: usize = 2;

primitive! {
    name: "none",
    layout: Image,
    stride2: true,
    description: "zero: the edge is absent (strided zero at stride 2)",
    build: none,
}
fn none(_: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    Ok(Box::new(Zero { dims: DIMS, stride: spec.stride }))
}

primitive! {
    name: "max_pool_3x3",
    layout: Image,
    stride2: true,
    description: "3x3 max pooling, padding 1",
    build: max_pool_3x3,
}
fn max_pool_3x3(_: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    Ok(Box::new(Pool { kind: PoolKind::Max, dims: DIMS, stride: spec.stride }))
}

primitive! {
    name: "avg_pool_3x3",
    layout: Image,
    stride2: true,
    description: "3x3 average pooling, padding 1, padding not counted",
    build: avg_pool_3x3,
}
fn avg_pool_3x3(_: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    Ok(Box::new(Pool { kind: PoolKind::Avg, dims: DIMS, stride: spec.stride }))
}

primitive! {
    name: "skip_connect",
    layout: Image,
    stride2: true,
    description: "identity; factorized reduce (two shifted 1x1 convs) at stride 2",
    build: skip,
}
fn skip(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    Ok(skip_connect(path, DIMS, spec.channels, spec.stride, spec.affine))
}

primitive! {
    name: "sep_conv_3x3",
    layout: Image,
    stride2: true,
    description: "two separable 3x3 convolutions (ReLU, depthwise, 1x1, BatchNorm)",
    build: sep_conv_3x3,
}
fn sep_conv_3x3(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    Ok(Box::new(sep_conv(path, DIMS, separable(spec, 3, 1, 1), spec.affine)))
}

primitive! {
    name: "sep_conv_5x5",
    layout: Image,
    stride2: true,
    description: "two separable 5x5 convolutions (ReLU, depthwise, 1x1, BatchNorm)",
    build: sep_conv_5x5,
}
fn sep_conv_5x5(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    Ok(Box::new(sep_conv(path, DIMS, separable(spec, 5, 2, 1), spec.affine)))
}

primitive! {
    name: "sep_conv_7x7",
    layout: Image,
    stride2: true,
    default_space: false,
    description: "two separable 7x7 convolutions (ReLU, depthwise, 1x1, BatchNorm)",
    build: sep_conv_7x7,
}
fn sep_conv_7x7(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    Ok(Box::new(sep_conv(path, DIMS, separable(spec, 7, 3, 1), spec.affine)))
}

primitive! {
    name: "dil_conv_3x3",
    layout: Image,
    stride2: true,
    description: "dilated separable 3x3 convolution, dilation 2 (ReLU, depthwise, 1x1, BatchNorm)",
    build: dil_conv_3x3,
}
fn dil_conv_3x3(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    Ok(Box::new(dil_conv(path, DIMS, separable(spec, 3, 2, 2), spec.affine)))
}

primitive! {
    name: "dil_conv_5x5",
    layout: Image,
    stride2: true,
    description: "dilated separable 5x5 convolution, dilation 2 (ReLU, depthwise, 1x1, BatchNorm)",
    build: dil_conv_5x5,
}
fn dil_conv_5x5(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    Ok(Box::new(dil_conv(path, DIMS, separable(spec, 5, 4, 2), spec.affine)))
}

primitive! {
    name: "conv_7x1_1x7",
    layout: Image,
    stride2: true,
    default_space: false,
    description: "ReLU, 1x7 then 7x1 convolution, BatchNorm",
    build: conv_7x1_1x7,
}
/// The factorised 7x7 convolution: the 1x7 convolution strides along the width, the 7x1 one
/// along the height, as in the reference code.
fn conv_7x1_1x7(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    let (c, s) = (spec.channels, spec.stride);
    let op = path / "op";
    let asymmetric = |path: nn::Path, kernel: [i64; 2], stride: [i64; 2], padding: [i64; 2]| {
        let bound = 1.0 / ((c * kernel[0] * kernel[1]) as f64).sqrt();
        let config = nn::ConvConfigND::<[i64; 2]> {
            stride,
            padding,
            dilation: [1, 1],
            groups: 1,
            bias: false,
            ws_init: nn::Init::Uniform { lo: -bound, up: bound },
            bs_init: nn::Init::Const(0.0),
            padding_mode: nn::PaddingMode::Zeros,
        };
        nn::conv(path, c, c, kernel, config)
    };
    let module = nn::seq_t()
        .add_fn(|xs| xs.relu())
        .add(asymmetric(&op / 1, [1, 7], [1, s], [0, 3]))
        .add(asymmetric(&op / 2, [7, 1], [s, 1], [3, 0]))
        .add(darts_ops::batch_norm(&op / 3, DIMS, c, spec.affine));
    Ok(Box::new(module) as Box<dyn ModuleT>)
}

#[cfg(test)]
mod tests {
    #[test]
    fn primitives_pass_the_plugin_checks() {
        darts_plugin_api::testing::assert_primitives_work(6);
    }
}
