//! The DARTS primitives in one dimension, for sequences and text embedded as
//! `[batch, channels, length]`, as CANDLE adapted them for its P3B5 text benchmark.
//!
//! They mirror the vision primitives of the reference code with 1-D layers: the same layer
//! structure, variable names and PyTorch initialisation. Every primitive works at stride 2,
//! halving the length (which must be even at reduction cells).

use darts_ops::{dil_conv, relu_conv_bn, sep_conv, skip_connect, ConvSpec, Pool, PoolKind, Zero};
use darts_plugin_api::tch::nn;
use darts_plugin_api::{export_plugin, primitive, BuildResult, PrimitiveSpec};

export_plugin!(name: "conv1d", version: env!("CARGO_PKG_VERSION"));

/// The depthwise convolution of a separable or dilated primitive on `spec.channels`.
fn separable(spec: &PrimitiveSpec, kernel: i64, padding: i64, dilation: i64) -> ConvSpec {
    let c = spec.channels;
    ConvSpec { stride: spec.stride, padding, dilation, ..ConvSpec::new(c, c, kernel) }
}

const DIMS: usize = 1;

primitive! {
    name: "none",
    layout: Sequence,
    stride2: true,
    description: "zero: the edge is absent (strided zero at stride 2)",
    build: none,
}
fn none(_: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    Ok(Box::new(Zero { dims: DIMS, stride: spec.stride }))
}

primitive! {
    name: "max_pool_3",
    layout: Sequence,
    stride2: true,
    description: "max pooling over 3 positions, padding 1",
    build: max_pool_3,
}
fn max_pool_3(_: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    Ok(Box::new(Pool { kind: PoolKind::Max, dims: DIMS, stride: spec.stride }))
}

primitive! {
    name: "avg_pool_3",
    layout: Sequence,
    stride2: true,
    description: "average pooling over 3 positions, padding 1, padding not counted",
    build: avg_pool_3,
}
fn avg_pool_3(_: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    Ok(Box::new(Pool { kind: PoolKind::Avg, dims: DIMS, stride: spec.stride }))
}

primitive! {
    name: "skip_connect",
    layout: Sequence,
    stride2: true,
    description: "identity; factorized reduce (two shifted 1-wide convs) at stride 2",
    build: skip,
}
fn skip(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    Ok(skip_connect(path, DIMS, spec.channels, spec.stride, spec.affine))
}

primitive! {
    name: "sep_conv_3",
    layout: Sequence,
    stride2: true,
    description: "two separable convolutions of width 3 (ReLU, depthwise, 1-wide, BatchNorm)",
    build: sep_conv_3,
}
fn sep_conv_3(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    Ok(Box::new(sep_conv(path, DIMS, separable(spec, 3, 1, 1), spec.affine)))
}

primitive! {
    name: "sep_conv_5",
    layout: Sequence,
    stride2: true,
    description: "two separable convolutions of width 5 (ReLU, depthwise, 1-wide, BatchNorm)",
    build: sep_conv_5,
}
fn sep_conv_5(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    Ok(Box::new(sep_conv(path, DIMS, separable(spec, 5, 2, 1), spec.affine)))
}

primitive! {
    name: "sep_conv_7",
    layout: Sequence,
    stride2: true,
    description: "two separable convolutions of width 7 (ReLU, depthwise, 1-wide, BatchNorm)",
    build: sep_conv_7,
}
fn sep_conv_7(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    Ok(Box::new(sep_conv(path, DIMS, separable(spec, 7, 3, 1), spec.affine)))
}

primitive! {
    name: "dil_conv_3",
    layout: Sequence,
    stride2: true,
    description: "dilated separable convolution of width 3, dilation 2",
    build: dil_conv_3,
}
fn dil_conv_3(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    Ok(Box::new(dil_conv(path, DIMS, separable(spec, 3, 2, 2), spec.affine)))
}

primitive! {
    name: "dil_conv_5",
    layout: Sequence,
    stride2: true,
    description: "dilated separable convolution of width 5, dilation 2",
    build: dil_conv_5,
}
fn dil_conv_5(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    Ok(Box::new(dil_conv(path, DIMS, separable(spec, 5, 4, 2), spec.affine)))
}

primitive! {
    name: "convblock_7",
    layout: Sequence,
    stride2: true,
    description: "ReLU, dense convolution of width 7, BatchNorm",
    build: convblock_7,
}
fn convblock_7(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    let c = spec.channels;
    let conv = ConvSpec { stride: spec.stride, padding: 3, ..ConvSpec::new(c, c, 7) };
    Ok(Box::new(relu_conv_bn(path, DIMS, conv, spec.affine)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn primitives_pass_the_plugin_checks() {
        darts_plugin_api::testing::assert_primitives_work(6);
    }
}
