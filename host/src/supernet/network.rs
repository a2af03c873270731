//! The supernet: stem, cells, global pooling and one head per task, with the alphas that
//! weight every edge's primitives.

use darts_plugin_api::Layout;
use tch::nn::{self, Module, ModuleT};
use tch::{Device, Kind, Tensor};

use super::cell::{CellShape, SearchCell};
use super::SupernetConfig;
use crate::genotype::{derive_cell, Genotype, Result as GenotypeResult};
use crate::layers::{dense, global_pool, layer_shapes, stem, Layer};
use crate::plugins::{PrimitiveProvider, Result};

/// The search network of DARTS over a given set of primitives.
///
/// Its weights live in the [`nn::VarStore`] it was built in; the alphas are two plain
/// tensors of its own (`[edges, primitives]`, one for normal cells, one for reduction
/// cells), so that no weight optimizer, weight decay or gradient clipping ever reaches
/// them.
pub struct Supernet {
    config: SupernetConfig,
    stem: nn::SequentialT,
    cells: Vec<SearchCell>,
    heads: Vec<nn::Linear>,
    alpha_normal: Tensor,
    alpha_reduce: Tensor,
}

impl std::fmt::Debug for Supernet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Supernet")
            .field("config", &self.config)
            .field("cells", &self.cells.len())
            .finish_non_exhaustive()
    }
}

impl Supernet {
    /// Builds the supernet under `path`, every mixed op from `plugins`, and draws the
    /// alphas as 1e-3 times a standard normal, as the paper does. Alphas are created on
    /// `path`'s device, in single precision.
    pub fn new(
        path: &nn::Path,
        plugins: &dyn PrimitiveProvider,
        config: SupernetConfig,
    ) -> Result<Self> {
        let layout = config.layout;
        let c_in = config.input_shape.first().copied().unwrap_or(1);
        let c_stem = config.stem_multiplier * config.channels;
        let stem = stem(&(path / "stem"), layout, c_in, c_stem);

        let (mut c_prev_prev, mut c_prev, mut channels) = (c_stem, c_stem, config.channels);
        let mut reduction_prev = false;
        let mut cells = Vec::with_capacity(config.cells);
        for index in 0..config.cells {
            let reduction = config.is_reduction(index);
            if reduction {
                channels *= 2;
            }
            let shape = CellShape { c_prev_prev, c_prev, channels, reduction, reduction_prev };
            cells.push(SearchCell::new(&(path / "cells" / index), plugins, &config, shape)?);
            tracing::debug!(cell = index, reduction, channels, "cell built");
            reduction_prev = reduction;
            (c_prev_prev, c_prev) = (c_prev, config.multiplier as i64 * channels);
        }

        let heads = config
            .heads
            .iter()
            .enumerate()
            .map(|(task, &outputs)| dense(path / "heads" / task, c_prev, outputs, true))
            .collect();

        let shape = [config.edges_per_cell() as i64, config.primitives.len() as i64];
        let options = (Kind::Float, path.device());
        let alpha_normal = (Tensor::randn(shape, options) * 1e-3).set_requires_grad(true);
        let alpha_reduce = (Tensor::randn(shape, options) * 1e-3).set_requires_grad(true);
        Ok(Supernet { config, stem, cells, heads, alpha_normal, alpha_reduce })
    }

    /// The config it was built from.
    pub fn config(&self) -> &SupernetConfig {
        &self.config
    }

    /// The two alpha matrices, `[edges, primitives]`: normal cells, then reduction cells.
    pub fn alphas(&self) -> [&Tensor; 2] {
        [&self.alpha_normal, &self.alpha_reduce]
    }

    /// Whether any cell is a reduction cell (never for the flat layout).
    pub fn has_reduction(&self) -> bool {
        self.cells.iter().any(SearchCell::is_reduction)
    }

    /// Converts the alphas to another precision, keeping them leaves that require grad.
    /// The weights are converted with their store (`VarStore::set_kind`).
    pub fn set_alpha_kind(&mut self, kind: Kind) {
        self.alpha_normal = self.alpha_normal.detach().to_kind(kind).set_requires_grad(true);
        self.alpha_reduce = self.alpha_reduce.detach().to_kind(kind).set_requires_grad(true);
    }

    /// Moves the alphas to `device`, keeping them leaves that require grad.
    pub fn set_alpha_device(&mut self, device: Device) {
        self.alpha_normal = self.alpha_normal.detach().to_device(device).set_requires_grad(true);
        self.alpha_reduce = self.alpha_reduce.detach().to_device(device).set_requires_grad(true);
    }

    /// Runs the supernet on a batch laid out as [`SupernetConfig::layout`] says and returns
    /// one output per head, `[batch, outputs]`. Gradients flow to the weights and the
    /// alphas.
    pub fn forward_t(&self, xs: &Tensor, train: bool) -> Result<Vec<Tensor>> {
        self.forward_with(xs, train, &self.alpha_normal, &self.alpha_reduce, &mut |_, _| {})
    }

    /// As [`Supernet::forward_t`], with the alphas held constant: the weight step's
    /// backward pass then neither computes nor accumulates an alpha gradient.
    pub fn forward_fixed_alphas(&self, xs: &Tensor, train: bool) -> Result<Vec<Tensor>> {
        let (normal, reduce) = (self.alpha_normal.detach(), self.alpha_reduce.detach());
        self.forward_with(xs, train, &normal, &reduce, &mut |_, _| {})
    }

    /// The forward pass under the given alphas, showing `observe` each layer's output.
    fn forward_with(
        &self,
        xs: &Tensor,
        train: bool,
        alpha_normal: &Tensor,
        alpha_reduce: &Tensor,
        observe: &mut dyn FnMut(Layer, &Tensor),
    ) -> Result<Vec<Tensor>> {
        let weights_normal = alpha_normal.softmax(-1, alpha_normal.kind());
        let weights_reduce = alpha_reduce.softmax(-1, alpha_reduce.kind());

        let s = self.stem.forward_t(xs, train);
        observe(Layer::Stem, &s);
        let (mut s0, mut s1) = (s.shallow_clone(), s);
        for (index, cell) in self.cells.iter().enumerate() {
            let reduction = cell.is_reduction();
            let weights = if reduction { &weights_reduce } else { &weights_normal };
            let out = cell.forward_t(&s0, &s1, weights, train)?;
            observe(Layer::Cell { index, reduction }, &out);
            (s0, s1) = (s1, out);
        }

        let pooled = global_pool(&s1, self.config.layout);
        let outputs: Vec<Tensor> = self.heads.iter().map(|head| head.forward(&pooled)).collect();
        for (task, out) in outputs.iter().enumerate() {
            observe(Layer::Head(task), out);
        }
        Ok(outputs)
    }

    /// The genotype the alphas describe now: for each node, the two inputs whose strongest
    /// non-`none` primitive weighs most, with that primitive (see
    /// [`derive_cell`](crate::genotype::derive_cell)). The reduction cell is `None` for a
    /// network without one.
    pub fn genotype(&self) -> GenotypeResult<Genotype> {
        let names: Vec<String> = self.config.primitives.iter().map(ToString::to_string).collect();
        let derive = |alpha: &Tensor| {
            let weights = softmax_rows(alpha);
            derive_cell(&weights, &names, self.config.nodes, self.config.multiplier)
        };
        let normal = derive(&self.alpha_normal)?;
        let reduce = if self.has_reduction() { Some(derive(&self.alpha_reduce)?) } else { None };
        Ok(Genotype { normal, reduce })
    }

    /// softmax(alpha) of both cell kinds as nested lists, `[edges][primitives]`, for
    /// metrics and plots.
    pub fn alpha_weights(&self) -> [Vec<Vec<f64>>; 2] {
        [softmax_rows(&self.alpha_normal), softmax_rows(&self.alpha_reduce)]
    }

    /// The output shape of the stem, of each cell and of each head for one example, found
    /// by an evaluation-mode forward of zeros without gradients: `(name, shape)` in order.
    pub fn layer_shapes(&self) -> Result<Vec<(String, Vec<i64>)>> {
        let (kind, device) = (self.alpha_normal.kind(), self.alpha_normal.device());
        layer_shapes(&self.config.input_shape, kind, device, |xs, observe| {
            self.forward_with(xs, false, &self.alpha_normal, &self.alpha_reduce, observe).map(drop)
        })
    }

    /// The layout the supernet reads.
    pub fn layout(&self) -> Layout {
        self.config.layout
    }
}

/// softmax over each row of a `[edges, primitives]` alpha matrix, as nested lists.
fn softmax_rows(alpha: &Tensor) -> Vec<Vec<f64>> {
    let weights = tch::no_grad(|| alpha.softmax(-1, Kind::Double).to_device(Device::Cpu));
    let (rows, columns) = (weights.size()[0], weights.size()[1]);
    (0..rows)
        .map(|row| (0..columns).map(|column| weights.double_value(&[row, column])).collect())
        .collect()
}
