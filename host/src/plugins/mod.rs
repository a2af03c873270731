//! The host side of the plugin boundary: finding and loading plugin libraries, and
//! building and calling the primitives they offer.

mod error;
mod loader;
mod native;
mod primitive;
mod provider;
mod set;
mod trust;

pub use error::{PluginError, Result};
pub use loader::{load, resolve, LoadedPlugin, PLUGIN_PATH_VAR};
pub use native::NativeSet;
pub use primitive::Primitive;
pub use provider::{EdgeOp, PrimitiveProvider};
pub use set::{PluginSet, PrimitiveId, BUILT_IN};
pub use trust::{sha256_of, TrustPolicy};
