//! A cell of an evaluation network: the genotype's edges only, each one primitive.

use darts_plugin_api::PrimitiveSpec;
use tch::nn::{self, ModuleT};
use tch::Tensor;

use super::drop_path::drop_path;
use super::EvalConfig;
use crate::genotype::CellGenotype;
use crate::layers::preprocess;
use crate::plugins::{EdgeOp, PrimitiveId, PrimitiveProvider, Result};
use crate::supernet::CellShape;

/// One edge of a cell: the primitive and the state it reads.
#[derive(Debug)]
struct Edge {
    op: Box<dyn EdgeOp>,
    input: usize,
    /// Drop path never applies to an identity edge, as in the reference code.
    identity: bool,
}

/// One cell built from a [`CellGenotype`]; BatchNorm layers have affine parameters.
pub struct EvalCell {
    preprocess0: Box<dyn ModuleT>,
    preprocess1: Box<dyn ModuleT>,
    edges: Vec<Edge>,
    concat: Vec<usize>,
    reduction: bool,
}

impl std::fmt::Debug for EvalCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvalCell")
            .field("edges", &self.edges)
            .field("concat", &self.concat)
            .field("reduction", &self.reduction)
            .finish_non_exhaustive()
    }
}

impl EvalCell {
    /// Builds the cell of `genotype`, whose primitives are already resolved to `ids` (one
    /// per edge, in order).
    pub fn new(
        path: &nn::Path,
        plugins: &dyn PrimitiveProvider,
        config: &EvalConfig,
        genotype: &CellGenotype,
        ids: &[PrimitiveId],
        shape: CellShape,
    ) -> Result<Self> {
        let layout = config.layout;
        let preprocess0 = preprocess(
            &(path / "preprocess0"),
            layout,
            shape.c_prev_prev,
            shape.channels,
            shape.reduction_prev,
            true,
        );
        let preprocess1 =
            preprocess(&(path / "preprocess1"), layout, shape.c_prev, shape.channels, false, true);

        let mut edges = Vec::with_capacity(genotype.edges.len());
        for (index, (edge, id)) in genotype.edges.iter().zip(ids).enumerate() {
            let stride = if shape.reduction && edge.input < 2 { 2 } else { 1 };
            let spec = PrimitiveSpec::new(shape.channels).with_stride(stride).with_affine(true);
            let op = plugins.build_op(id, &(path / "ops" / index), spec)?;
            let identity = id.name == "skip_connect" && stride == 1;
            edges.push(Edge { op, input: edge.input, identity });
        }
        Ok(EvalCell {
            preprocess0,
            preprocess1,
            edges,
            concat: genotype.concat.clone(),
            reduction: shape.reduction,
        })
    }

    /// How many nodes the output concatenates.
    pub fn multiplier(&self) -> usize {
        self.concat.len()
    }

    /// Whether this is a reduction cell.
    pub fn is_reduction(&self) -> bool {
        self.reduction
    }

    /// Runs the cell; in training, each non-identity edge's output is dropped per example
    /// with probability `drop_prob`.
    pub fn forward_t(
        &self,
        s0: &Tensor,
        s1: &Tensor,
        drop_prob: f64,
        train: bool,
    ) -> Result<Tensor> {
        let mut states =
            vec![self.preprocess0.forward_t(s0, train), self.preprocess1.forward_t(s1, train)];
        for pair in self.edges.chunks(2) {
            let mut node: Option<Tensor> = None;
            for edge in pair {
                let mut out = edge.op.forward_t(&states[edge.input], train)?;
                if train && drop_prob > 0.0 && !edge.identity {
                    out = drop_path(&out, drop_prob);
                }
                node = Some(match node {
                    Some(sum) => sum + out,
                    None => out,
                });
            }
            states.push(node.expect("every node has two edges"));
        }
        let chosen: Vec<&Tensor> = self.concat.iter().map(|&i| &states[i]).collect();
        Ok(Tensor::cat(&chosen, 1))
    }
}
