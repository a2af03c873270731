//! Every kind of bad plugin input gets one line on stderr that names the file and says what
//! to do, and exit code 2: never a crash, an abort or a signal.

use std::fs;
use std::process::Output;

use darts_tests::{plugin_path, run_host, run_host_with_env};

/// Asserts exit code 2 and a single stderr line containing every fragment.
fn assert_refused(output: &Output, fragments: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "expected exit code 2; stderr:\n{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line on stderr, got:\n{stderr}");
    assert!(lines[0].starts_with("darts-host: error: "), "unexpected stderr: {stderr}");
    for fragment in fragments {
        assert!(lines[0].contains(fragment), "`{fragment}` missing from: {}", lines[0]);
    }
}

/// `darts-host --quiet --plugin <plugin> plugins`, with the faulty plugin's mode set.
fn list_with_faulty(mode: &str) -> Output {
    let faulty = plugin_path("faulty");
    run_host_with_env(
        &["--quiet", "--plugin", faulty.to_str().unwrap(), "plugins"],
        &[("DARTS_FAULTY_MODE", mode)],
    )
}

#[test]
fn missing_path_is_refused() {
    let output = run_host(&["-q", "--plugin", "/no/such/dir/libconv9d.so", "plugins"]);
    assert_refused(&output, &["/no/such/dir/libconv9d.so", "does not exist"]);
}

#[test]
fn unknown_bare_name_is_refused() {
    let output = run_host(&["-q", "--plugin", "conv9d", "plugins"]);
    assert_refused(&output, &["no plugin named `conv9d`", "DARTS_PLUGIN_PATH"]);
}

#[test]
fn file_that_is_not_a_shared_library_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("libfake.so");
    fs::write(&fake, "this is text, not ELF\n".repeat(100)).unwrap();
    let output = run_host(&["-q", "--plugin", fake.to_str().unwrap(), "plugins"]);
    assert_refused(&output, &[fake.to_str().unwrap(), "could not be loaded as a shared library"]);
}

#[test]
fn shared_library_that_is_not_a_plugin_is_refused() {
    // libm is a real shared library on every Linux machine, and no darts plugin.
    let libm = ["/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6"]
        .into_iter()
        .find(|path| std::path::Path::new(path).exists())
        .expect("libm is installed");
    let output = run_host(&["-q", "--plugin", libm, "plugins"]);
    assert_refused(&output, &[libm, "not a darts plugin"]);
}

#[test]
fn plugin_built_against_another_plugin_api_is_refused() {
    let output = list_with_faulty("api-version");
    assert_refused(
        &output,
        &[
            "libfaulty.so",
            "plugin-api 9.0.0",
            &format!("plugin-api {}", darts_plugin_api::API_VERSION),
        ],
    );
}

#[test]
fn plugin_built_against_another_libtorch_is_refused() {
    let output = list_with_faulty("torch-version");
    assert_refused(
        &output,
        &[
            "libfaulty.so",
            "libtorch 1.13.1",
            &format!("libtorch {}", darts_plugin_api::TORCH_VERSION),
        ],
    );
}

#[test]
fn two_plugins_with_one_name_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("libconv1d.so");
    fs::copy(plugin_path("conv1d"), &copy).unwrap();
    let original = plugin_path("conv1d");
    let output = run_host(&[
        "-q",
        "--plugin",
        original.to_str().unwrap(),
        "--plugin",
        copy.to_str().unwrap(),
        "plugins",
    ]);
    assert_refused(&output, &["two plugins are named `conv1d`", copy.to_str().unwrap()]);
}

#[test]
fn two_primitives_with_one_qualified_name_are_refused() {
    let duplicate = plugin_path("duplicate");
    let output = run_host(&["-q", "--plugin", duplicate.to_str().unwrap(), "plugins"]);
    assert_refused(&output, &["libduplicate.so", "`duplicate:twice` twice"]);
}

#[test]
fn primitive_returning_a_build_error_is_refused() {
    let output = list_with_faulty("build-error");
    assert_refused(&output, &["libfaulty.so", "`faulty:faulty`", "deliberate build failure"]);
}

#[test]
fn primitive_panicking_while_built_is_refused() {
    let output = list_with_faulty("build-panic");
    assert_refused(
        &output,
        &["libfaulty.so", "`faulty:faulty`", "panicked while being built", "deliberate panic"],
    );
}

#[test]
fn primitive_panicking_in_forward_is_refused() {
    let output = list_with_faulty("forward-panic");
    assert_refused(
        &output,
        &["libfaulty.so", "`faulty:faulty`", "panicked in forward", "deliberate panic"],
    );
}

#[test]
fn primitive_with_wrong_output_shape_is_refused() {
    let output = list_with_faulty("bad-shape");
    assert_refused(
        &output,
        &["libfaulty.so", "`faulty:faulty`", "returned shape [2, 8, 8], expected [2, 16, 8]"],
    );
}

#[test]
fn well_behaved_faulty_plugin_lists() {
    // The control for the cases above: without a fault the same plugin loads and lists.
    let output = list_with_faulty("none");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("faulty:faulty"));
}

#[test]
fn bad_flag_value_is_refused() {
    let output = run_host(&["-q", "plugins", "--channels", "0"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--channels"), "{stderr}");
}
