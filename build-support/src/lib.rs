//! Build-script helper shared by every darts crate that links libtorch.
//!
//! torch-sys finds libtorch through the `LIBTORCH` environment variable but records no
//! run-time search path in what it links, so a binary built against a cached libtorch
//! would fail to start unless the user set `LD_LIBRARY_PATH`. [`link_libtorch`] adds an
//! rpath to the same folder torch-sys linked against, for binaries, test executables and
//! `cdylib` plugins alike.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

/// Emits the rpath to libtorch's `lib/` folder and exports the libtorch version it found as
/// the compile-time variable `DARTS_LIBTORCH_VERSION`. Call it from `build.rs`.
///
/// Without `LIBTORCH` set the build still goes on (torch-sys will report the problem in its
/// own words), and the version is recorded as `unknown`.
pub fn link_libtorch() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    let Some(root) = env::var_os("LIBTORCH").map(PathBuf::from) else {
        println!("cargo:rustc-env=DARTS_LIBTORCH_VERSION=unknown");
        return;
    };

    let lib = root.join("lib");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    let version = libtorch_version(&root).unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=DARTS_LIBTORCH_VERSION={version}");
}

/// Reads `major.minor.patch` from the version header of a libtorch install.
///
/// Recent releases keep the numbers in `torch/headeronly/version.h`; older ones in the C++
/// API's `torch/version.h`.
fn libtorch_version(root: &Path) -> Option<String> {
    let candidates =
        ["include/torch/headeronly/version.h", "include/torch/csrc/api/include/torch/version.h"];
    candidates.iter().find_map(|relative| {
        let header = root.join(relative);
        println!("cargo:rerun-if-changed={}", header.display());
        let text = fs::read_to_string(&header).ok()?;
        let number = |name: &str| -> Option<u32> {
            text.lines().find_map(|line| {
                let rest = line.trim().strip_prefix("#define ")?.strip_prefix(name)?;
                rest.trim().parse().ok()
            })
        };
        let major = number("TORCH_VERSION_MAJOR")?;
        let minor = number("TORCH_VERSION_MINOR")?;
        let patch = number("TORCH_VERSION_PATCH")?;
        Some(format!("{major}.{minor}.{patch}"))
    })
}

#[cfg(test)]
mod tests {
    use super::libtorch_version;
    use std::fs;

    #[test]
    fn reads_the_version_from_the_header_of_recent_releases() {
        let root = std::env::temp_dir().join(format!("darts-build-test-{}", std::process::id()));
        let header = root.join("include/torch/headeronly/version.h");
        fs::create_dir_all(header.parent().unwrap()).unwrap();
        fs::write(
            &header,
            "#pragma once\n#define TORCH_VERSION_MAJOR 2\n#define TORCH_VERSION_MINOR 13\n\
             #define TORCH_VERSION_PATCH 0\n#define TORCH_VERSION_ABI_TAG 0\n",
        )
        .unwrap();
        assert_eq!(libtorch_version(&root).as_deref(), Some("2.13.0"));
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn no_header_means_no_version() {
        assert_eq!(libtorch_version(std::path::Path::new("/nonexistent")), None);
    }
}
