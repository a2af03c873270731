//! `darts-host describe` against the weight-parameter counts of the DARTS reference search
//! network, written by tests/reference/supernet_params.py.

use darts_tests::{plugin_path, run_host};

/// The count the reference script recorded for `setting`.
fn reference_count(setting: &str) -> i64 {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/supernet_params.json");
    let text = std::fs::read_to_string(path).expect("the reference counts are committed");
    let counts: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    counts[setting]["weight_parameters"].as_i64().expect("a count")
}

/// The `weight parameters: N` line of describe's output.
fn described_count(args: &[&str]) -> i64 {
    let conv2d = plugin_path("conv2d");
    let mut full = vec!["-q", "--plugin", conv2d.to_str().unwrap(), "describe"];
    full.extend(args);
    let output = run_host(&full);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    stdout
        .lines()
        .find_map(|line| line.strip_prefix("weight parameters: "))
        .unwrap_or_else(|| panic!("no parameter line in:\n{stdout}"))
        .parse()
        .unwrap()
}

#[test]
fn cifar10_search_network_has_the_reference_parameter_count() {
    let count = described_count(&[
        "--input-shape",
        "3,32,32",
        "--classes",
        "10",
        "--channels",
        "16",
        "--cells",
        "8",
        "--nodes",
        "4",
    ]);
    assert_eq!(count, reference_count("cifar10"));
}

#[test]
fn small_digits_network_has_the_reference_parameter_count() {
    let count = described_count(&["--dataset", "digits", "--channels", "8", "--cells", "5"]);
    assert_eq!(count, reference_count("digits-small"));
}

#[test]
fn describe_prints_every_cell_with_its_shape() {
    let conv2d = plugin_path("conv2d");
    let output = run_host(&[
        "-q",
        "--plugin",
        conv2d.to_str().unwrap(),
        "describe",
        "--input-shape",
        "3,32,32",
        "--classes",
        "10",
        "--cells",
        "8",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("stem                      [48, 32, 32]"), "{stdout}");
    assert!(stdout.contains("cell 2 (reduction)        [128, 16, 16]"), "{stdout}");
    assert!(stdout.contains("cell 7 (normal)           [256, 8, 8]"), "{stdout}");
    assert!(stdout.contains("head 0                    [10]"), "{stdout}");
}

#[test]
fn describe_refuses_a_shape_without_classes() {
    let output = run_host(&["-q", "describe", "--input-shape", "3,32,32"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--classes"));
}

/// The counts tests/reference/eval_params.py recorded for a published genotype.
fn reference_eval_counts(genotype: &str) -> (i64, i64) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/eval_params.json");
    let text = std::fs::read_to_string(path).expect("the reference counts are committed");
    let counts: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let entry = &counts[genotype];
    (entry["parameters"].as_i64().unwrap(), entry["parameters_with_auxiliary"].as_i64().unwrap())
}

/// `describe --genotype NAME --auxiliary` with the paper's CIFAR-10 evaluation settings,
/// all three built-in plugins loaded: the counts without and with the auxiliary head.
fn described_eval_counts(genotype: &str) -> (i64, i64) {
    let output = run_host(&[
        "-q",
        "describe",
        "--genotype",
        genotype,
        "--input-shape",
        "3,32,32",
        "--classes",
        "10",
        "--channels",
        "36",
        "--cells",
        "20",
        "--auxiliary",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let number = |prefix: &str| -> i64 {
        stdout
            .lines()
            .find_map(|line| line.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{stdout}"))
            .parse()
            .unwrap()
    };
    (number("parameters: "), number("parameters with the auxiliary head: "))
}

#[test]
fn darts_v2_evaluation_network_has_the_reference_parameter_counts() {
    assert_eq!(described_eval_counts("DARTS_V2"), reference_eval_counts("DARTS_V2"));
}

#[test]
fn darts_v1_evaluation_network_has_the_reference_parameter_counts() {
    assert_eq!(described_eval_counts("DARTS_V1"), reference_eval_counts("DARTS_V1"));
}

#[test]
fn a_genotype_file_in_the_reference_text_form_is_described() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("v2.txt");
    std::fs::write(&file, darts_host::genotype::published::DARTS_V2_TEXT).unwrap();
    let output = run_host(&[
        "-q",
        "describe",
        "--genotype",
        file.to_str().unwrap(),
        "--input-shape",
        "3,32,32",
        "--classes",
        "10",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("cell 13 (reduction)       [576, 8, 8]"), "{stdout}");
    let (without, _) = reference_eval_counts("DARTS_V2");
    assert!(stdout.contains(&format!("parameters: {without}")), "{stdout}");
}

#[test]
fn a_genotype_naming_an_unknown_primitive_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.txt");
    let text =
        darts_host::genotype::published::DARTS_V2_TEXT.replacen("dil_conv_3x3", "wavelet_9x9", 1);
    std::fs::write(&file, text).unwrap();
    let output = run_host(&[
        "-q",
        "describe",
        "--genotype",
        file.to_str().unwrap(),
        "--input-shape",
        "3,32,32",
        "--classes",
        "10",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("wavelet_9x9"), "{stderr}");
}
