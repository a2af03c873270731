//! Primitives compiled into the running binary rather than loaded from a plugin library.
//!
//! A binary that links a plugin crate as an ordinary Rust library carries that crate's
//! registrations; [`NativeSet`] builds them directly, without the ABI layer. The search
//! never needs this: it exists so benchmarks can measure what the plugin boundary costs,
//! by running one supernet built both ways.

use darts_plugin_api::registry::registrations;
use darts_plugin_api::{PrimitiveSpec, Registration};
use tch::nn::{self, ModuleT};
use tch::Tensor;

use super::error::{PluginError, Result};
use super::provider::{EdgeOp, PrimitiveProvider};
use super::set::PrimitiveId;

/// The primitives registered in this binary, named as if they came from plugin `plugin`.
#[derive(Debug)]
pub struct NativeSet {
    plugin: String,
    primitives: Vec<&'static Registration>,
}

impl NativeSet {
    /// Every primitive registered in the binary, qualified with `plugin`.
    pub fn linked(plugin: &str) -> Self {
        NativeSet { plugin: plugin.to_owned(), primitives: registrations() }
    }

    /// The ids of the primitives, in registration order.
    pub fn ids(&self) -> Vec<PrimitiveId> {
        self.primitives
            .iter()
            .map(|r| PrimitiveId { plugin: self.plugin.clone(), name: r.name.to_owned() })
            .collect()
    }
}

/// A natively built primitive: the module itself.
#[derive(Debug)]
struct NativeOp {
    module: Box<dyn ModuleT>,
}

impl EdgeOp for NativeOp {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Result<Tensor> {
        Ok(self.module.forward_t(xs, train))
    }
}

impl PrimitiveProvider for NativeSet {
    fn build_op(
        &self,
        id: &PrimitiveId,
        path: &nn::Path,
        spec: PrimitiveSpec,
    ) -> Result<Box<dyn EdgeOp>> {
        let registration = self
            .primitives
            .iter()
            .find(|r| id.plugin == self.plugin && r.name == id.name)
            .ok_or_else(|| PluginError::UnknownPrimitive {
                name: id.to_string(),
                loaded: format!("{} (linked)", self.plugin),
            })?;
        let module = (registration.build)(path, &spec).map_err(|err| PluginError::Build {
            path: "(linked into this binary)".into(),
            plugin: self.plugin.clone(),
            primitive: id.name.clone(),
            message: err.to_string(),
        })?;
        Ok(Box::new(NativeOp { module }))
    }
}
