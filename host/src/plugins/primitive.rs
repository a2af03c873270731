//! A primitive built by a plugin, as the host holds and calls it.

use std::path::PathBuf;

use abi_stable::std_types::{RResult, RStr};
use darts_plugin_api::{Layout, PrimitiveBox, PrimitiveSpec, RTensor};
use tch::{nn, Tensor};

use super::error::{PluginError, Result};
use super::loader::LoadedPlugin;
use super::provider::EdgeOp;

/// The spatial size of each axis of the probe input.
const PROBE_SIZE: i64 = 8;

/// One built primitive. Its parameters and buffers live in the host's variable store,
/// under the path it was built at; the plugin computes with the same storage.
pub struct Primitive {
    object: PrimitiveBox,
    plugin: String,
    name: String,
    path: PathBuf,
    layout: Layout,
    parameters: i64,
}

impl std::fmt::Debug for Primitive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Primitive")
            .field("plugin", &self.plugin)
            .field("name", &self.name)
            .field("layout", &self.layout)
            .field("parameters", &self.parameters)
            .finish()
    }
}

impl Primitive {
    /// Builds `name` from `plugin`, adopts every variable it created under `path` (keeping
    /// the plugin's names, `op.1.weight` becoming `path/op/1/weight`) and runs one probe
    /// forward in evaluation mode on a small random input, so that a primitive whose output
    /// does not fit its layout is refused here rather than deep inside a search.
    pub(super) fn build(
        plugin: &LoadedPlugin,
        name: &str,
        layout: Layout,
        path: &nn::Path,
        spec: PrimitiveSpec,
    ) -> Result<Primitive> {
        let built = match (plugin.module.build())(RStr::from_str(name), spec) {
            RResult::ROk(built) => built,
            RResult::RErr(message) => {
                return Err(PluginError::Build {
                    path: plugin.path.clone(),
                    plugin: plugin.name.clone(),
                    primitive: name.to_owned(),
                    message: message.into(),
                })
            }
        };

        let mut parameters = 0;
        for variable in built.variables {
            let tensor = variable.tensor.into_tensor();
            if variable.trainable {
                parameters += tensor.numel() as i64;
            }
            adopt(path, variable.name.as_str(), tensor, variable.trainable);
        }

        let primitive = Primitive {
            object: built.object,
            plugin: plugin.name.clone(),
            name: name.to_owned(),
            path: plugin.path.clone(),
            layout,
            parameters,
        };
        primitive.probe(spec)?;
        Ok(primitive)
    }

    /// Runs the primitive. `input` and the output are laid out as [`Primitive::layout`]
    /// says, with the same channels; stride 2 halves each spatial axis.
    pub fn forward_t(&self, input: &Tensor, train: bool) -> Result<Tensor> {
        match self.object.forward(RTensor::new(input.shallow_clone()), train) {
            RResult::ROk(output) => Ok(output.into_tensor()),
            RResult::RErr(message) => Err(PluginError::Forward {
                path: self.path.clone(),
                plugin: self.plugin.clone(),
                primitive: self.name.clone(),
                message: message.into(),
            }),
        }
    }

    /// The layout the primitive reads and writes.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The number of trainable parameters it created.
    pub fn parameter_count(&self) -> i64 {
        self.parameters
    }

    /// The name of the plugin that built it.
    pub fn plugin(&self) -> &str {
        &self.plugin
    }

    /// Its name within the plugin.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn probe(&self, spec: PrimitiveSpec) -> Result<()> {
        let spatial = self.layout.spatial_dims();
        let mut input_shape = vec![2, spec.channels];
        input_shape.extend(std::iter::repeat_n(PROBE_SIZE, spatial));
        let mut expected = vec![2, spec.channels];
        expected.extend(std::iter::repeat_n((PROBE_SIZE + spec.stride - 1) / spec.stride, spatial));

        let input = Tensor::randn(&input_shape, (spec.precision.kind(), spec.tch_device()));
        let output = tch::no_grad(|| self.forward_t(&input, false)).map_err(|err| match err {
            PluginError::Forward { path, plugin, primitive, message } => {
                PluginError::Build { path, plugin, primitive, message }
            }
            other => other,
        })?;

        let got = output.size();
        if got != expected {
            return Err(self.probe_error(format!(
                "on a {} input of shape {input_shape:?} at stride {} it returned shape {got:?}, \
                 expected {expected:?}",
                self.layout, spec.stride
            )));
        }
        if output.kind() != spec.precision.kind() {
            return Err(self.probe_error(format!(
                "it returned {:?} values for {:?} input",
                output.kind(),
                spec.precision.kind()
            )));
        }
        Ok(())
    }

    fn probe_error(&self, message: String) -> PluginError {
        PluginError::Probe {
            path: self.path.clone(),
            plugin: self.plugin.clone(),
            primitive: self.name.clone(),
            message,
        }
    }
}

/// Adds a plugin-created tensor to the host's variable store. The name's `.`-separated
/// parts become path levels, since a tch variable name may not contain the separator.
fn adopt(path: &nn::Path, name: &str, tensor: Tensor, trainable: bool) {
    let mut parts: Vec<&str> = name.split('.').collect();
    let leaf = parts.pop().unwrap_or(name);
    let mut target = path.clone();
    for part in parts {
        target = &target / part;
    }
    // The returned handle is another reference to the same variable; the store keeps one.
    let _ = target.add(leaf, tensor, trainable);
}

impl EdgeOp for Primitive {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Result<Tensor> {
        Primitive::forward_t(self, xs, train)
    }
}
