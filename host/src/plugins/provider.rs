//! What a network needs from wherever its primitives come from.

use darts_plugin_api::PrimitiveSpec;
use tch::{nn, Tensor};

use super::error::Result;
use super::set::PrimitiveId;

/// One built primitive on an edge, callable by the network.
pub trait EdgeOp: std::fmt::Debug {
    /// Runs the primitive on `xs`; see [`Primitive::forward_t`](super::Primitive::forward_t).
    fn forward_t(&self, xs: &Tensor, train: bool) -> Result<Tensor>;
}

/// Builds primitives by id, their variables under a path of the caller's store.
///
/// [`PluginSet`](super::PluginSet) builds them through the plugin boundary;
/// [`NativeSet`](super::NativeSet) from code linked into the binary.
pub trait PrimitiveProvider {
    /// Builds primitive `id` for `spec` with its variables under `path`.
    fn build_op(
        &self,
        id: &PrimitiveId,
        path: &nn::Path,
        spec: PrimitiveSpec,
    ) -> Result<Box<dyn EdgeOp>>;
}
