//! The two things a plugin library exports: the version header and the root module.

use abi_stable::library::RootModule;
use abi_stable::sabi_types::VersionStrings;
use abi_stable::std_types::{RResult, RStr, RString, RVec};
use abi_stable::StableAbi;

use crate::primitive::{BuiltPrimitive, PrimitiveInfo, PrimitiveSpec};

/// The symbol under which a plugin exports [`PluginHeader`]'s constructor.
pub const HEADER_SYMBOL: &[u8] = b"darts_plugin_header\0";

/// The signature of the function exported as [`HEADER_SYMBOL`].
pub type HeaderFn = extern "C" fn() -> PluginHeader;

/// The first thing the host reads from a library: which plugin API and which libtorch it
/// was built against.
///
/// The host reads this before anything else, so it can name both versions when they do not
/// match rather than fail later on a layout difference or a missing libtorch symbol.
///
/// ABI: frozen. Its layout may never change in any version of the plugin API, so that every
/// host can read every plugin's header. The strings are UTF-8, NUL-padded.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluginHeader {
    /// Always [`PluginHeader::MAGIC`]; anything else is not a darts plugin.
    pub magic: [u8; 8],
    /// The version of the `darts-plugin-api` crate the plugin was compiled with.
    pub api_version: [u8; 32],
    /// The libtorch version the plugin was compiled against, `major.minor.patch`.
    pub torch_version: [u8; 32],
}

impl PluginHeader {
    /// The bytes that open every header.
    pub const MAGIC: [u8; 8] = *b"DARTSPLG";

    /// The header describing the code it is compiled into.
    pub const fn current() -> Self {
        PluginHeader::new(crate::API_VERSION, crate::TORCH_VERSION)
    }

    /// A header with the given versions; strings longer than 31 bytes are cut.
    pub const fn new(api_version: &str, torch_version: &str) -> Self {
        PluginHeader {
            magic: Self::MAGIC,
            api_version: pad(api_version),
            torch_version: pad(torch_version),
        }
    }

    /// The plugin-api version as text.
    pub fn api_version(&self) -> String {
        unpad(&self.api_version)
    }

    /// The libtorch version as text.
    pub fn torch_version(&self) -> String {
        unpad(&self.torch_version)
    }
}

const fn pad(text: &str) -> [u8; 32] {
    let bytes = text.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < bytes.len() && i < 31 {
        out[i] = bytes[i];
        i += 1;
    }
    out
}

fn unpad(bytes: &[u8; 32]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// The root module of a plugin: its identity and the two calls the host makes.
///
/// This is an abi_stable prefix type: a later plugin-api version may append fields after
/// the last prefix field, and a host reading an older plugin sees them as absent.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginModRef)))]
#[sabi(missing_field(panic))]
pub struct PluginMod {
    /// The plugin's name, used to qualify its primitives (`conv2d:sep_conv_3x3`).
    pub name: RStr<'static>,
    /// The plugin crate's own version, shown in listings and recorded with models.
    pub version: RStr<'static>,
    /// Lists the primitives the plugin offers, in registration order.
    pub primitives: extern "C" fn() -> RVec<PrimitiveInfo>,
    /// Builds the named primitive from a spec; an unknown name, a failed build or a panic
    /// comes back as an error message.
    #[sabi(last_prefix_field)]
    pub build:
        extern "C" fn(name: RStr<'_>, spec: PrimitiveSpec) -> RResult<BuiltPrimitive, RString>,
}

impl RootModule for PluginModRef {
    abi_stable::declare_root_module_statics! {PluginModRef}
    const BASE_NAME: &'static str = "darts_plugin";
    const NAME: &'static str = "darts plugin";
    const VERSION_STRINGS: VersionStrings = abi_stable::package_version_strings!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips_versions() {
        let header = PluginHeader::new("0.1.0", "2.13.0");
        assert_eq!(header.api_version(), "0.1.0");
        assert_eq!(header.torch_version(), "2.13.0");
        assert_eq!(header.magic, PluginHeader::MAGIC);
    }

    #[test]
    fn export_macro_uses_abi_stables_loader_symbol() {
        // `export_plugin!` spells the loader symbol out because a macro cannot compute an
        // identifier; this catches an abi_stable upgrade that renames it.
        assert_eq!(
            crate::__private::ROOT_MODULE_LOADER_NAME,
            "_1as_0lib_1header_0root_bmodule_bloader"
        );
    }
}
