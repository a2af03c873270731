//! A search cell: two preprocessed inputs, intermediate nodes fed by mixed ops from every
//! earlier state, and the concatenation of the last nodes.

use tch::nn::{self, ModuleT};
use tch::Tensor;

use super::mixed_op::MixedOp;
use super::SupernetConfig;
use crate::layers::preprocess;
use crate::plugins::{PrimitiveProvider, Result};

/// The widths and role of one cell.
#[derive(Debug, Clone, Copy)]
pub struct CellShape {
    /// Channels of the output of the cell two back.
    pub c_prev_prev: i64,
    /// Channels of the output of the previous cell.
    pub c_prev: i64,
    /// Channels of each node of this cell.
    pub channels: i64,
    /// Whether this cell halves the spatial axes (its input edges have stride 2).
    pub reduction: bool,
    /// Whether the previous cell was a reduction cell, so the input two back is twice as
    /// large spatially and is brought down by a factorized reduce.
    pub reduction_prev: bool,
}

/// One cell of the supernet.
pub struct SearchCell {
    preprocess0: Box<dyn ModuleT>,
    preprocess1: Box<dyn ModuleT>,
    /// Mixed ops in edge order: node 0's inputs (states 0, 1), node 1's (0, 1, 2), ...
    edges: Vec<MixedOp>,
    nodes: usize,
    multiplier: usize,
    reduction: bool,
}

impl std::fmt::Debug for SearchCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchCell")
            .field("edges", &self.edges.len())
            .field("reduction", &self.reduction)
            .finish_non_exhaustive()
    }
}

impl SearchCell {
    /// Builds a cell of `config.nodes` nodes with the given shape.
    pub fn new(
        path: &nn::Path,
        plugins: &dyn PrimitiveProvider,
        config: &SupernetConfig,
        shape: CellShape,
    ) -> Result<Self> {
        let layout = config.layout;
        let preprocess0 = preprocess(
            &(path / "preprocess0"),
            layout,
            shape.c_prev_prev,
            shape.channels,
            shape.reduction_prev,
            false,
        );
        let preprocess1 =
            preprocess(&(path / "preprocess1"), layout, shape.c_prev, shape.channels, false, false);

        let mut edges = Vec::with_capacity(config.edges_per_cell());
        for node in 0..config.nodes {
            for input in 0..node + 2 {
                let stride = if shape.reduction && input < 2 { 2 } else { 1 };
                let edge = MixedOp::new(
                    &(path / "ops" / edges.len()),
                    plugins,
                    &config.primitives,
                    layout,
                    shape.channels,
                    stride,
                )?;
                edges.push(edge);
            }
        }
        Ok(SearchCell {
            preprocess0,
            preprocess1,
            edges,
            nodes: config.nodes,
            multiplier: config.multiplier,
            reduction: shape.reduction,
        })
    }

    /// Whether this is a reduction cell.
    pub fn is_reduction(&self) -> bool {
        self.reduction
    }

    /// Runs the cell on the outputs of the two previous cells. `weights` is
    /// softmax(alpha) for this cell's kind, `[edges, primitives]`. The output has
    /// `multiplier * channels` channels.
    pub fn forward_t(
        &self,
        s0: &Tensor,
        s1: &Tensor,
        weights: &Tensor,
        train: bool,
    ) -> Result<Tensor> {
        let mut states =
            vec![self.preprocess0.forward_t(s0, train), self.preprocess1.forward_t(s1, train)];
        let mut edge = 0;
        for _ in 0..self.nodes {
            let mut node: Option<Tensor> = None;
            for state in &states {
                let out = self.edges[edge].forward_t(state, &weights.get(edge as i64), train)?;
                edge += 1;
                node = match (node, out) {
                    (Some(total), Some(out)) => Some(total + out),
                    (None, out) => out,
                    (total, None) => total,
                };
            }
            // A node whose every edge is `none` is zero; its shape is that of a strided
            // edge's output, which a `none`-only search space cannot otherwise tell.
            let node = node.unwrap_or_else(|| zero_like_node(&states, self.reduction));
            states.push(node);
        }
        let last: Vec<&Tensor> = states[states.len() - self.multiplier..].iter().collect();
        Ok(Tensor::cat(&last, 1))
    }
}

/// The zero output of a node whose edges are all `none`.
fn zero_like_node(states: &[Tensor], reduction: bool) -> Tensor {
    let mut zero = states[1].zeros_like();
    if reduction {
        for axis in 2..zero.dim() as i64 {
            zero = zero.slice(axis, 0, None, 2);
        }
    }
    zero
}
