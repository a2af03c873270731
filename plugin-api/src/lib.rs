//! The contract between the darts host and the plugins that provide its primitives.
//!
//! A *primitive* is one candidate operation on an edge of a DARTS cell. Plugins are
//! `cdylib` crates compiled separately from the host; they depend on this crate alone,
//! write ordinary tch code, register each primitive with [`primitive!`] and export
//! themselves with [`export_plugin!`]. The host loads them through [abi_stable], which
//! checks the layout of everything that crosses, after a frozen [`PluginHeader`] has told
//! it which plugin-api and libtorch versions the plugin was built against.
//!
//! Ownership: tensors cross as [`RTensor`] handles without a copy. A primitive's
//! parameters and buffers are handed to the host when it is built ([`BuiltPrimitive`]);
//! from then on the host trains, saves and moves them. Failures cross as error values:
//! a panic inside plugin code is caught on the plugin side and never unwinds.

mod macros;
mod module;
mod object;
mod primitive;
pub mod registry;
mod tensor;
pub mod testing;

pub use module::{HeaderFn, PluginHeader, PluginMod, PluginModRef, HEADER_SYMBOL};
pub use object::{PrimitiveBox, PrimitiveObj, PrimitiveObj_TO};
pub use primitive::{BuiltPrimitive, Layout, NamedTensor, Precision, PrimitiveInfo, PrimitiveSpec};
pub use registry::{BuildError, BuildFn, BuildResult, Registration};
pub use tensor::RTensor;

/// Re-exported so plugins write tch code against the same version as the host.
pub use tch;

/// The version of this crate, which a plugin reports in its header.
pub const API_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The libtorch version this crate was compiled against, `major.minor.patch`.
pub const TORCH_VERSION: &str = env!("DARTS_LIBTORCH_VERSION");

/// Whether a plugin built against plugin-api `plugin` can be loaded by a host built against
/// `host`: the same major version, and while it is 0, the same minor version.
pub fn api_compatible(host: &str, plugin: &str) -> bool {
    let parts = |version: &str| -> Option<(u64, u64)> {
        let mut numbers = version.split('.').map(|part| part.parse::<u64>().ok());
        Some((numbers.next()??, numbers.next()??))
    };
    match (parts(host), parts(plugin)) {
        (Some((0, host_minor)), Some((0, plugin_minor))) => host_minor == plugin_minor,
        (Some((host_major, _)), Some((plugin_major, _))) => host_major == plugin_major,
        _ => false,
    }
}

#[doc(hidden)]
pub mod __private {
    pub use abi_stable;
    pub use abi_stable::library::ROOT_MODULE_LOADER_NAME;
    pub use inventory;
}

#[cfg(test)]
mod tests {
    use super::api_compatible;

    #[test]
    fn api_compatibility_follows_semver() {
        assert!(api_compatible("0.1.0", "0.1.7"));
        assert!(!api_compatible("0.1.0", "0.2.0"));
        assert!(api_compatible("1.2.0", "1.0.3"));
        assert!(!api_compatible("1.2.0", "2.0.0"));
        assert!(!api_compatible("0.1.0", "garbage"));
    }
}
