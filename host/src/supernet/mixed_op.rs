//! The mixed op: every candidate primitive on one edge, weighted by softmax(alpha).

use darts_plugin_api::{Layout, PrimitiveSpec};
use tch::nn::{self, ModuleT};
use tch::Tensor;

use crate::layers::pool_norm;
use crate::plugins::{EdgeOp, PrimitiveId, PrimitiveProvider, Result};

/// One candidate on an edge: the primitive, and the BatchNorm the reference code appends
/// to pooling primitives.
#[derive(Debug)]
struct Candidate {
    primitive: Box<dyn EdgeOp>,
    norm: Option<nn::BatchNorm>,
    /// A `none` primitive contributes `weight * 0` to the sum, whose value and gradients
    /// are zero whatever the weight; it is built and probed but not run.
    is_none: bool,
}

/// The softmax-weighted sum of all candidate primitives on one edge.
#[derive(Debug)]
pub struct MixedOp {
    candidates: Vec<Candidate>,
}

impl MixedOp {
    /// Builds every primitive of `primitives` at `channels` and `stride`, search-style
    /// (BatchNorm without affine parameters), with primitive `k` under `path / k`.
    pub fn new(
        path: &nn::Path,
        plugins: &dyn PrimitiveProvider,
        primitives: &[PrimitiveId],
        layout: Layout,
        channels: i64,
        stride: i64,
    ) -> Result<Self> {
        let spec = PrimitiveSpec::new(channels).with_stride(stride).with_affine(false);
        let mut candidates = Vec::with_capacity(primitives.len());
        for (k, id) in primitives.iter().enumerate() {
            let slot = path / k;
            let primitive = plugins.build_op(id, &slot, spec)?;
            let norm = id.name.contains("pool").then(|| pool_norm(&slot / "bn", layout, channels));
            candidates.push(Candidate { primitive, norm, is_none: id.name == "none" });
        }
        Ok(MixedOp { candidates })
    }

    /// `sum_k weights[k] * primitive_k(xs)`; `weights` is this edge's row of
    /// softmax(alpha), `[primitives]`. Returns `None` when every candidate is `none`.
    pub fn forward_t(&self, xs: &Tensor, weights: &Tensor, train: bool) -> Result<Option<Tensor>> {
        let mut sum: Option<Tensor> = None;
        for (k, candidate) in self.candidates.iter().enumerate() {
            if candidate.is_none {
                continue;
            }
            let mut out = candidate.primitive.forward_t(xs, train)?;
            if let Some(norm) = &candidate.norm {
                out = norm.forward_t(&out, train);
            }
            let term = out * weights.get(k as i64);
            sum = Some(match sum {
                Some(total) => total + term,
                None => term,
            });
        }
        Ok(sum)
    }
}
