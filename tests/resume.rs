//! Runs that survive: a search and a training killed with SIGKILL at several points (one of
//! them while a checkpoint is being written) and resumed end exactly as the same run left
//! alone; checkpoints of another run are refused; non-finite steps stop a run, keeping the
//! last good checkpoint, or are skipped when asked.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use darts_host::checkpoint;
use darts_tests::{error_line, host_binary, plugin_path, run_host, run_host_with_env};

/// The search every test here runs: small enough for a few seconds per run, with several
/// checkpoints per epoch.
fn search_flags(out_or_resume: &str, dir: &Path) -> Vec<String> {
    let mut flags: Vec<String> = [
        "-q",
        "--plugin",
        plugin_path("conv2d").to_str().unwrap(),
        "search",
        "--epochs",
        "3",
        "--cells",
        "2",
        "--channels",
        "4",
        "--nodes",
        "2",
        "--batch-size",
        "32",
        "--checkpoint-every",
        "4",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    flags.extend([out_or_resume.to_owned(), dir.display().to_string()]);
    flags
}

/// A training of DARTS_V2 on digits with every source of randomness on: cutout, drop path,
/// the auxiliary head.
fn train_flags(out_or_resume: &str, dir: &Path) -> Vec<String> {
    let mut flags: Vec<String> = [
        "-q",
        "--plugin",
        plugin_path("conv2d").to_str().unwrap(),
        "train",
        "--epochs",
        "3",
        "--cells",
        "3",
        "--channels",
        "4",
        "--batch-size",
        "32",
        "--cutout",
        "3",
        "--drop-path",
        "0.3",
        "--auxiliary",
        "--checkpoint-every",
        "5",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if out_or_resume == "--out" {
        flags.extend(["--genotype".to_owned(), "DARTS_V2".to_owned()]);
    }
    flags.extend([out_or_resume.to_owned(), dir.display().to_string()]);
    flags
}

fn spawn(args: &[String]) -> Child {
    Command::new(host_binary())
        .args(args)
        .env_remove("DARTS_PLUGIN_PATH")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("darts-host starts")
}

fn run_to_end(args: &[String]) -> Output {
    let output = Command::new(host_binary())
        .args(args)
        .env_remove("DARTS_PLUGIN_PATH")
        .output()
        .expect("darts-host runs");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    output
}

/// How one interrupted attempt is ended.
#[derive(Debug, Clone, Copy)]
enum Kill {
    /// SIGKILL after this long.
    After(Duration),
    /// SIGKILL as soon as the checkpoint's temporary file appears: mid-write, or at worst
    /// just after the rename.
    WhileWriting,
}

/// Runs `args` and kills it as `kill` says; returns whether it was killed before finishing
/// and, for [`Kill::WhileWriting`], whether the temporary file was still there after.
fn attempt(args: &[String], dir: &Path, kill: Kill) -> (bool, bool) {
    let mut child = spawn(args);
    let temporary = dir.join("checkpoint.safetensors.tmp");
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return (false, false);
        }
        let due = match kill {
            Kill::After(delay) => started.elapsed() >= delay,
            Kill::WhileWriting => temporary.exists(),
        };
        if due {
            child.kill().unwrap();
            child.wait().unwrap();
            return (true, temporary.exists());
        }
        if started.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("the run neither finished nor wrote a checkpoint in 120 s");
        }
        if let Kill::After(_) = kill {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// The lines of `metrics.jsonl` without their wall-clock seconds.
fn records(dir: &Path) -> Vec<serde_json::Value> {
    fs::read_to_string(dir.join("metrics.jsonl"))
        .unwrap()
        .lines()
        .map(|line| {
            let mut record: serde_json::Value = serde_json::from_str(line).unwrap();
            record.as_object_mut().unwrap().remove("seconds");
            record
        })
        .collect()
}

/// Every tensor of the run folder's checkpoint as raw values.
fn checkpoint_tensors(dir: &Path) -> BTreeMap<String, Vec<f64>> {
    let file = checkpoint::read(&dir.join(checkpoint::FILE_NAME)).unwrap();
    file.tensors
        .iter()
        .map(|(name, t)| {
            let values = Vec::<f64>::try_from(t.to_kind(tch::Kind::Double).flatten(0, -1));
            (name.clone(), values.unwrap())
        })
        .collect()
}

/// Kills the run started by `fresh` at each of `kills`, resuming with `resume` after each,
/// then lets it finish; returns how many attempts were killed and how many of those were
/// killed with a checkpoint half-written.
fn interrupted_run(
    fresh: &[String],
    resume: &[String],
    dir: &Path,
    kills: &[Kill],
) -> (usize, usize) {
    let (mut killed, mut mid_write) = (0, 0);
    for (i, kill) in kills.iter().enumerate() {
        let args = if i == 0 { fresh } else { resume };
        let (was_killed, partial) = attempt(args, dir, *kill);
        killed += usize::from(was_killed);
        mid_write += usize::from(partial);
        if !was_killed {
            break;
        }
    }
    run_to_end(resume);
    (killed, mid_write)
}

const KILLS: [Kill; 6] = [
    Kill::After(Duration::from_millis(600)),
    Kill::After(Duration::from_millis(1500)),
    Kill::WhileWriting,
    Kill::After(Duration::from_millis(1100)),
    Kill::WhileWriting,
    Kill::WhileWriting,
];

#[test]
fn a_search_killed_and_resumed_ends_exactly_as_one_left_alone() {
    let root = tempfile::tempdir().unwrap();
    let alone = root.path().join("alone");
    run_to_end(&search_flags("--out", &alone));

    let dir = root.path().join("killed");
    let (killed, mid_write) = interrupted_run(
        &search_flags("--out", &dir),
        &search_flags("--resume", &dir),
        &dir,
        &KILLS,
    );
    eprintln!("search: {killed} attempts killed, {mid_write} with a checkpoint half-written");
    assert!(killed >= 3, "only {killed} attempts were killed before finishing");

    assert_eq!(records(&dir), records(&alone), "metrics differ (wall-clock seconds aside)");
    for file in ["genotype.json", "best_genotype.json", "genotype.txt", "config.toml"] {
        assert_eq!(
            fs::read_to_string(dir.join(file)).unwrap(),
            fs::read_to_string(alone.join(file)).unwrap(),
            "{file} differs"
        );
    }
    // Weights, BatchNorm statistics, alphas and both optimizers' moments, bit for bit.
    assert_eq!(checkpoint_tensors(&dir), checkpoint_tensors(&alone));
    let log = fs::read_to_string(dir.join("search.log")).unwrap();
    assert!(log.matches("resuming from").count() >= 2, "{log}");
}

#[test]
fn a_training_killed_and_resumed_ends_exactly_as_one_left_alone() {
    let root = tempfile::tempdir().unwrap();
    let alone = root.path().join("alone");
    run_to_end(&train_flags("--out", &alone));

    let dir = root.path().join("killed");
    let (killed, mid_write) =
        interrupted_run(&train_flags("--out", &dir), &train_flags("--resume", &dir), &dir, &KILLS);
    eprintln!("train: {killed} attempts killed, {mid_write} with a checkpoint half-written");
    assert!(killed >= 3, "only {killed} attempts were killed before finishing");

    assert_eq!(records(&dir), records(&alone), "metrics differ (wall-clock seconds aside)");
    for file in ["metrics.json", "genotype.json", "model.json", "config.toml"] {
        assert_eq!(
            fs::read_to_string(dir.join(file)).unwrap(),
            fs::read_to_string(alone.join(file)).unwrap(),
            "{file} differs"
        );
    }
    assert_eq!(
        fs::read(dir.join("weights.safetensors")).unwrap(),
        fs::read(alone.join("weights.safetensors")).unwrap(),
        "the trained weights differ"
    );
}

/// Every file of a folder with its bytes, to show what a refused resume changed.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect()
}

/// Asserts that between the snapshots `before` and `after` of a run folder only the log
/// changed, by lines added at its end that hold the refusal printed in `output`.
fn assert_only_the_log_grew(
    before: &BTreeMap<PathBuf, Vec<u8>>,
    after: &BTreeMap<PathBuf, Vec<u8>>,
    output: &Output,
) {
    fn is_log(path: &Path) -> bool {
        path.file_name().is_some_and(|name| name == "search.log")
    }
    fn without_log(map: &BTreeMap<PathBuf, Vec<u8>>) -> Vec<(&PathBuf, &Vec<u8>)> {
        map.iter().filter(|(path, _)| !is_log(path)).collect()
    }
    fn log_of(map: &BTreeMap<PathBuf, Vec<u8>>) -> String {
        let (_, bytes) = map.iter().find(|(path, _)| is_log(path)).expect("the run has a log");
        String::from_utf8_lossy(bytes).into_owned()
    }
    assert_eq!(without_log(after), without_log(before), "a refused resume changed the run's files");
    let (old, new) = (log_of(before), log_of(after));
    let added = new.strip_prefix(&old).expect("the log keeps its lines");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let error = error_line(&stderr);
    assert!(added.contains(error), "the log lacks the refusal:\n{new}");
}

fn assert_refused(output: &Output, fragments: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "expected exit code 2:\n{stderr}");
    for fragment in fragments {
        assert!(stderr.contains(fragment), "`{fragment}` missing from:\n{stderr}");
    }
}

/// A finished small search in a fresh folder.
fn finished_search(root: &Path) -> PathBuf {
    let dir = root.join("run");
    let mut flags = search_flags("--out", &dir);
    let epochs = flags.iter().position(|f| f == "--epochs").unwrap();
    flags[epochs + 1] = "1".into();
    run_to_end(&flags);
    dir
}

fn resume_args(plugin: &str, dir: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec![
        "-q".to_owned(),
        "--plugin".to_owned(),
        plugin_path(plugin).display().to_string(),
        "search".to_owned(),
        "--resume".to_owned(),
        dir.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn host(args: &[String]) -> Output {
    run_host(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn a_resume_with_other_settings_is_refused_naming_them_and_changes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let dir = finished_search(root.path());
    let before = snapshot(&dir);

    let output = host(&resume_args("conv2d", &dir, &["--epochs", "5", "--seed", "7"]));
    assert_refused(
        &output,
        &[
            "checkpoint.safetensors",
            "the setting `epochs` is 1 in the checkpoint but 5 now",
            "the setting `seed` is 2 in the checkpoint but 7 now",
        ],
    );
    assert_only_the_log_grew(&before, &snapshot(&dir), &output);

    // The checkpoint interval and the skip budget may change: they change no result.
    let output = host(&resume_args("conv2d", &dir, &["--checkpoint-every", "2"]));
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn a_checkpoint_of_another_plugin_version_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let dir = finished_search(root.path());

    // Rewrite the checkpoint as an older conv2d would have written it.
    let path = dir.join(checkpoint::FILE_NAME);
    let file = checkpoint::read(&path).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let state = file
        .state
        .replace(&format!("\"plugin.conv2d\":\"{version}\""), "\"plugin.conv2d\":\"0.0.1\"");
    assert_ne!(state, file.state, "the state names conv2d's version");
    let tensors: Vec<(String, tch::Tensor)> = file.tensors.into_iter().collect();
    checkpoint::write(&path, &tensors, &state).unwrap();

    let output = host(&resume_args("conv2d", &dir, &[]));
    assert_refused(
        &output,
        &[&format!(
            "the version of plugin `conv2d` is `0.0.1` in the checkpoint but `{version}` now"
        )],
    );
}

#[test]
fn a_resume_without_the_runs_plugin_is_refused_naming_its_primitives() {
    let root = tempfile::tempdir().unwrap();
    let dir = finished_search(root.path());
    let output = host(&resume_args("conv1d", &dir, &[]));
    assert_refused(&output, &["conv2d:"]);
}

#[test]
fn a_resume_on_changed_data_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let csv = root.path().join("table.csv");
    let mut text = String::from("a,b,c,y\n");
    for i in 0..120 {
        let x = i as f64 / 10.0;
        text.push_str(&format!("{x},{},{},{}\n", x * x, (x * 3.0).sin(), x.cos() * 2.0));
    }
    fs::write(&csv, &text).unwrap();
    let dir = root.path().join("run");
    let output = run_host(&[
        "-q",
        "--plugin",
        plugin_path("linear").to_str().unwrap(),
        "search",
        "--dataset",
        csv.to_str().unwrap(),
        "--targets",
        "y",
        "--epochs",
        "1",
        "--cells",
        "1",
        "--channels",
        "4",
        "--nodes",
        "2",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));

    fs::write(&csv, text.replace("\n1.5,", "\n1.6,")).unwrap();
    let output = host(&resume_args("linear", &dir, &[]));
    assert_refused(&output, &["the data set's sha256"]);
}

#[test]
fn a_folder_without_a_run_or_with_a_damaged_checkpoint_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let output = host(&resume_args("conv2d", root.path(), &[]));
    assert_refused(&output, &["not a search run folder", "config.toml"]);

    let dir = finished_search(root.path());
    let path = dir.join(checkpoint::FILE_NAME);
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..bytes.len() / 3]).unwrap();
    let output = host(&resume_args("conv2d", &dir, &[]));
    assert_refused(&output, &["is not a usable checkpoint", "checkpoint.safetensors"]);
}

/// A search over the faulty plugin's primitive, which returns NaN at the training-mode
/// forward calls `nan_at` lists. With one cell of two nodes each forward pass makes 5 calls,
/// and a first-order step makes two passes (alphas, then weights): step 3's architecture
/// pass makes calls 21-25, its weight pass calls 26-30.
fn faulty_search(nan_at: &str, dir: &Path, extra: &[&str]) -> Output {
    let plugin = plugin_path("faulty");
    let mut args = vec![
        "-q",
        "--plugin",
        plugin.to_str().unwrap(),
        "search",
        "--primitives",
        "faulty:faulty",
        "--epochs",
        "2",
        "--cells",
        "1",
        "--nodes",
        "2",
        "--channels",
        "4",
        "--batch-size",
        "32",
        "--checkpoint-every",
        "1",
        "--out",
        dir.to_str().unwrap(),
    ];
    args.extend(extra);
    let mode = format!("nan-at:{nan_at}");
    run_host_with_env(&args, &[("DARTS_FAULTY_MODE", mode.as_str())])
}

fn checkpoint_position(dir: &Path) -> (u64, u64) {
    let file = checkpoint::read(&dir.join(checkpoint::FILE_NAME)).unwrap();
    let state: serde_json::Value = serde_json::from_str(&file.state).unwrap();
    let position = &state["position"];
    (position["epoch"].as_u64().unwrap(), position["step"].as_u64().unwrap())
}

#[test]
fn a_nan_in_the_weight_step_stops_the_run_and_keeps_the_last_good_checkpoint() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("run");
    let output = faulty_search("26", &dir, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    for fragment in
        ["epoch 1, step 3", "weights", "non-finite", "epoch 1 step 2", "--skip-nonfinite"]
    {
        assert!(stderr.contains(fragment), "`{fragment}` missing from:\n{stderr}");
    }
    assert_eq!(checkpoint_position(&dir), (0, 2), "the checkpoint after step 2 is kept");
    assert!(!dir.join("genotype.json").exists());

    // The same run resumed with one skip allowed gets past the bad step and finishes.
    let output = run_host_with_env(
        &[
            "-q",
            "--plugin",
            plugin_path("faulty").to_str().unwrap(),
            "search",
            "--resume",
            dir.to_str().unwrap(),
            "--skip-nonfinite",
            "1",
        ],
        &[("DARTS_FAULTY_MODE", "nan-at:6")],
    );
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(records(&dir).len(), 2);
}

#[test]
fn a_nan_in_the_architecture_step_names_the_alphas() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("run");
    let output = faulty_search("21", &dir, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("epoch 1, step 3: alphas"), "{stderr}");
    assert_eq!(checkpoint_position(&dir), (0, 2));
}

#[test]
fn skipped_non_finite_steps_are_undone_and_counted() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("run");
    // Step 3's weight pass (call 26), then, counting on, step 5's architecture pass: after a
    // skipped weight pass the calls of step 4 are 31-40 and step 5's alpha pass 41-45.
    let output = faulty_search("26,41", &dir, &["--skip-nonfinite", "2"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let log = fs::read_to_string(dir.join("search.log")).unwrap();
    assert!(log.contains("epoch 1, step 3: weights"), "{log}");
    assert!(log.contains("epoch 1, step 5: alphas"), "{log}");
    assert!(log.contains("step skipped (2 of at most 2)"), "{log}");
    for record in records(&dir) {
        let loss = record["train_loss"].as_f64().expect("a finite training loss");
        assert!(loss.is_finite());
        for row in record["alphas_normal"].as_array().unwrap() {
            for w in row.as_array().unwrap() {
                assert!(w.as_f64().is_some_and(f64::is_finite), "{record}");
            }
        }
    }

    // One more bad step than allowed stops the run.
    let dir = root.path().join("strict");
    let output = faulty_search("26,41", &dir, &["--skip-nonfinite", "1"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("epoch 1, step 5: alphas"));
}

#[test]
fn a_nan_in_training_stops_it_and_a_skip_gets_past_it() {
    let root = tempfile::tempdir().unwrap();
    let cell = r#"{"edges":[{"primitive":"faulty:faulty","input":0},
        {"primitive":"faulty:faulty","input":1},{"primitive":"faulty:faulty","input":2},
        {"primitive":"faulty:faulty","input":1}],"concat":[2,3]}"#;
    let genotype = root.path().join("genotype.json");
    fs::write(&genotype, format!(r#"{{"normal":{cell},"reduce":{cell}}}"#)).unwrap();
    let plugin = plugin_path("faulty");
    let train = |dir: &Path, extra: &[&str]| {
        let mut args = vec![
            "-q",
            "--plugin",
            plugin.to_str().unwrap(),
            "train",
            "--genotype",
            genotype.to_str().unwrap(),
            "--epochs",
            "2",
            "--cells",
            "2",
            "--channels",
            "4",
            "--batch-size",
            "32",
            "--checkpoint-every",
            "1",
            "--out",
            dir.to_str().unwrap(),
        ];
        args.extend(extra);
        // Two cells of four edges: 8 training-mode calls per step, so call 20 is in step 3.
        run_host_with_env(&args, &[("DARTS_FAULTY_MODE", "nan-at:20")])
    };

    let dir = root.path().join("stopped");
    let output = train(&dir, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("epoch 1, step 3: weights"), "{stderr}");
    assert_eq!(checkpoint_position(&dir), (0, 2));
    assert!(!dir.join("weights.safetensors").exists());

    let dir = root.path().join("skipped");
    let output = train(&dir, &["--skip-nonfinite", "1"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let log = fs::read_to_string(dir.join("train.log")).unwrap();
    assert!(log.contains("epoch 1, step 3: weights") && log.contains("step skipped"), "{log}");
    assert!(dir.join("weights.safetensors").exists());
}
