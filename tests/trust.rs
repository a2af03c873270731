//! Which plugin files the host agrees to open: files and folders other users can write are
//! refused unless the user overrides it, and a config can pin plugin files by SHA-256.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use darts_host::plugins::sha256_of;
use darts_tests::{error_line, plugin_path, run_host, run_host_with_env};

/// A copy of the linear plugin in a new private folder under `root`, with `file_mode` on
/// the file and `folder_mode` on its folder.
fn plugin_copy(root: &Path, folder_mode: u32, file_mode: u32) -> PathBuf {
    let folder = root.join("plugins");
    fs::create_dir(&folder).unwrap();
    let file = folder.join("liblinear.so");
    fs::copy(plugin_path("linear"), &file).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(file_mode)).unwrap();
    fs::set_permissions(&folder, fs::Permissions::from_mode(folder_mode)).unwrap();
    file
}

fn list(plugin: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["--plugin", plugin.to_str().unwrap()];
    args.extend(extra);
    args.push("plugins");
    run_host(&args)
}

fn assert_refused(output: &Output, fragments: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "expected exit code 2:\n{stderr}");
    for fragment in fragments {
        assert!(stderr.contains(fragment), "`{fragment}` missing from:\n{stderr}");
    }
}

fn assert_loads(output: &Output) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("linear:linear_block"));
}

#[test]
fn a_private_plugin_file_loads() {
    let root = tempfile::tempdir().unwrap();
    assert_loads(&list(&plugin_copy(root.path(), 0o755, 0o755), &[]));
}

#[test]
fn a_plugin_file_other_users_can_write_is_refused_saying_how_to_fix_it() {
    let root = tempfile::tempdir().unwrap();
    let plugin = plugin_copy(root.path(), 0o755, 0o666);
    assert_refused(
        &list(&plugin, &[]),
        &[
            "refusing to load plugin",
            "liblinear.so",
            "writable by other users (mode 666)",
            "chmod go-w",
            "--allow-writable-plugins",
        ],
    );
    let group_only = root.path().join("group");
    fs::create_dir(&group_only).unwrap();
    let plugin = plugin_copy(&group_only, 0o755, 0o775);
    assert_refused(&list(&plugin, &[]), &["writable by other users (mode 775)"]);
}

#[test]
fn a_plugin_in_a_folder_other_users_can_write_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let plugin = plugin_copy(root.path(), 0o777, 0o755);
    assert_refused(&list(&plugin, &[]), &["its folder", "plugins", "mode 777", "replace the file"]);
}

#[test]
fn a_sticky_shared_folder_is_accepted_for_ones_own_file() {
    // As in /tmp: everyone may create files, but only a file's owner may replace it.
    let root = tempfile::tempdir().unwrap();
    assert_loads(&list(&plugin_copy(root.path(), 0o1777, 0o644), &[]));
}

#[test]
fn the_override_loads_a_writable_plugin_with_a_warning() {
    let root = tempfile::tempdir().unwrap();
    let plugin = plugin_copy(root.path(), 0o777, 0o666);
    let output = list(&plugin, &["--allow-writable-plugins"]);
    assert_loads(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("WARN") && stderr.contains("writable by other users"), "{stderr}");

    let args = ["--plugin", plugin.to_str().unwrap(), "plugins"];
    assert_loads(&run_host_with_env(&args, &[("DARTS_ALLOW_WRITABLE_PLUGINS", "true")]));
}

/// `darts-host describe` with the config `config` (which pins plugins) and the copied
/// plugin: describe reads the config and builds the supernet, nothing more.
fn describe_with_pins(root: &Path, plugin: &Path, config: &str) -> Output {
    let path = root.join("config.toml");
    fs::write(&path, config).unwrap();
    run_host(&[
        "--plugin",
        plugin.to_str().unwrap(),
        "describe",
        "--config",
        path.to_str().unwrap(),
        "--input-shape",
        "6",
        "--classes",
        "2",
        "--cells",
        "1",
        "--channels",
        "4",
    ])
}

#[test]
fn a_plugin_pinned_by_sha256_loads_only_while_its_digest_matches() {
    let root = tempfile::tempdir().unwrap();
    let plugin = plugin_copy(root.path(), 0o755, 0o755);
    let digest = sha256_of(&plugin).unwrap();

    // `darts-host plugins` prints the digest to pin.
    let listing = list(&plugin, &[]);
    assert!(String::from_utf8_lossy(&listing.stdout).contains(&format!("sha256 {digest}")));

    let pinned = format!("[plugin_sha256]\n\"liblinear.so\" = \"{digest}\"\n");
    let output = describe_with_pins(root.path(), &plugin, &pinned);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));

    let by_path = format!("[plugin_sha256]\n\"{}\" = \"{digest}\"\n", plugin.display());
    let output = describe_with_pins(root.path(), &plugin, &by_path);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));

    let wrong = format!("[plugin_sha256]\n\"liblinear.so\" = \"{}\"\n", "ab".repeat(32));
    assert_refused(
        &describe_with_pins(root.path(), &plugin, &wrong),
        &[
            "refusing to load plugin",
            "liblinear.so",
            &format!("its SHA-256 is {digest}"),
            &format!("pins {}", "ab".repeat(32)),
        ],
    );
}

#[test]
fn a_pin_that_is_not_a_digest_is_refused_before_any_plugin_is_opened() {
    let root = tempfile::tempdir().unwrap();
    let plugin = plugin_copy(root.path(), 0o755, 0o755);
    let output =
        describe_with_pins(root.path(), &plugin, "[plugin_sha256]\n\"liblinear.so\" = \"abc\"\n");
    assert_refused(&output, &["plugin_sha256", "64 hexadecimal digits", "`abc`"]);
}

#[test]
fn a_resumed_search_checks_the_pins_of_its_own_config() {
    let root = tempfile::tempdir().unwrap();
    let plugin = plugin_copy(root.path(), 0o755, 0o755);
    let digest = sha256_of(&plugin).unwrap();
    let config = root.path().join("config.toml");
    fs::write(&config, format!("[plugin_sha256]\n\"liblinear.so\" = \"{digest}\"\n")).unwrap();
    let run = root.path().join("run");
    let search = |extra: &[&str]| {
        let mut args = vec!["-q", "--plugin", plugin.to_str().unwrap(), "search"];
        args.extend(extra);
        run_host(&args)
    };
    let output = search(&[
        "--config",
        config.to_str().unwrap(),
        "--epochs",
        "1",
        "--cells",
        "1",
        "--channels",
        "4",
        "--nodes",
        "2",
        "--out",
        run.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));

    // The plugin file changes after the run: resuming refuses it by the run's own pin.
    let mut bytes = fs::read(&plugin).unwrap();
    bytes.extend(b"tampered");
    fs::write(&plugin, bytes).unwrap();
    let output = search(&["--resume", run.to_str().unwrap()]);
    assert_refused(&output, &["its SHA-256 is", "pins"]);
    // The refusal is added to the run's log; the run's results stay.
    let stderr = String::from_utf8_lossy(&output.stderr);
    let error = error_line(&stderr);
    let log = fs::read_to_string(run.join("search.log")).unwrap();
    assert!(log.contains("final genotype"), "the run's own lines are kept:\n{log}");
    assert!(log.contains(error), "the refusal is not in the run log:\n{log}");
    assert!(run.join("genotype.json").is_file());
}
