//! `darts-host new-plugin` writes a crate that builds on its own, passes the plugin checks
//! and loads into an unchanged darts-host.
//!
//! The crate is built outside the workspace, as a plugin author would build it, into
//! `target/plugin-builds` (its first build compiles tch, about 2.5 minutes on 2 cores; the
//! crates of the other layouts then take seconds each).

use std::fs;

use darts_tests::{cargo_outside, run_host};

/// Scaffolds a plugin of `layout`, builds it and runs its own test outside the workspace, and
/// returns what `darts-host plugins` lists with it loaded.
fn scaffold_build_and_list(name: &str, layout: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let output = run_host(&[
        "-q",
        "new-plugin",
        name,
        "--layout",
        layout,
        "--dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let crate_dir = dir.path().join(name);
    for file in ["Cargo.toml", "build.rs", "src/lib.rs", "README.md"] {
        assert!(crate_dir.join(file).is_file(), "{file} missing");
    }

    // The same dependency versions as the workspace, all already downloaded.
    fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"), crate_dir.join("Cargo.lock"))
        .unwrap();
    cargo_outside(&crate_dir, &["test"]);
    let release = cargo_outside(&crate_dir, &["build"]);

    let library = release.join(format!("lib{name}.so"));
    let output = run_host(&["-q", "--plugin", library.to_str().unwrap(), "plugins"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The line of `listing` that names `primitive`, split into words.
fn listed<'a>(listing: &'a str, primitive: &str) -> Vec<&'a str> {
    let line = listing
        .lines()
        .find(|line| line.split_whitespace().next() == Some(primitive))
        .unwrap_or_else(|| panic!("{primitive} is not listed:\n{listing}"));
    line.split_whitespace().collect()
}

#[test]
fn a_scaffolded_plugin_of_each_layout_builds_passes_its_checks_and_loads() {
    for (name, layout, primitive) in [
        ("scaffolded_images", "image", "scaffolded_images:conv_3x3"),
        ("scaffolded_sequences", "sequence", "scaffolded_sequences:conv_3"),
        ("scaffolded_tables", "flat", "scaffolded_tables:scaled_linear"),
    ] {
        let listing = scaffold_build_and_list(name, layout);
        assert_eq!(listed(&listing, primitive)[1], layout, "{listing}");
    }
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
