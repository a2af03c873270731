//! Training evaluation networks from genotypes through the built binary and plugin files:
//! one tiny run per layout whose loss falls below a stated bound, multitask and regression
//! heads, the model folder, and refused genotypes.

use std::fs;
use std::path::Path;

use darts_tests::{assert_only_the_log, plugin_path, run_host};

/// `darts-host train` with the given plugin and flags into `out`; asserts success and
/// returns the test metrics.
fn train(plugin: &str, flags: &[&str], out: &Path) -> serde_json::Value {
    let path = plugin_path(plugin);
    let mut args = vec!["-q", "--plugin", path.to_str().unwrap(), "train"];
    args.extend(flags);
    args.extend(["--out", out.to_str().unwrap()]);
    let output = run_host(&args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "train failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap()
}

/// The training losses of every epoch.
fn train_losses(dir: &Path) -> Vec<f64> {
    fs::read_to_string(dir.join("metrics.jsonl"))
        .unwrap()
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["train_loss"].as_f64().unwrap()
        })
        .collect()
}

/// Writes a genotype in JSON with `primitives` on the two edges of each of two nodes.
fn genotype_file(dir: &Path, primitives: [&str; 4], reduce: bool) -> String {
    let edges = |p: [&str; 4]| {
        format!(
            r#"[{{"primitive":"{}","input":0}},{{"primitive":"{}","input":1}},{{"primitive":"{}","input":2}},{{"primitive":"{}","input":1}}]"#,
            p[0], p[1], p[2], p[3]
        )
    };
    let cell = |p| format!(r#"{{"edges":{},"concat":[2,3]}}"#, edges(p));
    let text = if reduce {
        format!(r#"{{"normal":{},"reduce":{}}}"#, cell(primitives), cell(primitives))
    } else {
        format!(r#"{{"normal":{}}}"#, cell(primitives))
    };
    let path = dir.join("genotype.json");
    fs::write(&path, text).unwrap();
    path.display().to_string()
}

const TINY: [&str; 8] = ["--epochs", "4", "--channels", "8", "--cells", "3", "--batch-size", "64"];

#[test]
fn image_network_of_a_published_genotype_learns_the_digits() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model");
    let mut flags = vec!["--genotype", "DARTS_V2", "--auxiliary"];
    flags.extend(TINY);
    let test = train("conv2d", &flags, &out);
    let task = &test["tasks"][0];
    // Chance is 0.10 accuracy and a loss of ln 10 = 2.30.
    assert!(task["accuracy"].as_f64().unwrap() > 0.8, "{test}");
    assert!(test["loss"].as_f64().unwrap() < 0.8, "{test}");
    assert!(task["top5"].as_f64().is_some(), "10 classes have a top-5 accuracy: {test}");

    for file in [
        "config.toml",
        "genotype.json",
        "model.json",
        "metrics.jsonl",
        "weights.safetensors",
        "train.log",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    let genotype = fs::read_to_string(out.join("genotype.json")).unwrap();
    assert!(genotype.contains("conv2d:sep_conv_3x3"), "primitives are qualified: {genotype}");
    let model: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("model.json")).unwrap()).unwrap();
    assert_eq!(model["plugins"][0]["name"], "conv2d");
    assert_eq!(model["input_shape"], serde_json::json!([1, 8, 8]));
    let weights = tch::Tensor::read_safetensors(out.join("weights.safetensors")).unwrap();
    let count: i64 = weights
        .iter()
        .filter(|(name, _)| !name.contains("running"))
        .map(|(_, t)| t.numel() as i64)
        .sum();
    assert_eq!(count, model["weight_parameters"].as_i64().unwrap());
}

#[test]
fn sequence_network_trains_two_heads_on_motifs() {
    let dir = tempfile::tempdir().unwrap();
    let genotype = genotype_file(
        dir.path(),
        ["conv1d:sep_conv_5", "conv1d:convblock_7", "conv1d:skip_connect", "conv1d:dil_conv_3"],
        true,
    );
    let out = dir.path().join("model");
    let mut flags = vec!["--genotype", genotype.as_str(), "--epochs", "6"];
    flags.extend(&TINY[2..]);
    let test = train("conv1d", &flags, &out);
    let tasks = test["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 2, "{test}");
    let losses = train_losses(&out);
    // At chance the summed loss is ln 4 + ln 2 = 2.08.
    assert!(losses.last().unwrap() < &1.2, "training losses {losses:?}");
}

#[test]
fn flat_network_regresses_uno() {
    let dir = tempfile::tempdir().unwrap();
    let genotype = genotype_file(
        dir.path(),
        ["linear:linear_block", "linear:encoder", "linear:skip_connect", "linear:linear_drop"],
        false,
    );
    let out = dir.path().join("model");
    let mut flags = vec!["--genotype", genotype.as_str()];
    flags.extend(TINY);
    let test = train("linear", &flags, &out);
    let task = &test["tasks"][0];
    assert!(task["mse"].as_f64().is_some() && task["mae"].as_f64().is_some(), "{test}");
    assert!(task["r2"].as_f64().unwrap() > 0.3, "test R^2 should be well above 0: {test}");
    assert!(out.join("standardizer.safetensors").is_file());
}

#[test]
fn a_genotype_of_another_layout_than_the_data_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model");
    let conv2d = plugin_path("conv2d");
    let output = run_host(&[
        "-q",
        "--plugin",
        conv2d.to_str().unwrap(),
        "train",
        "--genotype",
        "DARTS_V2",
        "--dataset",
        "uno",
        "--epochs",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("image") && stderr.contains("flat"), "{stderr}");
    assert_only_the_log(&out, "train.log", &stderr);
}

#[test]
fn predict_round_trips_through_the_model_folder() {
    use darts_host::data::{builtin, write_npy};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model");
    let mut flags = vec!["--genotype", "DARTS_V2"];
    flags.extend(TINY);
    train("conv2d", &flags, &out);

    // Every digit, through predict, to an .npy of class indices.
    let digits = builtin("digits", 0).unwrap();
    let inputs = dir.path().join("digits.npy");
    write_npy(&inputs, &digits.inputs).unwrap();
    let predictions = dir.path().join("predicted.npy");
    let conv2d = plugin_path("conv2d");
    let output = run_host(&[
        "-q",
        "--plugin",
        conv2d.to_str().unwrap(),
        "predict",
        "--model",
        out.to_str().unwrap(),
        "--input",
        inputs.to_str().unwrap(),
        "--output",
        predictions.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    // The data reader takes the predictions as the targets of the inputs they came from.
    let reread = darts_host::data::read_npy(&inputs, &predictions).expect("predictions read back");
    let predicted = &reread.targets[0];
    assert_eq!(predicted.size(), vec![digits.len() as i64]);
    let accuracy = predicted
        .eq_tensor(&digits.targets[0])
        .to_kind(tch::Kind::Float)
        .mean(tch::Kind::Float)
        .double_value(&[]);
    assert!(accuracy > 0.8, "accuracy of the reloaded model on the digits: {accuracy}");

    // The same model as CSV, with class probabilities that sum to one.
    let output = run_host(&[
        "-q",
        "--plugin",
        conv2d.to_str().unwrap(),
        "predict",
        "--model",
        out.to_str().unwrap(),
        "--input",
        inputs.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut lines = stdout.lines();
    assert!(lines.next().unwrap().starts_with("digit,digit_p0,"), "{stdout}");
    let first: Vec<f64> = lines.next().unwrap().split(',').map(|c| c.parse().unwrap()).collect();
    assert_eq!(first.len(), 11);
    assert!((first[1..].iter().sum::<f64>() - 1.0).abs() < 1e-4, "{first:?}");
    assert_eq!(stdout.lines().count(), digits.len() + 1);

    // Inputs of the wrong shape, and a folder missing its weights, are refused.
    let wrong = dir.path().join("wrong.npy");
    write_npy(&wrong, &tch::Tensor::zeros([3, 1, 6, 6], (tch::Kind::Float, tch::Device::Cpu)))
        .unwrap();
    let output = run_host(&[
        "-q",
        "--plugin",
        conv2d.to_str().unwrap(),
        "predict",
        "--model",
        out.to_str().unwrap(),
        "--input",
        wrong.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("[1, 6, 6]") && stderr.contains("[1, 8, 8]"), "{stderr}");
    fs::remove_file(out.join("weights.safetensors")).unwrap();
    let output = run_host(&[
        "-q",
        "--plugin",
        conv2d.to_str().unwrap(),
        "predict",
        "--model",
        out.to_str().unwrap(),
        "--input",
        inputs.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("weights.safetensors"), "{stderr}");
}

#[test]
fn exported_torchscript_matches_the_rust_model_in_plain_pytorch() {
    use darts_host::data::{builtin, write_npy};
    use darts_host::model::load_model;
    use darts_host::plugins::PluginSet;

    // A trained model with two heads, whose outputs the module returns side by side.
    let dir = tempfile::tempdir().unwrap();
    let genotype = genotype_file(
        dir.path(),
        ["conv1d:sep_conv_3", "conv1d:max_pool_3", "conv1d:skip_connect", "conv1d:dil_conv_5"],
        true,
    );
    let out = dir.path().join("model");
    let mut flags = vec!["--genotype", genotype.as_str(), "--epochs", "1"];
    flags.extend(&TINY[2..]);
    train("conv1d", &flags, &out);

    let module = dir.path().join("model.pt");
    let conv1d = plugin_path("conv1d");
    let output = run_host(&[
        "-q",
        "--plugin",
        conv1d.to_str().unwrap(),
        "export",
        "--model",
        out.to_str().unwrap(),
        "--torchscript",
        module.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));

    // The Rust model's outputs on real inputs, from the same folder.
    let plugins = PluginSet::load(&[conv1d.display().to_string()]).unwrap();
    let model = load_model(&out, &plugins).unwrap();
    let inputs = builtin("motifs", 5).unwrap().inputs.narrow(0, 0, 50);
    let expected = model.predict(&inputs, 16).unwrap();
    let inputs_path = dir.path().join("inputs.npy");
    let expected_path = dir.path().join("expected.npy");
    write_npy(&inputs_path, &inputs).unwrap();
    assert_eq!(expected.len(), 2, "motifs has two heads");
    write_npy(&expected_path, &tch::Tensor::cat(&expected, 1)).unwrap();

    let root = env!("CARGO_MANIFEST_DIR");
    let check = std::process::Command::new(format!("{root}/scripts/torch-python.sh"))
        .arg(format!("{root}/tests/export/check_torchscript.py"))
        .args([&module, &inputs_path, &expected_path])
        .arg("1e-5")
        .output()
        .expect("the provisioned Python torch runs");
    let report = String::from_utf8_lossy(&check.stdout);
    println!("{report}");
    assert!(check.status.success(), "{report}{}", String::from_utf8_lossy(&check.stderr));
    assert!(report.contains("shape (50, 6)"), "4 motif classes and 2 count classes: {report}");
}

#[test]
fn training_holds_out_the_searchs_test_examples() {
    use darts_host::data::{builtin, Splits};
    // The search's split (train_portion 0.5 of the non-test data) and the training run's
    // (10% of it for validation) with one seed and test fraction: the same test examples.
    let digits = builtin("digits", 0).unwrap();
    let (_, _, search_test) = digits.split(Splits::new(0.4, 0.4, 0.2), 2).unwrap();
    let (_, _, train_test) = digits.split(Splits::new(0.72, 0.08, 0.2), 2).unwrap();
    assert_eq!(search_test.len(), 359);
    assert!(search_test.inputs.equal(&train_test.inputs));
    assert!(search_test.targets[0].equal(&train_test.targets[0]));
}

#[test]
fn a_genotype_with_an_impossible_edge_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.txt");
    // Node 0 may read states 0 and 1 only; state 4 does not exist yet.
    let text = darts_host::genotype::published::DARTS_V2_TEXT.replacen(
        "('sep_conv_3x3', 1)",
        "('sep_conv_3x3', 4)",
        1,
    );
    fs::write(&file, text).unwrap();
    let out = dir.path().join("model");
    let output = run_host(&[
        "-q",
        "train",
        "--genotype",
        file.to_str().unwrap(),
        "--epochs",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bad.txt") && stderr.contains('4'), "{stderr}");
    assert_only_the_log(&out, "train.log", &stderr);
}
