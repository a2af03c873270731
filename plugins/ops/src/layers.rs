//! Single layers: convolution, BatchNorm, pooling, identity and zero.

use tch::nn::{self, Init, Module, ModuleT};
use tch::Tensor;

/// The shape of a convolution, the same on every spatial axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvSpec {
    /// Input channels.
    pub c_in: i64,
    /// Output channels.
    pub c_out: i64,
    /// Kernel size.
    pub kernel: i64,
    /// Stride.
    pub stride: i64,
    /// Zero padding on each side.
    pub padding: i64,
    /// Dilation.
    pub dilation: i64,
    /// Groups; `c_in` for a depthwise convolution.
    pub groups: i64,
}

impl ConvSpec {
    /// A dense convolution with stride 1, no padding and no dilation.
    pub fn new(c_in: i64, c_out: i64, kernel: i64) -> Self {
        ConvSpec { c_in, c_out, kernel, stride: 1, padding: 0, dilation: 1, groups: 1 }
    }
}

/// A convolution without bias over `dims` spatial axes.
#[derive(Debug)]
pub struct Conv {
    weight: Tensor,
    stride: Vec<i64>,
    padding: Vec<i64>,
    dilation: Vec<i64>,
    groups: i64,
}

/// Creates a convolution without bias, its weight named `weight` under `path` and drawn
/// as PyTorch draws it: uniform in `±1/sqrt(fan_in)`.
pub fn conv(path: nn::Path, dims: usize, spec: ConvSpec) -> Conv {
    let mut shape = vec![spec.c_out, spec.c_in / spec.groups];
    shape.extend(std::iter::repeat_n(spec.kernel, dims));
    let fan_in: i64 = shape[1..].iter().product();
    let bound = 1.0 / (fan_in as f64).sqrt();
    let weight = path.var("weight", &shape, Init::Uniform { lo: -bound, up: bound });
    Conv {
        weight,
        stride: vec![spec.stride; dims],
        padding: vec![spec.padding; dims],
        dilation: vec![spec.dilation; dims],
        groups: spec.groups,
    }
}

impl Module for Conv {
    fn forward(&self, xs: &Tensor) -> Tensor {
        let no_bias: Option<&Tensor> = None;
        xs.convolution(
            &self.weight,
            no_bias,
            &self.stride,
            &self.padding,
            &self.dilation,
            false,
            vec![0; self.stride.len()],
            self.groups,
        )
    }
}

/// BatchNorm over `channels`, with PyTorch's defaults (eps 1e-5, momentum 0.1, scale 1 and
/// shift 0 when `affine`). `dims` is 0 for `[batch, features]`, 1 or 2 otherwise.
pub fn batch_norm(path: nn::Path, dims: usize, channels: i64, affine: bool) -> nn::BatchNorm {
    let config = nn::BatchNormConfig {
        affine,
        ws_init: Init::Const(1.0),
        bs_init: Init::Const(0.0),
        ..Default::default()
    };
    match dims {
        0 | 1 => nn::batch_norm1d(path, channels, config),
        2 => nn::batch_norm2d(path, channels, config),
        _ => nn::batch_norm3d(path, channels, config),
    }
}

/// Which pooling a [`Pool`] applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolKind {
    /// Maximum over the window.
    Max,
    /// Mean over the window, not counting the padding.
    Avg,
}

/// A 3-wide pooling with padding 1 over `dims` spatial axes.
#[derive(Debug, Clone)]
pub struct Pool {
    /// Maximum or mean.
    pub kind: PoolKind,
    /// Number of spatial axes, 1 or 2.
    pub dims: usize,
    /// 1, or 2 to halve each spatial axis.
    pub stride: i64,
}

impl Module for Pool {
    fn forward(&self, xs: &Tensor) -> Tensor {
        let kernel = vec![3; self.dims];
        let stride = vec![self.stride; self.dims];
        let padding = vec![1; self.dims];
        match (self.kind, self.dims) {
            (PoolKind::Max, 1) => xs.max_pool1d(kernel, stride, padding, [1], false),
            (PoolKind::Max, _) => xs.max_pool2d(kernel, stride, padding, [1, 1], false),
            (PoolKind::Avg, 1) => xs.avg_pool1d(kernel, stride, padding, false, false),
            (PoolKind::Avg, _) => xs.avg_pool2d(kernel, stride, padding, false, false, None),
        }
    }
}

/// Returns its input unchanged.
#[derive(Debug, Clone, Copy)]
pub struct Identity;

impl Module for Identity {
    fn forward(&self, xs: &Tensor) -> Tensor {
        xs.shallow_clone()
    }
}

/// Multiplies its input by zero, keeping every `stride`-th position of each spatial axis.
///
/// Multiplying rather than allocating zeros keeps the result in the autograd graph with a
/// zero gradient, as the reference code does, so a `none` edge behaves like every other.
#[derive(Debug, Clone, Copy)]
pub struct Zero {
    /// Number of spatial axes (0 for `[batch, features]`).
    pub dims: usize,
    /// 1, or 2 to halve each spatial axis.
    pub stride: i64,
}

impl Module for Zero {
    fn forward(&self, xs: &Tensor) -> Tensor {
        let mut kept = xs.shallow_clone();
        if self.stride != 1 {
            for axis in 2..2 + self.dims as i64 {
                kept = kept.slice(axis, 0, None, self.stride);
            }
        }
        kept * 0.0
    }
}

/// Lets a plain layer sit where a train-aware module is expected.
pub(crate) fn boxed<M: ModuleT + 'static>(module: M) -> Box<dyn ModuleT> {
    Box::new(module)
}
