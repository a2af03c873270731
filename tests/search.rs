//! End-to-end searches through the built binary and plugin files: one per layout, one
//! mixing primitives of two plugins, reproducibility, and refused search spaces.

use std::fs;
use std::path::Path;
use std::process::Output;

use darts_host::genotype::Genotype;
use darts_tests::{assert_only_the_log, plugin_path, run_host};

/// `darts-host search` with the given plugins and flags into `out`; asserts success.
fn search(plugins: &[&str], flags: &[&str], out: &Path) -> Output {
    let paths: Vec<String> = plugins.iter().map(|p| plugin_path(p).display().to_string()).collect();
    let mut args: Vec<&str> = vec!["-q"];
    for path in &paths {
        args.extend(["--plugin", path.as_str()]);
    }
    args.push("search");
    args.extend(flags);
    args.extend(["--out", out.to_str().unwrap()]);
    let output = run_host(&args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "search failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The epoch records of a run folder.
fn epochs(dir: &Path) -> Vec<serde_json::Value> {
    fs::read_to_string(dir.join("metrics.jsonl"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Checks the files every run folder holds and returns the final genotype.
fn check_run_folder(dir: &Path, expected_epochs: usize) -> Genotype {
    for file in ["config.toml", "run.json", "metrics.jsonl", "search.log", "best_genotype.json"] {
        assert!(dir.join(file).is_file(), "{file} missing from {}", dir.display());
    }
    let records = epochs(dir);
    assert_eq!(records.len(), expected_epochs);
    let genotype = Genotype::from_json(&fs::read_to_string(dir.join("genotype.json")).unwrap())
        .expect("genotype.json reads back");
    let text = Genotype::from_text(&fs::read_to_string(dir.join("genotype.txt")).unwrap())
        .expect("genotype.txt reads back");
    assert_eq!(genotype, text);
    let last: Genotype =
        serde_json::from_value(records.last().unwrap()["genotype"].clone()).unwrap();
    assert_eq!(last, genotype, "the last epoch's genotype is the final one");
    genotype
}

const TINY: [&str; 8] = ["--epochs", "2", "--cells", "3", "--channels", "4", "--nodes", "2"];

#[test]
fn image_search_on_digits() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    search(&["conv2d"], &TINY, &out);
    let genotype = check_run_folder(&out, 2);
    assert!(genotype.reduce.is_some(), "an image supernet has reduction cells");
    assert_eq!(genotype.normal.edges.len(), 4);
    assert!(genotype.normal.edges.iter().all(|e| e.primitive.starts_with("conv2d:")));
    let record = &epochs(&out)[1];
    assert!(record["valid"]["tasks"][0]["accuracy"].as_f64().is_some());
    assert_eq!(record["alphas_normal"].as_array().unwrap().len(), 5, "2 nodes: 2 + 3 edges");
}

#[test]
fn sequence_search_on_motifs_with_two_heads() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    search(&["conv1d"], &TINY, &out);
    let genotype = check_run_folder(&out, 2);
    assert!(genotype.reduce.is_some());
    let tasks = epochs(&out)[1]["valid"]["tasks"].as_array().unwrap().len();
    assert!(tasks >= 2, "motifs has at least two tasks, the record has {tasks}");
}

#[test]
fn flat_search_on_uno_regression() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    search(&["linear"], &TINY, &out);
    let genotype = check_run_folder(&out, 2);
    assert!(genotype.reduce.is_none(), "the flat layout has no reduction cells");
    let task = &epochs(&out)[1]["valid"]["tasks"][0];
    assert!(task["mse"].as_f64().is_some(), "uno is a regression: {task}");
}

#[test]
fn one_search_space_mixes_primitives_of_two_plugins() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let mut flags = TINY.to_vec();
    flags.extend([
        "--primitives",
        "conv1d:sep_conv_3,conv1d:none,faulty:faulty,conv1d:skip_connect",
    ]);
    search(&["conv1d", "faulty"], &flags, &out);
    check_run_folder(&out, 2);
    let config = fs::read_to_string(out.join("config.toml")).unwrap();
    assert!(config.contains("faulty:faulty") && config.contains("conv1d:sep_conv_3"), "{config}");
    let record = &epochs(&out)[0];
    assert_eq!(record["alphas_normal"][0].as_array().unwrap().len(), 4);
}

#[test]
fn same_seed_gives_the_same_search() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    let mut flags = TINY.to_vec();
    flags.extend(["--seed", "11"]);
    search(&["conv2d"], &flags, &first);
    search(&["conv2d"], &flags, &second);
    let strip = |mut records: Vec<serde_json::Value>| {
        for record in &mut records {
            record.as_object_mut().unwrap().remove("seconds");
        }
        records
    };
    assert_eq!(strip(epochs(&first)), strip(epochs(&second)));
    assert_eq!(
        fs::read_to_string(first.join("genotype.json")).unwrap(),
        fs::read_to_string(second.join("genotype.json")).unwrap()
    );
}

#[test]
fn primitives_of_another_layout_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let (conv2d, linear) = (plugin_path("conv2d"), plugin_path("linear"));
    let output = run_host(&[
        "-q",
        "--plugin",
        conv2d.to_str().unwrap(),
        "--plugin",
        linear.to_str().unwrap(),
        "search",
        "--dataset",
        "digits",
        "--primitives",
        "conv2d:sep_conv_3x3,linear:encoder,linear:linear_block",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("linear:encoder (flat)") && stderr.contains("linear:linear_block"),
        "{stderr}"
    );
    assert_only_the_log(&out, "search.log", &stderr);
}

#[test]
fn unknown_config_key_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("space.toml");
    fs::write(&config, "epochs = 1\nlearning_rate = 0.1\n").unwrap();
    let output = run_host(&["-q", "search", "--config", config.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("learning_rate") && stderr.contains("line 2"), "{stderr}");
}

#[test]
fn an_occupied_run_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("precious.txt"), "keep me").unwrap();
    let output =
        run_host(&["-q", "search", "--epochs", "1", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(fs::read_to_string(dir.path().join("precious.txt")).unwrap(), "keep me");
}

#[test]
fn without_a_command_a_short_search_runs_and_says_where_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let linear = plugin_path("linear");
    let output = std::process::Command::new(darts_tests::host_binary())
        .args(["--plugin", linear.to_str().unwrap()])
        .current_dir(dir.path())
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let written = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    assert!(
        written.starts_with("runs/search-uno-") && written.ends_with("genotype.json"),
        "{written}"
    );
    let genotype = dir.path().join(&written);
    assert!(genotype.is_file(), "{} missing", genotype.display());
    assert!(stderr.contains("search finished"), "{stderr}");
    assert_eq!(epochs(genotype.parent().unwrap()).len(), 5, "the short search runs 5 epochs");
}

#[test]
fn bad_csv_data_is_refused_with_file_and_row() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("cells.csv");
    fs::write(&csv, "a,b,response\n1,2,0.5\n3,oops,0.7\n").unwrap();
    let out = dir.path().join("run");
    let output = run_host(&[
        "-q",
        "--plugin",
        plugin_path("linear").to_str().unwrap(),
        "search",
        "--dataset",
        csv.to_str().unwrap(),
        "--targets",
        "response",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cells.csv") && stderr.contains("row 3"), "{stderr}");
    assert_only_the_log(&out, "search.log", &stderr);
}

#[test]
fn npy_inputs_with_npy_targets_are_searched() {
    use darts_host::data::{builtin, write_npy};
    let dir = tempfile::tempdir().unwrap();
    let data = builtin("breast-cancer", 0).unwrap();
    let (x, y) = (dir.path().join("x.npy"), dir.path().join("y.npy"));
    write_npy(&x, &data.inputs).unwrap();
    write_npy(&y, &data.targets[0]).unwrap();
    let out = dir.path().join("run");
    let flags = [
        "--dataset",
        x.to_str().unwrap(),
        "--targets",
        y.to_str().unwrap(),
        "--epochs",
        "1",
        "--cells",
        "2",
        "--channels",
        "4",
        "--nodes",
        "2",
    ];
    search(&["linear"], &flags, &out);
    let task = &epochs(&out)[0]["valid"]["tasks"][0];
    assert!(task["accuracy"].as_f64().is_some(), "integer targets are classes: {task}");
}
