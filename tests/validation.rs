//! Bad configs and bad data through the command line: each case is refused with a message
//! naming what is wrong, exit code 2, and a run folder holding the run's log and nothing
//! else (the log ends with the message).

use std::fs;
use std::path::Path;

use darts_tests::{assert_only_the_log, error_line, plugin_path, run_host};

/// One refused invocation: files to write first, the command's arguments after
/// `--plugin <plugin>`, and fragments the message must hold. `{dir}` in an argument stands
/// for the test's folder.
struct Case {
    plugin: &'static str,
    files: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
    expect: &'static [&'static str],
}

/// Runs darts-host with `args`, asserts that it exits with code 2 and returns its stderr.
fn refused<S: AsRef<str>>(args: &[S]) -> String {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let output = run_host(&args);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "expected exit code 2 for {args:?}:\n{stderr}");
    stderr
}

fn check(case: &Case) {
    let root = tempfile::tempdir().unwrap();
    for (name, text) in case.files {
        fs::write(root.path().join(name), text).unwrap();
    }
    let out = root.path().join("run");
    let dir = root.path().display().to_string();
    let plugin = plugin_path(case.plugin).display().to_string();
    let mut args: Vec<String> = vec!["--plugin".into(), plugin];
    args.extend(case.args.iter().map(|a| a.replace("{dir}", &dir)));
    args.extend(["--out".into(), out.display().to_string()]);

    let stderr = refused(&args);
    let error = error_line(&stderr);
    for fragment in case.expect {
        assert!(error.contains(fragment), "`{fragment}` missing from:\n{stderr}");
    }
    let log = if case.args.contains(&"train") { "train.log" } else { "search.log" };
    assert_only_the_log(&out, log, &stderr);
}

/// The smallest search flags, so a case that is wrongly accepted fails fast.
const SMALL: [&str; 6] = ["--epochs", "1", "--cells", "1", "--channels", "4"];

fn search_case(plugin: &'static str, config: &'static str, expect: &'static [&'static str]) {
    let files: &'static [(&str, &str)] = Box::leak(Box::new([("config.toml", config)]));
    let mut args = vec!["search", "--config", "{dir}/config.toml"];
    args.extend(SMALL);
    check(&Case { plugin, files, args: Box::leak(args.into_boxed_slice()), expect });
}

#[test]
fn config_unknown_key_is_named_with_its_line() {
    search_case(
        "linear",
        "epochs = 1\nnodes = 2\nlearning_rate = 0.1\n",
        &["config.toml", "learning_rate", "line 3"],
    );
}

#[test]
fn config_nodes_below_one() {
    search_case("linear", "nodes = 0\nmultiplier = 0\n", &["nodes must be at least 1"]);
}

#[test]
fn config_multiplier_above_nodes() {
    search_case(
        "linear",
        "nodes = 2\nmultiplier = 3\n",
        &["multiplier must be between 1 and nodes (2), not 3"],
    );
}

#[test]
fn config_batch_of_zero() {
    search_case("linear", "batch_size = 0\n", &["batch_size must be at least 1, not 0"]);
}

#[test]
fn config_learning_rate_not_positive() {
    search_case(
        "linear",
        "lr = 0.0\nlr_min = 0.0\narch_lr = -1.0\n",
        &["lr must be positive, not 0", "arch_lr must be positive, not -1"],
    );
}

#[test]
fn config_empty_primitive_list() {
    search_case("linear", "primitives = []\n", &["primitives is an empty list"]);
}

#[test]
fn config_space_of_none_only() {
    search_case("linear", "primitives = [\"linear:none\"]\n", &["has no primitive but `none`"]);
}

#[test]
fn config_problems_are_all_reported_at_once() {
    let config = "nodes = 2\nmultiplier = 3\nbatch_size = 0\nlr = -0.5\nlr_min = 0.0\n\
                  primitives = []\n[classes]\ny = 1\n";
    search_case(
        "linear",
        config,
        &[
            "6 problem(s)",
            "multiplier must be between 1 and nodes",
            "batch_size must be at least 1",
            "lr must be positive",
            "primitives is an empty list",
            "classes.y must be at least 2",
        ],
    );
}

#[test]
fn train_config_problems_are_all_reported_at_once() {
    check(&Case {
        plugin: "conv2d",
        files: &[("train.toml", "batch_size = 0\nlr = 0.0\nlr_min = 0.0\ndrop_path = 1.5\n")],
        args: &["train", "--genotype", "DARTS_V2", "--config", "{dir}/train.toml"],
        expect: &[
            "3 problem(s)",
            "batch_size must be at least 1",
            "lr must be positive",
            "drop_path must be in [0, 1)",
        ],
    });
}

/// A search on `{dir}/data.csv` with target `y`, plus `extra` flags.
fn csv_case(csv: &'static str, extra: &'static [&'static str], expect: &'static [&'static str]) {
    let mut args = vec!["search", "--dataset", "{dir}/data.csv", "--targets", "y", "--nodes", "2"];
    args.extend(SMALL);
    args.extend(extra);
    check(&Case {
        plugin: "linear",
        files: Box::leak(Box::new([("data.csv", csv)])),
        args: Box::leak(args.into_boxed_slice()),
        expect,
    });
}

/// Forty good rows of two features and a class label, then `tail`.
fn table(tail: &str) -> &'static str {
    let mut text = String::from("a,b,y\n");
    for i in 0..40 {
        text.push_str(&format!("{}.5,{},{}\n", i, i % 7, i % 3));
    }
    text.push_str(tail);
    Box::leak(text.into_boxed_str())
}

#[test]
fn data_ragged_row() {
    csv_case(table("1.0,2.0\n"), &["--classify", "y"], &["data.csv", "row 42"]);
}

#[test]
fn data_non_numeric_cell() {
    csv_case(table("1.0,abc,1\n"), &["--classify", "y"], &["data.csv", "row 42", "`b`", "abc"]);
}

#[test]
fn data_missing_cell() {
    csv_case(table("1.0,,1\n"), &["--classify", "y"], &["data.csv", "row 42", "`b`"]);
}

#[test]
fn data_label_outside_the_declared_classes() {
    let root = tempfile::tempdir().unwrap();
    fs::write(root.path().join("data.csv"), table("1.0,2.0,5\n")).unwrap();
    fs::write(root.path().join("config.toml"), "[classes]\ny = 3\n").unwrap();
    run_refused_in(
        root.path(),
        &["--classify", "y", "--config"],
        &["row 42", "label 5", "task `y`", "3 classes declared"],
    );
}

/// Like [`csv_case`] in an existing folder holding data.csv and config.toml; the config
/// path comes last.
fn run_refused_in(root: &Path, extra: &[&str], expect: &[&str]) {
    let out = root.join("run");
    let csv = root.join("data.csv").display().to_string();
    let config = root.join("config.toml").display().to_string();
    let plugin = plugin_path("linear").display().to_string();
    let mut args = vec!["--plugin", &plugin, "search", "--dataset", &csv, "--targets", "y"];
    args.extend(SMALL);
    args.extend(["--nodes", "2", "--out", out.to_str().unwrap()]);
    args.extend(extra);
    args.push(&config);
    let stderr = refused(&args);
    for fragment in expect {
        assert!(stderr.contains(fragment), "`{fragment}` missing from:\n{stderr}");
    }
    assert_only_the_log(&out, "search.log", &stderr);
}

#[test]
fn data_declared_classes_for_a_regression_target() {
    let root = tempfile::tempdir().unwrap();
    fs::write(root.path().join("data.csv"), table("")).unwrap();
    fs::write(root.path().join("config.toml"), "[classes]\ny = 3\n").unwrap();
    run_refused_in(root.path(), &["--config"], &["task `y`", "regression target", "classify"]);
}

#[test]
fn data_not_a_number() {
    csv_case(table("nan,2.0,1\n"), &["--classify", "y"], &["data.csv", "row 42"]);
}

#[test]
fn data_split_that_leaves_a_set_empty() {
    csv_case("a,y\n1.0,0.5\n2.0,0.7\n", &[], &["data", "empty"]);
}

#[test]
fn data_split_with_a_single_training_example() {
    csv_case(
        "a,y\n1.0,0.5\n2.0,0.7\n3.0,0.1\n",
        &[],
        &["too small for this split", "the training part has 1 example(s)"],
    );
}

#[test]
fn data_array_whose_shape_fits_no_layout() {
    // Five axes: [2, 1, 1, 1, 1] float32, written by hand as NPY version 1.0.
    let root = tempfile::tempdir().unwrap();
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1, 1, 1, 1), }";
    let mut x = b"\x93NUMPY\x01\x00".to_vec();
    let padded = format!("{header:<117}\n");
    x.extend((padded.len() as u16).to_le_bytes());
    x.extend(padded.as_bytes());
    x.extend([0u8; 8]);
    fs::write(root.path().join("x.npy"), &x).unwrap();
    let y_header = "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }";
    let mut y = b"\x93NUMPY\x01\x00".to_vec();
    let padded = format!("{y_header:<117}\n");
    y.extend((padded.len() as u16).to_le_bytes());
    y.extend(padded.as_bytes());
    y.extend([0u8; 16]);
    fs::write(root.path().join("y.npy"), &y).unwrap();

    let out = root.path().join("run");
    let x_path = root.path().join("x.npy").display().to_string();
    let y_path = root.path().join("y.npy").display().to_string();
    let plugin = plugin_path("conv2d").display().to_string();
    let mut args = vec!["--plugin", &plugin, "search", "--dataset", &x_path, "--targets", &y_path];
    args.extend(SMALL);
    args.extend(["--out", out.to_str().unwrap()]);
    let stderr = refused(&args);
    assert!(stderr.contains("x.npy") && stderr.contains("[2, 1, 1, 1, 1]"), "{stderr}");
    assert_only_the_log(&out, "search.log", &stderr);
}

#[test]
fn data_of_another_layout_than_the_primitives() {
    // Tabular data for image primitives.
    let mut args = vec!["search", "--dataset", "{dir}/data.csv", "--targets", "y"];
    args.extend(SMALL);
    check(&Case {
        plugin: "conv2d",
        files: Box::leak(Box::new([("data.csv", table(""))])),
        args: Box::leak(args.into_boxed_slice()),
        expect: &["laid out as flat", "no loaded plugin has flat primitives", "conv2d (image)"],
    });
}

#[test]
fn a_plugin_refused_before_the_run_leaves_only_the_log() {
    let root = tempfile::tempdir().unwrap();
    let not_a_library = root.path().join("libnotes.so");
    fs::write(&not_a_library, "plain text").unwrap();
    let out = root.path().join("run");
    let mut args = vec!["--plugin", not_a_library.to_str().unwrap(), "search"];
    args.extend(SMALL);
    args.extend(["--out", out.to_str().unwrap()]);
    let stderr = refused(&args);
    assert!(stderr.contains("libnotes.so"), "{stderr}");
    assert_only_the_log(&out, "search.log", &stderr);
}

#[test]
fn a_run_folder_holding_files_is_refused_and_left_as_it_was() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("run");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    let plugin = plugin_path("conv2d").display().to_string();
    let mut args = vec!["--plugin", &plugin, "search", "--dataset", "digits"];
    args.extend(SMALL);
    args.extend(["--out", out.to_str().unwrap()]);
    let stderr = refused(&args);
    assert!(stderr.contains("already holds files"), "{stderr}");
    let names: Vec<_> = fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["notes.txt"], "no log is added to a folder holding other files");
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
}
