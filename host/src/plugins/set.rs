//! The loaded plugins together: duplicate checks, primitive names and building.

use std::collections::HashMap;
use std::fmt;

use darts_plugin_api::{Layout, PrimitiveInfo, PrimitiveSpec};
use tch::nn;

use super::error::{PluginError, Result};
use super::loader::{self, LoadedPlugin};
use super::primitive::Primitive;
use super::provider::{EdgeOp, PrimitiveProvider};
use super::trust::TrustPolicy;

/// The plugins that ship with darts, loaded when the user names none.
pub const BUILT_IN: [&str; 3] = ["conv2d", "conv1d", "linear"];

/// A primitive addressed by plugin and name, written `plugin:primitive`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PrimitiveId {
    /// The plugin's name.
    pub plugin: String,
    /// The primitive's name within the plugin.
    pub name: String,
}

impl fmt::Display for PrimitiveId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.plugin, self.name)
    }
}

/// Every plugin loaded for this run.
#[derive(Debug, Default)]
pub struct PluginSet {
    plugins: Vec<LoadedPlugin>,
}

impl PluginSet {
    /// Resolves and loads each of `given` (paths or bare names, see [`loader::resolve`]),
    /// refusing two plugins of one name and a plugin that registers a name twice.
    pub fn load<S: AsRef<str>>(given: &[S]) -> Result<Self> {
        PluginSet::load_trusted(given, &TrustPolicy::default())
    }

    /// Like [`PluginSet::load`], checking each file against `policy` before opening it.
    pub fn load_trusted<S: AsRef<str>>(given: &[S], policy: &TrustPolicy) -> Result<Self> {
        let mut set = PluginSet::default();
        for item in given {
            let path = loader::resolve(item.as_ref())?;
            policy.check(&path)?;
            set.add(loader::load(&path)?)?;
        }
        Ok(set)
    }

    /// Adds a loaded plugin after the duplicate checks.
    pub fn add(&mut self, plugin: LoadedPlugin) -> Result<()> {
        if let Some(first) = self.plugins.iter().find(|p| p.name == plugin.name) {
            return Err(PluginError::DuplicatePlugin {
                name: plugin.name.clone(),
                first: first.path.clone(),
                second: plugin.path.clone(),
            });
        }
        let mut seen = HashMap::new();
        for info in &plugin.primitives {
            if seen.insert(info.name.as_str(), ()).is_some() {
                return Err(PluginError::DuplicatePrimitive {
                    path: plugin.path.clone(),
                    plugin: plugin.name.clone(),
                    primitive: info.name.to_string(),
                });
            }
        }
        self.plugins.push(plugin);
        Ok(())
    }

    /// The loaded plugins, in load order.
    pub fn plugins(&self) -> &[LoadedPlugin] {
        &self.plugins
    }

    /// Every primitive of every plugin, in load order.
    pub fn primitives(&self) -> impl Iterator<Item = (PrimitiveId, &PrimitiveInfo)> {
        self.plugins.iter().flat_map(|plugin| {
            plugin.primitives.iter().map(move |info| {
                (PrimitiveId { plugin: plugin.name.clone(), name: info.name.to_string() }, info)
            })
        })
    }

    /// Finds a primitive by `plugin:primitive`, or by a bare name that exactly one loaded
    /// plugin offers.
    pub fn resolve(&self, name: &str) -> Result<PrimitiveId> {
        let matches: Vec<PrimitiveId> = match name.split_once(':') {
            Some((plugin, primitive)) => self
                .primitives()
                .filter(|(id, _)| id.plugin == plugin && id.name == primitive)
                .map(|(id, _)| id)
                .collect(),
            None => self.primitives().filter(|(id, _)| id.name == name).map(|(id, _)| id).collect(),
        };
        match matches.len() {
            1 => Ok(matches.into_iter().next().expect("one match")),
            0 => Err(PluginError::UnknownPrimitive {
                name: name.to_owned(),
                loaded: self.plugin_names(),
            }),
            _ => Err(PluginError::AmbiguousPrimitive {
                name: name.to_owned(),
                candidates: matches.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            }),
        }
    }

    /// As [`PluginSet::resolve`], but a bare name only needs to be unique among the
    /// primitives of `layout`: `skip_connect` means `conv2d:skip_connect` in an image
    /// network even though `conv1d` and `linear` offer one too.
    pub fn resolve_for_layout(&self, name: &str, layout: Layout) -> Result<PrimitiveId> {
        if name.contains(':') {
            return self.resolve(name);
        }
        let matches: Vec<PrimitiveId> = self
            .primitives()
            .filter(|(id, info)| id.name == name && info.layout == layout)
            .map(|(id, _)| id)
            .collect();
        match matches.len() {
            1 => Ok(matches.into_iter().next().expect("one match")),
            0 => Err(PluginError::UnknownPrimitive {
                name: format!("{name} ({layout} layout)"),
                loaded: self.plugin_names(),
            }),
            _ => Err(PluginError::AmbiguousPrimitive {
                name: name.to_owned(),
                candidates: matches.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            }),
        }
    }

    /// The description of a resolved primitive.
    pub fn info(&self, id: &PrimitiveId) -> Option<&PrimitiveInfo> {
        self.plugin(&id.plugin)?.primitives.iter().find(|info| info.name.as_str() == id.name)
    }

    /// Builds a primitive, adopts its variables under `path` and checks its output shape
    /// with a probe forward in evaluation mode on a small random input.
    pub fn build(
        &self,
        id: &PrimitiveId,
        path: &nn::Path,
        spec: PrimitiveSpec,
    ) -> Result<Primitive> {
        let plugin = self.plugin(&id.plugin).ok_or_else(|| PluginError::UnknownPrimitive {
            name: id.to_string(),
            loaded: self.plugin_names(),
        })?;
        let layout = self.info(id).map(|info| info.layout).unwrap_or(Layout::Flat);
        Primitive::build(plugin, &id.name, layout, path, spec)
    }

    fn plugin(&self, name: &str) -> Option<&LoadedPlugin> {
        self.plugins.iter().find(|plugin| plugin.name == name)
    }

    fn plugin_names(&self) -> String {
        if self.plugins.is_empty() {
            return "none".to_owned();
        }
        self.plugins.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
    }
}

impl PrimitiveProvider for PluginSet {
    fn build_op(
        &self,
        id: &PrimitiveId,
        path: &nn::Path,
        spec: PrimitiveSpec,
    ) -> Result<Box<dyn EdgeOp>> {
        Ok(Box::new(self.build(id, path, spec)?))
    }
}
