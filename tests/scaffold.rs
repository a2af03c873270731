//! `darts-host new-plugin` writes a crate that builds on its own, passes the plugin checks
//! and loads into an unchanged darts-host.
//!
//! The crate is built outside the workspace, as a plugin author would build it, into
//! `target/plugin-builds` (its first build compiles tch, about 2.5 minutes on 2 cores).

use std::fs;
use std::path::Path;
use std::process::Command;

use darts_tests::{profile_dir, run_host};

/// Runs cargo `args` in `dir` with the workspace's lock file and a shared target folder.
fn cargo(dir: &Path, args: &[&str]) {
    assert!(
        std::env::var_os("LIBTORCH").is_some(),
        "LIBTORCH is not set: run the tests through scripts/test.sh"
    );
    let target = profile_dir().parent().unwrap().join("plugin-builds");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(args)
        .args(["--release", "--offline"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo {args:?} in {} failed:\n{}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_scaffolded_plugin_builds_passes_its_checks_and_loads() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_host(&[
        "-q",
        "new-plugin",
        "scaffolded_images",
        "--layout",
        "image",
        "--dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let crate_dir = dir.path().join("scaffolded_images");
    for file in ["Cargo.toml", "build.rs", "src/lib.rs", "README.md"] {
        assert!(crate_dir.join(file).is_file(), "{file} missing");
    }

    // The same dependency versions as the workspace, all already downloaded.
    fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"), crate_dir.join("Cargo.lock"))
        .unwrap();
    cargo(&crate_dir, &["test"]);
    cargo(&crate_dir, &["build"]);

    let library =
        profile_dir().parent().unwrap().join("plugin-builds/release/libscaffolded_images.so");
    let output = run_host(&["-q", "--plugin", library.to_str().unwrap(), "plugins"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("scaffolded_images:conv_3x3  image"), "{stdout}");
}

#[test]
fn new_plugin_refuses_a_bad_name_and_an_existing_folder() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().to_str().unwrap();
    let output = run_host(&["-q", "new-plugin", "My-Plugin", "--dir", folder]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("My-Plugin"));

    fs::create_dir(dir.path().join("taken")).unwrap();
    fs::write(dir.path().join("taken/keep.txt"), "mine").unwrap();
    let output = run_host(&["-q", "new-plugin", "taken", "--dir", folder]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(fs::read_to_string(dir.path().join("taken/keep.txt")).unwrap(), "mine");
}
