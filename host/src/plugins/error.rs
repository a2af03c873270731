//! What can go wrong when loading plugins and building or running their primitives.

use std::path::PathBuf;

/// An error from loading a plugin, resolving a primitive, or building or running one.
///
/// Every variant but [`PluginError::Forward`] is bad input: the plugin file or a name the
/// user gave is wrong, and the fix is on their side.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// A path to a plugin names nothing.
    #[error("plugin file {path} does not exist; build it (cargo build --release) or fix the path")]
    NotFound {
        /// The path as given.
        path: PathBuf,
    },
    /// The plugin file could be changed by another user.
    #[error(
        "refusing to load plugin {path}: {reason}. A plugin runs as native code with your \
         rights; pass --allow-writable-plugins only if you trust every user of this machine"
    )]
    Untrusted {
        /// The file.
        path: PathBuf,
        /// Who could change it, and how to fix that.
        reason: String,
    },
    /// The plugin file's SHA-256 differs from the config's pin.
    #[error(
        "refusing to load plugin {path}: its SHA-256 is {actual}, but the config pins \
         {expected}; the file changed since it was pinned. Check where it came from, then \
         update the pin in `plugin_sha256` (`darts-host plugins` prints the digests)"
    )]
    PinMismatch {
        /// The file.
        path: PathBuf,
        /// The pinned digest.
        expected: String,
        /// The file's digest.
        actual: String,
    },
    /// A bare plugin name was found in none of the search folders.
    #[error(
        "no plugin named `{name}` in {searched}; give its path, or add its folder to \
         DARTS_PLUGIN_PATH"
    )]
    NameNotFound {
        /// The name as given.
        name: String,
        /// The folders searched, joined for the message.
        searched: String,
    },
    /// The file could not be loaded as a shared library.
    #[error(
        "{path} could not be loaded as a shared library ({reason}); give a plugin built as a \
         cdylib (lib<name>.so)"
    )]
    NotALibrary {
        /// The file.
        path: PathBuf,
        /// What the dynamic loader said.
        reason: String,
    },
    /// The library loads but exports no darts plugin header.
    #[error(
        "{path} is a shared library but not a darts plugin (it exports no darts_plugin_header); \
         a plugin is built with darts_plugin_api::export_plugin!"
    )]
    NotAPlugin {
        /// The file.
        path: PathBuf,
    },
    /// The plugin was built against an incompatible plugin-api version.
    #[error(
        "{path} was built against plugin-api {plugin}, but this darts-host uses plugin-api \
         {host}; rebuild the plugin against plugin-api {host}"
    )]
    ApiMismatch {
        /// The file.
        path: PathBuf,
        /// The plugin's plugin-api version.
        plugin: String,
        /// The host's plugin-api version.
        host: String,
    },
    /// The plugin was built against another libtorch.
    #[error(
        "{path} was built against libtorch {plugin}, but this darts-host uses libtorch {host}; \
         rebuild the plugin with LIBTORCH pointing at libtorch {host}"
    )]
    TorchMismatch {
        /// The file.
        path: PathBuf,
        /// The plugin's libtorch version.
        plugin: String,
        /// The host's libtorch version.
        host: String,
    },
    /// abi_stable refused the plugin's root module.
    #[error("{path} has an incompatible plugin interface ({reason}); rebuild the plugin")]
    Incompatible {
        /// The file.
        path: PathBuf,
        /// abi_stable's explanation, first line.
        reason: String,
    },
    /// Two loaded plugins have the same name.
    #[error("two plugins are named `{name}`: {first} and {second}; load only one of them")]
    DuplicatePlugin {
        /// The shared name.
        name: String,
        /// The file loaded first.
        first: PathBuf,
        /// The file loaded second.
        second: PathBuf,
    },
    /// One plugin registers two primitives under the same name.
    #[error(
        "{path} registers the primitive `{plugin}:{primitive}` twice; give each primitive a \
         unique name in the plugin"
    )]
    DuplicatePrimitive {
        /// The plugin file.
        path: PathBuf,
        /// The plugin's name.
        plugin: String,
        /// The repeated primitive name.
        primitive: String,
    },
    /// A primitive name matches no loaded primitive.
    #[error("no loaded plugin offers a primitive `{name}` (loaded: {loaded}); check the name or load its plugin with --plugin")]
    UnknownPrimitive {
        /// The name as given.
        name: String,
        /// The loaded plugins, joined for the message.
        loaded: String,
    },
    /// A bare primitive name matches primitives of several plugins.
    #[error("the primitive name `{name}` is offered by several plugins ({candidates}); qualify it as plugin:primitive")]
    AmbiguousPrimitive {
        /// The name as given.
        name: String,
        /// The qualified names it could mean.
        candidates: String,
    },
    /// A primitive failed, or panicked, while being built.
    #[error("primitive `{plugin}:{primitive}` from {path} failed to build: {message}")]
    Build {
        /// The plugin file.
        path: PathBuf,
        /// The plugin's name.
        plugin: String,
        /// The primitive's name.
        primitive: String,
        /// What the plugin said.
        message: String,
    },
    /// A primitive's probe forward produced the wrong shape, or failed.
    #[error("primitive `{plugin}:{primitive}` from {path} is broken: {message}")]
    Probe {
        /// The plugin file.
        path: PathBuf,
        /// The plugin's name.
        plugin: String,
        /// The primitive's name.
        primitive: String,
        /// What went wrong.
        message: String,
    },
    /// A primitive failed, or panicked, in forward while running.
    #[error("primitive `{plugin}:{primitive}` from {path} failed in forward: {message}")]
    Forward {
        /// The plugin file.
        path: PathBuf,
        /// The plugin's name.
        plugin: String,
        /// The primitive's name.
        primitive: String,
        /// What the plugin said.
        message: String,
    },
}

impl PluginError {
    /// Whether the error is the user's input being wrong (exit code 2) rather than a failure
    /// while running (exit code 1).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, PluginError::Forward { .. })
    }
}

/// The result of plugin operations.
pub type Result<T, E = PluginError> = std::result::Result<T, E>;
