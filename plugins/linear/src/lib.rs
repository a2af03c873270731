//! Fully connected primitives for tabular data, `[batch, features]`: the set CANDLE used
//! for its Uno drug-response example.
//!
//! CANDLE's versions disagree with their own names in places (a zero that was not zero,
//! widths that did not return to the input's); each primitive here does what its name
//! plainly intends, as its doc comment says. The flat layout has no spatial axis, so none
//! of them takes stride 2.

use darts_plugin_api::tch::nn::{self, Module, ModuleT};
use darts_plugin_api::tch::Tensor;
use darts_plugin_api::{export_plugin, primitive, BuildResult, PrimitiveSpec};

export_plugin!(name: "linear", version: env!("CARGO_PKG_VERSION"));

/// The dropout probability of `linear_drop`.
const DROPOUT: f64 = 0.2;

/// A fully connected layer initialised as PyTorch does: weight and bias uniform in
/// `±1/sqrt(in)`.
fn dense(path: nn::Path, c_in: i64, c_out: i64) -> nn::Linear {
    let bound = 1.0 / (c_in as f64).sqrt();
    let uniform = nn::Init::Uniform { lo: -bound, up: bound };
    nn::linear(
        path,
        c_in,
        c_out,
        nn::LinearConfig { ws_init: uniform, bs_init: Some(uniform), bias: true },
    )
}

primitive! {
    name: "none",
    layout: Flat,
    stride2: false,
    description: "zero: the edge is absent",
    build: none,
}
/// A true zero of the input's shape, kept in the autograd graph (input times zero).
fn none(_: &nn::Path, _: &PrimitiveSpec) -> BuildResult {
    Ok(Box::new(nn::func(|xs| xs * 0.0)))
}

primitive! {
    name: "skip_connect",
    layout: Flat,
    stride2: false,
    description: "identity",
    build: skip_connect,
}
fn skip_connect(_: &nn::Path, _: &PrimitiveSpec) -> BuildResult {
    Ok(Box::new(nn::func(|xs| xs.shallow_clone())))
}

primitive! {
    name: "linear_block",
    layout: Flat,
    stride2: false,
    description: "ReLU, linear c->2c, linear 2c->c",
    build: linear_block,
}
/// Widens to twice the features and back, so the edge keeps the cell's width.
fn linear_block(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    let c = spec.channels;
    let op = path / "op";
    Ok(Box::new(nn::seq_t().add_fn(|xs| xs.relu()).add(dense(&op / 1, c, 2 * c)).add(dense(
        &op / 2,
        2 * c,
        c,
    ))))
}

primitive! {
    name: "linear_drop",
    layout: Flat,
    stride2: false,
    description: "ReLU, linear c->2c, dropout 0.2 (training only), linear 2c->c",
    build: linear_drop,
}
/// `linear_block` with dropout between the two layers, active in training and off in
/// evaluation (CANDLE's applied it in both).
fn linear_drop(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    let c = spec.channels;
    let op = path / "op";
    Ok(Box::new(LinearDrop { first: dense(&op / 1, c, 2 * c), second: dense(&op / 3, 2 * c, c) }))
}

#[derive(Debug)]
struct LinearDrop {
    first: nn::Linear,
    second: nn::Linear,
}

impl ModuleT for LinearDrop {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        let hidden = self.first.forward(&xs.relu()).dropout(DROPOUT, train);
        self.second.forward(&hidden)
    }
}

primitive! {
    name: "encoder",
    layout: Flat,
    stride2: false,
    description: "ReLU, linear c->c/2, linear c/2->c (a bottleneck)",
    build: encoder,
}
/// Narrows to half the features (at least one) and back to the cell's width.
fn encoder(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    let c = spec.channels;
    let hidden = (c / 2).max(1);
    let op = path / "op";
    Ok(Box::new(nn::seq_t().add_fn(|xs| xs.relu()).add(dense(&op / 1, c, hidden)).add(dense(
        &op / 2,
        hidden,
        c,
    ))))
}

#[cfg(test)]
mod tests {
    #[test]
    fn primitives_pass_the_plugin_checks() {
        darts_plugin_api::testing::assert_primitives_work(6);
    }
}
