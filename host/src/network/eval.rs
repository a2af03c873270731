//! The evaluation network: the cells a genotype describes, stacked and trained from
//! scratch.

use darts_plugin_api::Layout;
use tch::nn::{self, Module, ModuleT};
use tch::Tensor;

use super::auxiliary::AuxiliaryHead;
use super::cell::EvalCell;
use super::error::NetworkError;
use super::EvalConfig;
use crate::genotype::{CellGenotype, Genotype};
use crate::layers::{dense, global_pool, layer_shapes, stem, Layer};
use crate::plugins::{PluginSet, PrimitiveId, PrimitiveProvider, Result};
use crate::supernet::CellShape;

/// What a forward pass of an [`EvalNetwork`] returns.
#[derive(Debug)]
pub struct EvalOutput {
    /// One output per head, `[batch, outputs]`.
    pub heads: Vec<Tensor>,
    /// The auxiliary head's output for the first head's task, in training with an
    /// auxiliary head only.
    pub auxiliary: Option<Tensor>,
}

/// The network a genotype describes: stem, cells of the genotype's edges (BatchNorm with
/// affine parameters), global pooling, one head per task, and optionally the auxiliary
/// head.
pub struct EvalNetwork {
    config: EvalConfig,
    stem: nn::SequentialT,
    cells: Vec<EvalCell>,
    heads: Vec<nn::Linear>,
    auxiliary: Option<AuxiliaryHead>,
}

impl std::fmt::Debug for EvalNetwork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvalNetwork")
            .field("config", &self.config)
            .field("cells", &self.cells.len())
            .finish_non_exhaustive()
    }
}

/// The qualified primitives of a cell genotype, resolved against the loaded plugins; bare
/// names, as the reference text form has them, must be unique among the primitives of
/// `layout`.
pub fn resolve_cell(
    plugins: &PluginSet,
    cell: &CellGenotype,
    layout: Layout,
) -> Result<Vec<PrimitiveId>> {
    cell.edges.iter().map(|edge| plugins.resolve_for_layout(&edge.primitive, layout)).collect()
}

impl EvalNetwork {
    /// Builds the network of `genotype` under `path`, its primitives by the ids
    /// `normal_ids` and `reduce_ids` (one per edge of each cell genotype).
    ///
    /// A layout with reduction cells needs the genotype's reduction cell; a genotype
    /// without one is refused for the image and sequence layouts.
    pub fn new(
        path: &nn::Path,
        plugins: &dyn PrimitiveProvider,
        config: EvalConfig,
        genotype: &Genotype,
        normal_ids: &[PrimitiveId],
        reduce_ids: &[PrimitiveId],
    ) -> Result<Self, NetworkError> {
        let layout = config.layout;
        let c_in = config.input_shape.first().copied().unwrap_or(1);
        let c_stem = config.stem_multiplier * config.channels;
        let stem = stem(&(path / "stem"), layout, c_in, c_stem);

        let (mut c_prev_prev, mut c_prev, mut channels) = (c_stem, c_stem, config.channels);
        let mut spatial = config.input_shape.get(1).copied().unwrap_or(1);
        let mut reduction_prev = false;
        let mut cells = Vec::with_capacity(config.cells);
        let mut auxiliary = None;
        for index in 0..config.cells {
            let reduction = config.is_reduction(index);
            let (cell_genotype, ids) = if reduction {
                let reduce = genotype
                    .reduce
                    .as_ref()
                    .ok_or(NetworkError::MissingReduction { layout, cells: config.cells })?;
                (reduce, reduce_ids)
            } else {
                (&genotype.normal, normal_ids)
            };
            if reduction {
                channels *= 2;
                spatial = (spatial + 1) / 2;
            }
            let shape = CellShape { c_prev_prev, c_prev, channels, reduction, reduction_prev };
            let cell = EvalCell::new(
                &(path / "cells" / index),
                plugins,
                &config,
                cell_genotype,
                ids,
                shape,
            )?;
            reduction_prev = reduction;
            (c_prev_prev, c_prev) = (c_prev, cell.multiplier() as i64 * channels);
            cells.push(cell);
            if config.auxiliary && layout == Layout::Image && index == config.auxiliary_after() {
                let classes = config.heads.first().copied().unwrap_or(1);
                auxiliary =
                    Some(AuxiliaryHead::new(&(path / "auxiliary_head"), c_prev, spatial, classes));
            }
        }

        let heads = config
            .heads
            .iter()
            .enumerate()
            .map(|(task, &outputs)| dense(path / "heads" / task, c_prev, outputs, true))
            .collect();
        Ok(EvalNetwork { config, stem, cells, heads, auxiliary })
    }

    /// The config it was built from.
    pub fn config(&self) -> &EvalConfig {
        &self.config
    }

    /// Whether it has an auxiliary head.
    pub fn has_auxiliary(&self) -> bool {
        self.auxiliary.is_some()
    }

    /// The output shape of the stem, each cell, the auxiliary head and each head for one
    /// example, by an evaluation-mode forward of zeros without gradients.
    pub fn layer_shapes(&self, device: tch::Device) -> Result<Vec<(String, Vec<i64>)>> {
        layer_shapes(&self.config.input_shape, tch::Kind::Float, device, |xs, observe| {
            self.forward_observed(xs, false, 0.0, true, observe).map(drop)
        })
    }

    /// Runs the network; `drop_prob` is the drop-path probability (training only).
    pub fn forward_t(&self, xs: &Tensor, train: bool, drop_prob: f64) -> Result<EvalOutput> {
        self.forward_observed(xs, train, drop_prob, train, &mut |_, _| {})
    }

    /// The forward pass, running the auxiliary head (if any) when `auxiliary` and showing
    /// `observe` each layer's output.
    fn forward_observed(
        &self,
        xs: &Tensor,
        train: bool,
        drop_prob: f64,
        auxiliary: bool,
        observe: &mut dyn FnMut(Layer, &Tensor),
    ) -> Result<EvalOutput> {
        let s = self.stem.forward_t(xs, train);
        observe(Layer::Stem, &s);
        let (mut s0, mut s1) = (s.shallow_clone(), s);
        let mut auxiliary_out = None;
        for (index, cell) in self.cells.iter().enumerate() {
            let out = cell.forward_t(&s0, &s1, drop_prob, train)?;
            observe(Layer::Cell { index, reduction: cell.is_reduction() }, &out);
            (s0, s1) = (s1, out);
            if auxiliary && index == self.config.auxiliary_after() {
                if let Some(head) = &self.auxiliary {
                    let out = head.forward_t(&s1, train);
                    observe(Layer::Auxiliary, &out);
                    auxiliary_out = Some(out);
                }
            }
        }
        let pooled = global_pool(&s1, self.config.layout);
        let heads: Vec<Tensor> = self.heads.iter().map(|head| head.forward(&pooled)).collect();
        for (task, out) in heads.iter().enumerate() {
            observe(Layer::Head(task), out);
        }
        Ok(EvalOutput { heads, auxiliary: auxiliary_out })
    }
}
