//! The parts of a network that are not primitives: stem, cell-input preprocessing, pooling
//! and heads, shared by the supernet and the evaluation network.
//!
//! They are host code, the same for every search space of a layout. Convolutional layouts
//! reuse the reference code's blocks from `darts-ops`; the flat layout uses linear maps in
//! their place.

use std::fmt;

use darts_ops::{batch_norm, conv, factorized_reduce, relu_conv_bn, ConvSpec};
use darts_plugin_api::Layout;
use tch::nn::{self, Init, ModuleT};
use tch::{Device, Kind, Tensor};

/// A fully connected layer initialised as PyTorch does, with or without bias.
pub fn dense(path: nn::Path, c_in: i64, c_out: i64, bias: bool) -> nn::Linear {
    let bound = 1.0 / (c_in as f64).sqrt();
    let uniform = Init::Uniform { lo: -bound, up: bound };
    let bs_init = if bias { Some(uniform) } else { None };
    nn::linear(path, c_in, c_out, nn::LinearConfig { ws_init: uniform, bs_init, bias })
}

/// The stem: a 3-wide convolution and BatchNorm (image, sequence), or a linear map and
/// BatchNorm (flat), from the input's channels to `c_out`.
pub fn stem(path: &nn::Path, layout: Layout, c_in: i64, c_out: i64) -> nn::SequentialT {
    let dims = layout.spatial_dims();
    match layout {
        Layout::Flat => nn::seq_t().add(dense(path / 0, c_in, c_out, false)).add(batch_norm(
            path / 1,
            0,
            c_out,
            true,
        )),
        Layout::Sequence | Layout::Image => nn::seq_t()
            .add(conv(path / 0, dims, ConvSpec { padding: 1, ..ConvSpec::new(c_in, c_out, 3) }))
            .add(batch_norm(path / 1, dims, c_out, true)),
    }
}

/// Brings a cell input to the cell's width: ReLU, a pointwise convolution (a linear map for
/// the flat layout), BatchNorm (with affine parameters when `affine`: the evaluation
/// network, not the supernet). With `reduce`, the input comes from before a reduction cell
/// and is halved spatially by a factorized reduce instead.
pub fn preprocess(
    path: &nn::Path,
    layout: Layout,
    c_in: i64,
    c_out: i64,
    reduce: bool,
    affine: bool,
) -> Box<dyn ModuleT> {
    let dims = layout.spatial_dims();
    match layout {
        Layout::Flat => Box::new(
            nn::seq_t()
                .add_fn(|xs| xs.relu())
                .add(dense(path / "op" / 1, c_in, c_out, false))
                .add(batch_norm(path / "op" / 2, 0, c_out, affine)),
        ),
        _ if reduce => Box::new(factorized_reduce(path, dims, c_in, c_out, affine)),
        _ => Box::new(relu_conv_bn(path, dims, ConvSpec::new(c_in, c_out, 1), affine)),
    }
}

/// Averages over every spatial axis: `[batch, channels, ...]` to `[batch, channels]`.
pub fn global_pool(xs: &Tensor, layout: Layout) -> Tensor {
    match layout {
        Layout::Flat => xs.shallow_clone(),
        Layout::Sequence => xs.mean_dim(&[2i64][..], false, xs.kind()),
        Layout::Image => xs.mean_dim(&[2i64, 3][..], false, xs.kind()),
    }
}

/// A BatchNorm without affine parameters, which the reference code puts after each
/// pooling primitive in the supernet so that pooled and convolved outputs are on one scale.
pub fn pool_norm(path: nn::Path, layout: Layout, channels: i64) -> nn::BatchNorm {
    batch_norm(path, layout.spatial_dims(), channels, false)
}

/// A layer of a network whose output a forward pass reports, in the order the pass reaches
/// them: for `describe`'s table of shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// The stem.
    Stem,
    /// A cell, by its place in the stack.
    Cell {
        /// Its index, from 0.
        index: usize,
        /// Whether it is a reduction cell.
        reduction: bool,
    },
    /// The auxiliary head of the evaluation network.
    Auxiliary,
    /// The head of a task, by the task's index.
    Head(usize),
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Layer::Stem => f.write_str("stem"),
            Layer::Cell { index, reduction: true } => write!(f, "cell {index} (reduction)"),
            Layer::Cell { index, reduction: false } => write!(f, "cell {index} (normal)"),
            Layer::Auxiliary => f.write_str("auxiliary head"),
            Layer::Head(task) => write!(f, "head {task}"),
        }
    }
}

/// Runs `forward` on a batch of two all-zero examples of `input_shape`, without gradients,
/// and returns the per-example output shape of every layer it reports, named.
pub fn layer_shapes<E>(
    input_shape: &[i64],
    kind: Kind,
    device: Device,
    forward: impl FnOnce(&Tensor, &mut dyn FnMut(Layer, &Tensor)) -> Result<(), E>,
) -> Result<Vec<(String, Vec<i64>)>, E> {
    let mut shape = vec![2];
    shape.extend(input_shape);
    let xs = Tensor::zeros(&shape, (kind, device));
    let mut shapes = Vec::new();
    tch::no_grad(|| {
        forward(&xs, &mut |layer, out| shapes.push((layer.to_string(), out.size()[1..].to_vec())))
    })?;
    Ok(shapes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_shapes_names_each_reported_layer_and_drops_the_batch() {
        let shapes = layer_shapes(&[3, 5], Kind::Float, Device::Cpu, |xs, observe| {
            assert_eq!(xs.size(), [2, 3, 5], "a batch of two examples");
            observe(Layer::Stem, xs);
            observe(Layer::Cell { index: 0, reduction: false }, &xs.flatten(1, -1));
            observe(Layer::Cell { index: 1, reduction: true }, xs);
            observe(Layer::Auxiliary, &xs.sum_dim_intlist(2, false, Kind::Float));
            observe(Layer::Head(1), &xs.flatten(0, -1));
            Ok::<(), String>(())
        })
        .unwrap();
        let expected: Vec<(String, Vec<i64>)> = [
            ("stem", vec![3, 5]),
            ("cell 0 (normal)", vec![15]),
            ("cell 1 (reduction)", vec![3, 5]),
            ("auxiliary head", vec![3]),
            ("head 1", vec![]),
        ]
        .into_iter()
        .map(|(name, shape)| (name.to_owned(), shape))
        .collect();
        assert_eq!(shapes, expected);

        let failed = layer_shapes(&[1], Kind::Float, Device::Cpu, |_, _| Err("no forward"));
        assert_eq!(failed, Err("no forward"));
    }
}
