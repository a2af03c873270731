//! Finding a plugin file and loading it through the version handshake and abi_stable's
//! layout check.

use std::env;
use std::path::{Path, PathBuf};

use abi_stable::library::{lib_header_from_raw_library, LibraryError, RawLibrary};
use darts_plugin_api::{
    api_compatible, HeaderFn, PluginHeader, PluginModRef, PrimitiveInfo, API_VERSION,
    HEADER_SYMBOL, TORCH_VERSION,
};

use super::error::{PluginError, Result};

/// The environment variable holding extra folders, `:`-separated, where bare plugin names
/// are looked up.
pub const PLUGIN_PATH_VAR: &str = "DARTS_PLUGIN_PATH";

/// A plugin loaded for the life of the process.
pub struct LoadedPlugin {
    /// The file it was loaded from.
    pub path: PathBuf,
    /// The plugin's name, which qualifies its primitives.
    pub name: String,
    /// The plugin crate's version.
    pub version: String,
    /// Its primitives, in the plugin's order.
    pub primitives: Vec<PrimitiveInfo>,
    pub(super) module: PluginModRef,
}

impl std::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPlugin")
            .field("path", &self.path)
            .field("name", &self.name)
            .field("version", &self.version)
            .field("primitives", &self.primitives.len())
            .finish_non_exhaustive()
    }
}

/// Turns what the user gave to `--plugin` into a file.
///
/// Anything with a `/`, or that exists as given, is a path. Otherwise it is a name: `conv1d`
/// and `libconv1d.so` both mean the file `libconv1d.so`, looked up in the folders of
/// `DARTS_PLUGIN_PATH` and then in the folder holding the running binary.
pub fn resolve(given: &str) -> Result<PathBuf> {
    let as_path = Path::new(given);
    if given.contains('/') || as_path.exists() {
        return if as_path.exists() {
            Ok(as_path.to_path_buf())
        } else {
            Err(PluginError::NotFound { path: as_path.to_path_buf() })
        };
    }

    let file_name =
        if given.ends_with(".so") { given.to_owned() } else { format!("lib{given}.so") };
    let folders = search_folders();
    folders
        .iter()
        .map(|folder| folder.join(&file_name))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| PluginError::NameNotFound {
            name: given.to_owned(),
            searched: folders
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// The folders searched for bare plugin names, in order.
fn search_folders() -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = env::var_os(PLUGIN_PATH_VAR)
        .map(|value| env::split_paths(&value).collect())
        .unwrap_or_default();
    if let Some(beside_binary) =
        env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_path_buf))
    {
        folders.push(beside_binary);
    }
    folders.retain(|folder| !folder.as_os_str().is_empty());
    folders
}

/// Loads the plugin at `path`. The library stays loaded until the process ends.
///
/// Order of checks: the file exists; it is a shared library; it exports the frozen darts
/// header; the header's plugin-api and libtorch versions match the host's; abi_stable
/// accepts the root module's layout. Each failure names the file and what to do.
pub fn load(path: &Path) -> Result<LoadedPlugin> {
    if !path.exists() {
        return Err(PluginError::NotFound { path: path.to_path_buf() });
    }
    let library = RawLibrary::load_at(path).map_err(|err| {
        // The loader's own words; abi_stable's wrapper around them only repeats the path.
        let reason = match err {
            LibraryError::OpenError { err, .. } => err.to_string(),
            other => other.to_string(),
        };
        PluginError::NotALibrary { path: path.to_path_buf(), reason: loader_message(&reason) }
    })?;

    // SAFETY: every darts plugin exports `darts_plugin_header` with the `HeaderFn`
    // signature, a layout frozen for all plugin-api versions. A library exporting that name
    // with another meaning is not something we can detect, and is a deliberately broken
    // plugin. The symbol is only used while `library` is alive.
    let header: PluginHeader = match unsafe { library.get::<HeaderFn>(HEADER_SYMBOL) } {
        Ok(symbol) => (*symbol)(),
        Err(_) => return Err(PluginError::NotAPlugin { path: path.to_path_buf() }),
    };
    if header.magic != PluginHeader::MAGIC {
        return Err(PluginError::NotAPlugin { path: path.to_path_buf() });
    }
    if !api_compatible(API_VERSION, &header.api_version()) {
        return Err(PluginError::ApiMismatch {
            path: path.to_path_buf(),
            plugin: header.api_version(),
            host: API_VERSION.to_owned(),
        });
    }
    if header.torch_version() != TORCH_VERSION {
        return Err(PluginError::TorchMismatch {
            path: path.to_path_buf(),
            plugin: header.torch_version(),
            host: TORCH_VERSION.to_owned(),
        });
    }

    let incompatible = |err: LibraryError| PluginError::Incompatible {
        path: path.to_path_buf(),
        reason: one_line(&err.to_string()),
    };
    // SAFETY: the root-module symbol is read while `library` is alive, and the library is
    // never unloaded (it is forgotten below), so the `'static` header it returns stays
    // valid for the life of the process.
    let lib_header = unsafe { lib_header_from_raw_library(&library) }.map_err(incompatible)?;
    let module = lib_header.init_root_module::<PluginModRef>().map_err(incompatible)?;
    // Unloading a library that holds Rust thread-locals or libtorch registrations is
    // unsound; plugins stay loaded for the life of the process.
    std::mem::forget(library);

    let plugin = LoadedPlugin {
        path: path.to_path_buf(),
        name: module.name().to_string(),
        version: module.version().to_string(),
        primitives: module.primitives()().into_iter().collect(),
        module,
    };
    tracing::info!(
        plugin = %plugin.name,
        version = %plugin.version,
        primitives = plugin.primitives.len(),
        path = %plugin.path.display(),
        "plugin loaded"
    );
    Ok(plugin)
}

/// The dynamic loader's message without the path it repeats, and with a hint where the
/// cause is usually a libtorch built differently from the host's.
fn loader_message(message: &str) -> String {
    let message = one_line(message);
    let message = message.rsplit_once(".so: ").map_or(message.as_str(), |(_, rest)| rest);
    if message.contains("undefined symbol") {
        format!("{message}; the plugin may have been built against another libtorch")
    } else {
        message.to_owned()
    }
}

/// Multi-line text (abi_stable's reports) folded into one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
