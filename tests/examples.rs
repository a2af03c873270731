//! The commands of the examples' READMEs, run as written but with one or two epochs.

use std::fs;
use std::process::Command;

use darts_tests::{plugin_path, profile_dir, run_host};

/// Runs `darts-host` and asserts success.
fn host(args: &[&str]) {
    let output = run_host(args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn uno_readme_search_train_predict() {
    let dir = tempfile::tempdir().unwrap();
    let linear = plugin_path("linear");
    let linear = linear.to_str().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();

    host(&[
        "-q",
        "--plugin",
        linear,
        "search",
        "--dataset",
        "uno",
        "--epochs",
        "2",
        "--cells",
        "3",
        "--channels",
        "32",
        "--out",
        &path("uno-search"),
    ]);
    host(&[
        "-q",
        "--plugin",
        linear,
        "train",
        "--genotype",
        &path("uno-search/genotype.json"),
        "--dataset",
        "uno",
        "--epochs",
        "2",
        "--cells",
        "3",
        "--channels",
        "32",
        "--out",
        &path("uno-model"),
    ]);

    let pairs = Command::new(profile_dir().join("examples/uno-test-pairs"))
        .args([path("pairs.csv"), path("growth.csv")])
        .output()
        .expect("the uno-test-pairs example is built");
    assert!(pairs.status.success(), "{}", String::from_utf8_lossy(&pairs.stderr));
    host(&[
        "-q",
        "--plugin",
        linear,
        "predict",
        "--model",
        &path("uno-model"),
        "--input",
        &path("pairs.csv"),
        "--output",
        &path("predicted.csv"),
    ]);

    let predicted: Vec<f64> = fs::read_to_string(path("predicted.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| line.parse().unwrap())
        .collect();
    let truth: Vec<f64> = fs::read_to_string(path("growth.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| line.parse().unwrap())
        .collect();
    assert_eq!(predicted.len(), 600, "the 600 held-out pairs");
    assert_eq!(predicted.len(), truth.len());
    // Even after two epochs the predictions follow the truth: the squared error is well
    // below the responses' variance.
    let mean = truth.iter().sum::<f64>() / truth.len() as f64;
    let variance = truth.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / truth.len() as f64;
    let mse = predicted.iter().zip(&truth).map(|(p, t)| (p - t).powi(2)).sum::<f64>()
        / truth.len() as f64;
    assert!(mse < 0.7 * variance, "mse {mse} against variance {variance}");
}

#[test]
fn digits_readme_search_train_predict() {
    let dir = tempfile::tempdir().unwrap();
    let conv2d = plugin_path("conv2d");
    let conv2d = conv2d.to_str().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    host(&[
        "-q",
        "--plugin",
        conv2d,
        "search",
        "--epochs",
        "1",
        "--cells",
        "5",
        "--channels",
        "8",
        "--out",
        &path("digits"),
    ]);
    host(&[
        "-q",
        "--plugin",
        conv2d,
        "train",
        "--genotype",
        &path("digits/genotype.json"),
        "--epochs",
        "1",
        "--channels",
        "16",
        "--cells",
        "8",
        "--batch-size",
        "64",
        "--auxiliary",
        "--out",
        &path("digits-model"),
    ]);
    let digits = darts_host::data::builtin("digits", 0).unwrap();
    darts_host::data::write_npy(dir.path().join("images.npy"), &digits.inputs.narrow(0, 0, 5))
        .unwrap();
    let output = run_host(&[
        "-q",
        "--plugin",
        conv2d,
        "predict",
        "--model",
        &path("digits-model"),
        "--input",
        &path("images.npy"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 6);
}
