//! Helpers shared by the integration tests: where the built binary and plugin libraries
//! are, and running the binary.
//!
//! The tests exercise the real artefacts, not the crates linked in: `darts-host` and the
//! `lib*.so` plugins that `cargo build --workspace` leaves in the profile folder (the one
//! holding this test executable's `deps/` folder). `scripts/test.sh` builds them first.
//! [`fuzz_inputs`] holds the bodies of the fuzz targets in `fuzz/`, for them and for
//! `tests/fuzz_corpus.rs`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use darts_host::plugins::PluginSet;

pub mod fuzz_inputs;

/// The profile folder (`target/release` or `target/debug`) the tests were built into.
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable has a path");
    let deps = exe.parent().expect("test executables live in deps/");
    deps.parent().expect("deps/ lives in the profile folder").to_path_buf()
}

/// The built library of a plugin of this workspace, such as `conv1d`.
///
/// Panics with what to run when it has not been built.
pub fn plugin_path(name: &str) -> PathBuf {
    let path = profile_dir().join(format!("lib{name}.so"));
    assert!(
        path.is_file(),
        "{} is missing: build the workspace first (scripts/test.sh does, or cargo build \
         --workspace with the same profile)",
        path.display()
    );
    path
}

/// The built `darts-host` binary.
pub fn host_binary() -> PathBuf {
    let path = profile_dir().join("darts-host");
    assert!(path.is_file(), "{} is missing: build the workspace first", path.display());
    path
}

/// Runs `darts-host` with `args`, with no plugin search path from the caller's environment.
pub fn run_host(args: &[&str]) -> Output {
    run_host_with_env(args, &[])
}

/// Runs `darts-host` with `args` and extra environment variables.
pub fn run_host_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(host_binary())
        .args(args)
        .env_remove("DARTS_PLUGIN_PATH")
        .env_remove("RUST_LOG")
        .env_remove("DARTS_FAULTY_MODE")
        .envs(env.iter().copied())
        .output()
        .expect("darts-host starts")
}

/// The line darts-host prints on `stderr` when a command fails (`darts-host: error: ...`).
pub fn error_line(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|line| line.starts_with("darts-host: error:"))
        .unwrap_or_else(|| panic!("no error line in:\n{stderr}"))
}

/// Asserts that the run folder `dir` of a refused run holds its log `log_name` and nothing
/// else, and that the log holds the error line printed on `stderr`.
pub fn assert_only_the_log(dir: &Path, log_name: &str, stderr: &str) {
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("a refused run keeps its log in {}: {err}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [log_name], "a refused run leaves only its log in {}", dir.display());
    let log = std::fs::read_to_string(dir.join(log_name)).unwrap();
    let error = error_line(stderr);
    assert!(log.contains(error), "{log_name} lacks `{error}`:\n{log}");
}

/// Loads built plugins of this workspace by name into one set.
pub fn load_plugins(names: &[&str]) -> PluginSet {
    let paths: Vec<String> =
        names.iter().map(|name| plugin_path(name).display().to_string()).collect();
    PluginSet::load(&paths).expect("the built-in plugins load")
}

/// Runs cargo `args` (with `--release --offline`) in `dir`, a crate outside the workspace,
/// building into `target/plugin-builds` so that such crates share one build of tch. Returns
/// that target folder's `release` folder.
///
/// Panics with cargo's output when it fails, or when `LIBTORCH` is not set.
pub fn cargo_outside(dir: &std::path::Path, args: &[&str]) -> PathBuf {
    assert!(
        std::env::var_os("LIBTORCH").is_some(),
        "LIBTORCH is not set: run the tests through scripts/test.sh"
    );
    let target = profile_dir().parent().expect("target/").join("plugin-builds");
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
    target.join("release")
}
