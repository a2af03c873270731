//! Which plugin files the host agrees to load.
//!
//! Loading a plugin runs its code with the user's rights, before any of its primitives is
//! called: a library's initializers run as it is opened. A file that another user can
//! write, or that sits in a folder where another user can replace it, hands them that
//! power, so such files are refused unless the user says they trust every user of the
//! machine. A config can also pin plugin files by SHA-256, so that a file changed since it
//! was reviewed is refused.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::error::{PluginError, Result};

/// The rules a plugin file must pass before it is opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustPolicy {
    /// Load files (and files in folders) that other users can write, with a warning.
    pub allow_writable: bool,
    /// Expected SHA-256 digests (hex) by file name (`libconv2d.so`) or by path as given.
    pub pins: BTreeMap<String, String>,
}

impl TrustPolicy {
    /// Checks `path` (as resolved from what the user gave) against the policy.
    pub fn check(&self, path: &Path) -> Result<()> {
        let real = fs::canonicalize(path)
            .map_err(|_| PluginError::NotFound { path: path.to_path_buf() })?;
        match writable_by_others(&real) {
            Some(reason) if self.allow_writable => {
                tracing::warn!(
                    "loading {} although {reason} (--allow-writable-plugins)",
                    real.display()
                );
            }
            Some(reason) => {
                return Err(PluginError::Untrusted { path: path.to_path_buf(), reason });
            }
            None => {}
        }
        if let Some(expected) = self.pin_for(path) {
            let actual = sha256_of(&real).map_err(|err| PluginError::NotALibrary {
                path: path.to_path_buf(),
                reason: err.to_string(),
            })?;
            if !actual.eq_ignore_ascii_case(expected.trim()) {
                return Err(PluginError::PinMismatch {
                    path: path.to_path_buf(),
                    expected: expected.trim().to_owned(),
                    actual,
                });
            }
            tracing::debug!("{}: SHA-256 matches its pin", path.display());
        }
        Ok(())
    }

    /// The pin for `path`: by the path as given, else by its file name.
    fn pin_for(&self, path: &Path) -> Option<&String> {
        let by_path = self.pins.get(&path.display().to_string());
        let name = path.file_name().and_then(|n| n.to_str());
        by_path.or_else(|| name.and_then(|n| self.pins.get(n)))
    }
}

/// The SHA-256 of a file's bytes, as lower-case hex.
pub fn sha256_of(path: &Path) -> std::io::Result<String> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect())
}

/// Why another user could change the code at `real` (a canonical path), if they could:
/// the file is writable by group or others or owned by another user, or its folder lets
/// others replace it (writable by group or others without the sticky bit).
fn writable_by_others(real: &Path) -> Option<String> {
    let me = current_uid();
    let file = fs::metadata(real).ok()?;
    let mode = file.permissions().mode();
    if mode & 0o022 != 0 {
        return Some(format!(
            "the file is writable by other users (mode {:o}); make it private with `chmod go-w \
             {}`",
            mode & 0o777,
            real.display()
        ));
    }
    if file.uid() != me && file.uid() != 0 {
        return Some(format!(
            "the file belongs to another user (uid {}), who can change it at any time",
            file.uid()
        ));
    }
    let folder = real.parent()?;
    let folder_meta = fs::metadata(folder).ok()?;
    let folder_mode = folder_meta.permissions().mode();
    let sticky = folder_mode & 0o1000 != 0;
    if folder_mode & 0o022 != 0 && !sticky {
        return Some(format!(
            "its folder {} is writable by other users (mode {:o}), who could replace the file; \
             move the plugin to a private folder or run `chmod go-w {}`",
            folder.display(),
            folder_mode & 0o777,
            folder.display()
        ));
    }
    None
}

fn current_uid() -> u32 {
    // SAFETY: geteuid takes no arguments, cannot fail and touches no memory of ours.
    unsafe { libc::geteuid() }
}
