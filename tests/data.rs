//! The data module: the built-in data sets (sizes, determinism, and that the generated tasks
//! can be learned by a small network but not by a baseline), splitting, standardizing, CSV
//! and NPY/NPZ round trips through files, and one test per kind of bad data, each checking
//! that the message names the file and the row or array at fault.

use std::path::{Path, PathBuf};

use darts_host::data::{
    builtin, builtin_names, default_for, read_csv, read_inputs_npy, read_npy, read_npz, write_npy,
    write_npz, CsvOptions, Dataset, Splits, Standardizer, Task, TaskKind,
};
use darts_plugin_api::Layout;
use tch::nn::{self, Module, OptimizerConfig};
use tch::{Device, Kind, Tensor};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// A fresh temporary folder; dropped (and deleted) with the test.
fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder can be created")
}

/// Writes `text` to `name` in `dir` and returns the path.
fn write_text(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The options for targets `targets`, of which `classification` are class labels.
fn csv_options(targets: &[&str], classification: &[&str]) -> CsvOptions {
    CsvOptions {
        targets: targets.iter().map(|name| name.to_string()).collect(),
        classification: classification.iter().map(|name| name.to_string()).collect(),
    }
}

/// The error message of a call that must fail.
fn error_of<T: std::fmt::Debug>(result: darts_host::data::Result<T>) -> String {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(error) => error.to_string(),
    }
}

/// Asserts `message` contains every one of `parts`.
fn assert_mentions(message: &str, parts: &[&str]) {
    // Shown with --nocapture, to read the messages as a user would.
    println!("{message}");
    for part in parts {
        assert!(message.contains(part), "`{part}` missing from: {message}");
    }
}

/// The bytes of an NPY version 1 file written by hand, independently of the crate the
/// reader uses: `descr` such as `<f4`, the shape as a Python tuple such as `(2, 3)`.
fn npy_bytes(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
    let order = if fortran { "True" } else { "False" };
    let mut header =
        format!("{{'descr': '{descr}', 'fortran_order': {order}, 'shape': {shape}, }}");
    // NumPy pads the header with spaces to a multiple of 64 bytes, ending in a newline.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');

    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    bytes.extend(data);
    bytes
}

/// Little-endian float32 bytes.
fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|value| value.to_le_bytes()).collect()
}

/// Little-endian int64 bytes.
fn i64_bytes(values: &[i64]) -> Vec<u8> {
    values.iter().flat_map(|value| value.to_le_bytes()).collect()
}

/// A flat data set whose single feature and regression target are the sample's index, so
/// splits can be traced back to samples.
fn indexed(samples: i64) -> Dataset {
    let ids = Tensor::arange(samples, (Kind::Float, Device::Cpu));
    Dataset::new(
        "indexed",
        Layout::Flat,
        ids.reshape([samples, 1]),
        vec![Task::regression("id")],
        vec![ids],
    )
    .unwrap()
}

/// The sample indices of a part of a split of [`indexed`].
fn ids(part: &Dataset) -> Vec<i64> {
    Vec::<f32>::try_from(&part.targets[0]).unwrap().into_iter().map(|id| id as i64).collect()
}

/// The fraction of `logits.argmax(1)` equal to `labels`.
fn accuracy(logits: &Tensor, labels: &Tensor) -> f64 {
    logits
        .argmax(1, false)
        .eq_tensor(labels)
        .to_kind(Kind::Float)
        .mean(Kind::Float)
        .double_value(&[])
}

/// The share of the most frequent label: what always guessing it scores.
fn majority(labels: &Tensor, classes: i64) -> f64 {
    let counts = labels.bincount::<Tensor>(None, classes);
    counts.max().double_value(&[]) / labels.size()[0] as f64
}

// ---------------------------------------------------------------------------------------
// Built-in data sets
// ---------------------------------------------------------------------------------------

#[test]
fn digits_has_1797_images_of_8x8_in_10_classes_scaled_to_unit_range() {
    let digits = builtin("digits", 0).unwrap();

    assert_eq!(digits.len(), 1797);
    assert_eq!(digits.layout, Layout::Image);
    assert_eq!(digits.inputs.size(), [1797, 1, 8, 8]);
    assert_eq!(digits.tasks, [Task::classification("digit", 10)]);
    assert_eq!(digits.inputs.min().double_value(&[]), 0.0);
    assert_eq!(digits.inputs.max().double_value(&[]), 1.0);

    // Every digit occurs, roughly 180 times each, and the first image is a 0 (as in
    // scikit-learn's load_digits).
    let labels = &digits.targets[0];
    let counts = Vec::<i64>::try_from(&labels.bincount::<Tensor>(None, 10)).unwrap();
    assert!(counts.iter().all(|&count| (170..=190).contains(&count)), "{counts:?}");
    assert_eq!(labels.int64_value(&[0]), 0);
}

#[test]
fn breast_cancer_has_569_rows_of_30_features_in_2_classes() {
    let cancer = builtin("breast-cancer", 0).unwrap();

    assert_eq!(cancer.layout, Layout::Flat);
    assert_eq!(cancer.inputs.size(), [569, 30]);
    assert_eq!(cancer.tasks, [Task::classification("diagnosis", 2)]);

    // 212 malignant (class 0), 357 benign (class 1); the first row's mean radius is 17.99.
    let counts = Vec::<i64>::try_from(&cancer.targets[0].bincount::<Tensor>(None, 2)).unwrap();
    assert_eq!(counts, [212, 357]);
    assert!((cancer.inputs.double_value(&[0, 0]) - 17.99).abs() < 1e-4);
}

#[test]
fn builtin_names_and_defaults_cover_every_layout() {
    assert_eq!(builtin_names(), ["digits", "breast-cancer", "motifs", "uno"]);
    for layout in [Layout::Flat, Layout::Sequence, Layout::Image] {
        let name = default_for(layout);
        assert!(builtin_names().contains(&name));
        assert_eq!(builtin(name, 0).unwrap().layout, layout, "{name}");
    }

    let message = error_of(builtin("mnist", 0));
    assert_mentions(
        &message,
        &["no built-in data set `mnist`", "digits, breast-cancer, motifs, uno"],
    );
}

#[test]
fn motifs_is_one_hot_with_two_tasks_and_deterministic_per_seed() {
    let first = builtin("motifs", 7).unwrap();
    let again = builtin("motifs", 7).unwrap();
    let other = builtin("motifs", 8).unwrap();

    assert_eq!(first.layout, Layout::Sequence);
    assert_eq!(first.inputs.size(), [2000, 8, 32]);
    assert_eq!(first.tasks, [Task::classification("motif", 4), Task::classification("count", 2)]);
    // One symbol per position.
    assert!(
        first.inputs.sum_dim_intlist(1, false, Kind::Float).eq(1.0).all().int64_value(&[]) == 1
    );

    assert!(first.inputs.equal(&again.inputs));
    assert!(first.targets.iter().zip(&again.targets).all(|(a, b)| a.equal(b)));
    assert!(!first.inputs.equal(&other.inputs));
    assert!(!first.targets[0].equal(&other.targets[0]));
}

#[test]
fn uno_is_a_flat_regression_and_deterministic_per_seed() {
    let first = builtin("uno", 7).unwrap();
    let again = builtin("uno", 7).unwrap();
    let other = builtin("uno", 8).unwrap();

    assert_eq!(first.layout, Layout::Flat);
    assert_eq!(first.inputs.size(), [3000, 48]);
    assert_eq!(first.tasks, [Task::regression("growth")]);
    let growth = &first.targets[0];
    assert!(growth.abs().max().double_value(&[]) < 1.6, "growth is squashed into about [-1, 1]");
    assert!(growth.std(false).double_value(&[]) > 0.3, "growth varies");

    assert!(first.inputs.equal(&again.inputs) && first.targets[0].equal(&again.targets[0]));
    assert!(!first.inputs.equal(&other.inputs));
    assert!(!first.targets[0].equal(&other.targets[0]));
}

/// Trains `model` with Adam on minibatches of `train`; `loss` maps a batch's outputs and
/// targets to a scalar.
fn fit<M: Module>(
    store: &nn::VarStore,
    model: &M,
    inputs: &Tensor,
    targets: &[Tensor],
    epochs: i64,
    learning_rate: f64,
    loss: impl Fn(&Tensor, &[Tensor]) -> Tensor,
) {
    let mut optimizer = nn::Adam::default().build(store, learning_rate).unwrap();
    let samples = inputs.size()[0];
    for _ in 0..epochs {
        let order = Tensor::randperm(samples, (Kind::Int64, Device::Cpu));
        for start in (0..samples).step_by(64) {
            let batch = order.narrow(0, start, 64.min(samples - start));
            let batch_targets: Vec<Tensor> =
                targets.iter().map(|target| target.index_select(0, &batch)).collect();
            let outputs = model.forward(&inputs.index_select(0, &batch));
            optimizer.backward_step(&loss(&outputs, &batch_targets));
        }
    }
}

/// A two-head classifier: outputs `[batch, 4 + 2]`, the `motif` logits then the `count` ones.
fn two_head_loss(outputs: &Tensor, targets: &[Tensor]) -> Tensor {
    outputs.narrow(1, 0, 4).cross_entropy_for_logits(&targets[0])
        + outputs.narrow(1, 4, 2).cross_entropy_for_logits(&targets[1])
}

#[test]
fn motifs_tasks_are_learned_by_a_small_conv_net_but_not_from_symbol_counts() {
    tch::manual_seed(0);
    let data = builtin("motifs", 1).unwrap();
    let (train, _, test) = data.split(Splits::new(0.7, 0.1, 0.2), 1).unwrap();

    // Conv1d (kernel 5) + global max pool + one linear layer for both heads.
    let store = nn::VarStore::new(Device::Cpu);
    let root = store.root();
    let conv =
        nn::conv1d(&root / "conv", 8, 32, 5, nn::ConvConfig { padding: 2, ..Default::default() });
    let heads = nn::linear(&root / "heads", 32, 6, Default::default());
    let net = nn::func(move |xs| heads.forward(&xs.apply(&conv).relu().amax([2], false)));
    fit(&store, &net, &train.inputs, &train.targets, 15, 1e-2, two_head_loss);

    // Baseline: a linear model on how often each symbol occurs, [batch, 8].
    let baseline_store = nn::VarStore::new(Device::Cpu);
    let linear = nn::linear(baseline_store.root() / "linear", 8, 6, Default::default());
    let counts = |inputs: &Tensor| inputs.sum_dim_intlist(2, false, Kind::Float);
    fit(&baseline_store, &linear, &counts(&train.inputs), &train.targets, 15, 1e-2, two_head_loss);

    let outputs = tch::no_grad(|| net.forward(&test.inputs));
    let baseline = tch::no_grad(|| linear.forward(&counts(&test.inputs)));
    let (motif, count) = (&test.targets[0], &test.targets[1]);
    let net_motif = accuracy(&outputs.narrow(1, 0, 4), motif);
    let net_count = accuracy(&outputs.narrow(1, 4, 2), count);
    let linear_motif = accuracy(&baseline.narrow(1, 0, 4), motif);
    let linear_count = accuracy(&baseline.narrow(1, 4, 2), count);
    let (majority_motif, majority_count) = (majority(motif, 4), majority(count, 2));
    println!(
        "motif: conv {net_motif:.3}, counts {linear_motif:.3}, majority {majority_motif:.3}; \
         count: conv {net_count:.3}, counts {linear_count:.3}, majority {majority_count:.3}"
    );

    // Chance is 0.25 and 0.5; the counts carry no information by construction.
    assert!(net_motif >= 0.95 && net_count >= 0.95, "conv net: {net_motif}, {net_count}");
    assert!(linear_motif <= 0.4 && linear_count <= 0.62, "counts: {linear_motif}, {linear_count}");
    assert!(majority_motif <= 0.35 && majority_count <= 0.6);
}

/// The coefficient of determination of `predictions` for `targets`, both `[N]`.
fn r_squared(predictions: &Tensor, targets: &Tensor) -> f64 {
    let residual = (predictions - targets).square().mean(Kind::Float).double_value(&[]);
    1.0 - residual / targets.var(false).double_value(&[])
}

#[test]
fn uno_growth_is_learned_by_a_small_mlp_better_than_by_a_linear_model() {
    tch::manual_seed(0);
    let data = builtin("uno", 1).unwrap();
    let (train, _, test) = data.split(Splits::new(0.7, 0.1, 0.2), 1).unwrap();
    let standardizer = Standardizer::fit(&train).unwrap();
    let (train, test) = (standardizer.apply(&train).unwrap(), standardizer.apply(&test).unwrap());

    // A 2-layer MLP, 48 -> 64 -> 64 -> 1.
    let store = nn::VarStore::new(Device::Cpu);
    let root = store.root();
    let mlp = nn::seq()
        .add(nn::linear(&root / "l1", 48, 64, Default::default()))
        .add_fn(|xs| xs.relu())
        .add(nn::linear(&root / "l2", 64, 64, Default::default()))
        .add_fn(|xs| xs.relu())
        .add(nn::linear(&root / "l3", 64, 1, Default::default()));
    let mse = |outputs: &Tensor, targets: &[Tensor]| {
        outputs.squeeze_dim(1).mse_loss(&targets[0], tch::Reduction::Mean)
    };
    fit(&store, &mlp, &train.inputs, &train.targets, 40, 3e-3, mse);

    // Baseline: least squares on the features plus a constant.
    let with_bias = |inputs: &Tensor| {
        Tensor::cat(
            &[
                inputs.to_kind(Kind::Double),
                inputs.ones_like().narrow(1, 0, 1).to_kind(Kind::Double),
            ],
            1,
        )
    };
    let x = with_bias(&train.inputs);
    let gram = x.transpose(0, 1).matmul(&x);
    let moments = x.transpose(0, 1).matmul(&train.targets[0].to_kind(Kind::Double).unsqueeze(1));
    let weights = Tensor::linalg_solve(&gram, &moments, true);
    let linear = with_bias(&test.inputs).matmul(&weights).squeeze_dim(1).to_kind(Kind::Float);

    let mlp_r2 =
        r_squared(&tch::no_grad(|| mlp.forward(&test.inputs)).squeeze_dim(1), &test.targets[0]);
    let linear_r2 = r_squared(&linear, &test.targets[0]);
    println!("uno held-out R^2: MLP {mlp_r2:.3}, linear {linear_r2:.3}");

    // Predicting the mean scores 0; the noise caps R^2 near 0.95.
    assert!(mlp_r2 >= 0.75, "MLP R^2 {mlp_r2}");
    assert!(mlp_r2 >= linear_r2 + 0.4, "MLP R^2 {mlp_r2}, linear {linear_r2}");
}

// ---------------------------------------------------------------------------------------
// Splitting and standardizing
// ---------------------------------------------------------------------------------------

#[test]
fn split_is_deterministic_disjoint_and_complete() {
    let data = indexed(100);
    let fractions = Splits::new(0.6, 0.25, 0.15);

    let (train, valid, test) = data.split(fractions, 3).unwrap();
    assert_eq!((train.len(), valid.len(), test.len()), (60, 25, 15));
    let mut all: Vec<i64> = [ids(&train), ids(&valid), ids(&test)].concat();
    all.sort_unstable();
    assert_eq!(all, (0..100).collect::<Vec<_>>(), "every sample in exactly one part");

    // Inputs and targets move together.
    assert!(train.inputs.squeeze_dim(1).equal(&train.targets[0]));

    let (again, _, _) = data.split(fractions, 3).unwrap();
    assert_eq!(ids(&train), ids(&again), "same seed, same split");
    let (other, _, _) = data.split(fractions, 4).unwrap();
    assert_ne!(ids(&train), ids(&other), "another seed, another split");
    assert_ne!(ids(&train), (0..60).collect::<Vec<_>>(), "the split is shuffled");
}

#[test]
fn split_refuses_to_leave_a_part_empty() {
    let message = error_of(indexed(10).split(Splits::new(0.9, 0.1, 0.0), 0));
    assert_mentions(&message, &["`indexed` (10 samples)", "leaves the test set empty"]);

    let message = error_of(indexed(3).split(Splits::new(0.5, 0.4, 0.1), 0));
    assert_mentions(&message, &["leaves the test set empty"]);

    let message = error_of(indexed(10).split(Splits::new(0.5, 0.3, 0.3), 0));
    assert_mentions(&message, &["add up to 1"]);
}

#[test]
fn subset_takes_samples_in_the_given_order() {
    let subset = indexed(10).subset(&[7, 2, 2]);
    assert_eq!(ids(&subset), [7, 2, 2]);
    assert_eq!(subset.inputs.size(), [3, 1]);
}

#[test]
fn standardizer_uses_training_statistics_per_feature() {
    // Feature 0 is 10 + 2 * noise, feature 1 is constant 5.
    tch::manual_seed(0);
    let samples = 4000;
    let noise = Tensor::randn([samples, 1], (Kind::Float, Device::Cpu));
    let inputs = Tensor::cat(
        &[noise * 2.0 + 10.0, Tensor::full([samples, 1], 5.0, (Kind::Float, Device::Cpu))],
        1,
    );
    let target = Tensor::zeros([samples], (Kind::Float, Device::Cpu));
    let data =
        Dataset::new("gauss", Layout::Flat, inputs, vec![Task::regression("t")], vec![target])
            .unwrap();
    let (train, valid, _) = data.split(Splits::new(0.5, 0.25, 0.25), 0).unwrap();

    let standardizer = Standardizer::fit(&train).unwrap();
    let mean = Vec::<f32>::try_from(standardizer.mean()).unwrap();
    let std = Vec::<f32>::try_from(standardizer.std()).unwrap();
    assert!((mean[0] - 10.0).abs() < 0.15 && (std[0] - 2.0).abs() < 0.1, "{mean:?} {std:?}");
    assert_eq!((mean[1], std[1]), (5.0, 1.0), "a constant feature is only centred");

    // The training set comes out at mean 0, std 1; the validation set close to it, with
    // the training statistics (not its own).
    let train = standardizer.apply(&train).unwrap();
    let column = train.inputs.select(1, 0);
    assert!(column.mean(Kind::Float).double_value(&[]).abs() < 1e-4);
    assert!((column.std(false).double_value(&[]) - 1.0).abs() < 1e-4);
    let valid_standardized = standardizer.apply(&valid).unwrap();
    let expected = (valid.inputs.select(1, 0) - f64::from(mean[0])) / f64::from(std[0]);
    assert!(valid_standardized.inputs.select(1, 0).allclose(&expected, 1e-5, 1e-5, false));
    assert_eq!(valid_standardized.inputs.select(1, 1).abs().max().double_value(&[]), 0.0);
}

#[test]
fn standardizer_works_per_channel_on_sequences_and_refuses_other_widths() {
    let motifs = builtin("motifs", 0).unwrap();
    let standardizer = Standardizer::fit(&motifs).unwrap();
    assert_eq!(standardizer.mean().size(), [8]);

    // Each channel of the result has mean 0 over samples and positions.
    let standardized = standardizer.apply(&motifs).unwrap();
    let means = standardized.inputs.mean_dim([0, 2].as_slice(), false, Kind::Float);
    assert!(means.abs().max().double_value(&[]) < 1e-5);

    let message = error_of(standardizer.apply(&indexed(5)));
    assert_mentions(&message, &["`indexed`", "8 channels"]);
}

// ---------------------------------------------------------------------------------------
// Round trips through files
// ---------------------------------------------------------------------------------------

#[test]
fn csv_round_trip_with_class_and_regression_targets() {
    let dir = tempdir();
    let path = write_text(
        dir.path(),
        "cells.csv",
        "dose, species ,size,viability\n\
         0.5,cat,1e1,0.25\n\
         1.5,\"dog\",20,-0.5\n\
         2.5,cat,30,1\n",
    );

    let data = read_csv(&path, &csv_options(&["species", "viability"], &["species"])).unwrap();

    assert_eq!(data.name, "cells");
    assert_eq!(data.layout, Layout::Flat);
    assert_eq!(data.tasks, [Task::classification("species", 2), Task::regression("viability")]);
    let features = Vec::<Vec<f32>>::try_from(&data.inputs).unwrap();
    assert_eq!(features, [[0.5, 10.0], [1.5, 20.0], [2.5, 30.0]]);
    assert_eq!(Vec::<i64>::try_from(&data.targets[0]).unwrap(), [0, 1, 0]);
    assert_eq!(Vec::<f32>::try_from(&data.targets[1]).unwrap(), [0.25, -0.5, 1.0]);
    assert_eq!(data.target("viability").unwrap().size(), [3]);
}

#[test]
fn npz_round_trip_keeps_every_layout_and_task() {
    let dir = tempdir();
    for name in ["digits", "motifs", "uno"] {
        let data = builtin(name, 0).unwrap();
        let path = dir.path().join(format!("{name}.npz"));
        data.write_npz(&path).unwrap();

        let back = read_npz(&path).unwrap();
        assert_eq!(back.name, name);
        assert_eq!(back.layout, data.layout);
        assert_eq!(back.tasks, data.tasks);
        assert!(back.inputs.equal(&data.inputs), "{name}");
        assert!(back.targets.iter().zip(&data.targets).all(|(a, b)| a.equal(b)), "{name}");
    }
}

#[test]
fn npz_accepts_uint8_and_float64_inputs_and_column_targets() {
    let dir = tempdir();
    let path = dir.path().join("pixels.npz");
    let x = Tensor::from_slice(&[0u8, 255, 7, 9, 1, 2, 3, 4]).reshape([2, 1, 2, 2]);
    let y = Tensor::from_slice(&[1i32, 0]).reshape([2, 1]);
    let scores = Tensor::from_slice(&[0.5f64, -1.5]);
    write_npz(&path, &[("x", &x), ("y", &y), ("y_score", &scores)]).unwrap();

    let data = read_npz(&path).unwrap();
    assert_eq!(data.layout, Layout::Image);
    assert_eq!(data.inputs.kind(), Kind::Float);
    assert_eq!(data.inputs.double_value(&[0, 0, 0, 1]), 255.0);
    assert_eq!(data.tasks, [Task::classification("y", 2), Task::regression("score")]);
    assert_eq!(Vec::<i64>::try_from(&data.targets[0]).unwrap(), [1, 0]);
    assert_eq!(Vec::<f32>::try_from(&data.targets[1]).unwrap(), [0.5, -1.5]);
    assert!(matches!(data.tasks[0].kind, TaskKind::Classification { classes: 2 }));

    let path = dir.path().join("doubles.npz");
    let x = Tensor::from_slice(&[1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0]).reshape([2, 3]);
    write_npz(&path, &[("x", &x), ("y", &Tensor::from_slice(&[1i64, 1]))]).unwrap();
    let data = read_npz(&path).unwrap();
    assert_eq!((data.layout, data.input_shape()), (Layout::Flat, vec![3]));
}

#[test]
fn npy_pair_written_by_hand_reads_including_fortran_order() {
    let dir = tempdir();

    // x is [2, 3] = [[1, 2, 3], [4, 5, 6]], stored column by column (Fortran order).
    let x_path = dir.path().join("x.npy");
    let columns = f32_bytes(&[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    std::fs::write(&x_path, npy_bytes("<f4", true, "(2, 3)", &columns)).unwrap();
    let y_path = dir.path().join("y.npy");
    std::fs::write(&y_path, npy_bytes("<i8", false, "(2,)", &i64_bytes(&[2, 0]))).unwrap();

    let data = read_npy(&x_path, &y_path).unwrap();
    assert_eq!(
        Vec::<Vec<f32>>::try_from(&data.inputs).unwrap(),
        [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    );
    assert_eq!(data.tasks, [Task::classification("y", 3)]);

    // The crate-written form of the same data reads the same.
    write_npy(&x_path, &data.inputs).unwrap();
    write_npy(&y_path, &data.targets[0]).unwrap();
    let again = read_npy(&x_path, &y_path).unwrap();
    assert!(again.inputs.equal(&data.inputs) && again.targets[0].equal(&data.targets[0]));
}

// ---------------------------------------------------------------------------------------
// Bad CSV files: each message names the file and the row (the header is row 1)
// ---------------------------------------------------------------------------------------

/// Reads `text` as `name` in a fresh folder with targets `y` (a class label) and returns the
/// error message.
fn csv_error(name: &str, text: &str) -> String {
    let dir = tempdir();
    let path = write_text(dir.path(), name, text);
    error_of(read_csv(path, &csv_options(&["y"], &["y"])))
}

#[test]
fn csv_ragged_row() {
    let message = csv_error("ragged.csv", "a,b,y\n1,2,0\n3,4\n");
    assert_mentions(&message, &["ragged.csv, row 3", "2 cells", "3 columns"]);
}

#[test]
fn csv_non_numeric_feature() {
    let message = csv_error("words.csv", "a,b,y\n1,2,0\n3,four,1\n");
    assert_mentions(&message, &["words.csv, row 3, column `b`", "`four` is not a number"]);
}

#[test]
fn csv_missing_cell() {
    let message = csv_error("holes.csv", "a,b,y\n1,2,0\n3,,1\n");
    assert_mentions(&message, &["holes.csv, row 3, column `b` is empty"]);
}

#[test]
fn csv_missing_target_column() {
    let message = csv_error("nolabel.csv", "a,b,label\n1,2,0\n");
    assert_mentions(&message, &["nolabel.csv has no column `y`", "a, b, label"]);
}

#[test]
fn csv_label_that_is_not_an_integer() {
    let message = csv_error("fraction.csv", "a,y\n1,0\n2,0.5\n");
    assert_mentions(&message, &["fraction.csv, row 3, column `y`", "label 0.5 is not an integer"]);
}

#[test]
fn csv_negative_label() {
    let message = csv_error("negative.csv", "a,y\n1,0\n2,1\n3,-1\n");
    assert_mentions(&message, &["negative.csv, row 4, column `y`", "label -1 is negative"]);
}

#[test]
fn csv_nan_and_infinity() {
    let message = csv_error("nan.csv", "a,y\n1,0\nNaN,1\n");
    assert_mentions(&message, &["nan.csv, row 3, column `a`", "NaN is not a finite"]);
    let message = csv_error("inf.csv", "a,y\n1e39,0\n");
    assert_mentions(&message, &["inf.csv, row 2, column `a`", "1e39 is not a finite 32-bit float"]);
}

#[test]
fn csv_empty_file_and_header_only() {
    let message = csv_error("empty.csv", "");
    assert_mentions(&message, &["empty.csv holds no data", "the file is empty"]);
    let message = csv_error("header.csv", "a,y\n");
    assert_mentions(&message, &["header.csv holds no data", "no data rows"]);
}

#[test]
fn csv_header_problems() {
    let message = csv_error("unnamed.csv", ",a,y\n0,1,0\n");
    assert_mentions(&message, &["unnamed.csv, row 1", "column 1 has no name"]);
    let message = csv_error("twice.csv", "a,a,y\n0,1,0\n");
    assert_mentions(&message, &["twice.csv, row 1", "`a` appears twice"]);
    let message = csv_error("only.csv", "y\n0\n");
    assert_mentions(&message, &["only.csv has no feature columns"]);
}

#[test]
fn csv_not_utf8() {
    let dir = tempdir();
    let path = dir.path().join("latin1.csv");
    std::fs::write(&path, b"a,y\n1,0\n\n2,caf\xe9\n").unwrap();
    let message = error_of(read_csv(path, &csv_options(&["y"], &["y"])));
    assert_mentions(&message, &["latin1.csv, row 4", "UTF-8"]);
}

#[test]
fn csv_missing_file() {
    let dir = tempdir();
    let message = error_of(read_csv(dir.path().join("absent.csv"), &csv_options(&["y"], &[])));
    assert_mentions(&message, &["could not read", "absent.csv"]);
}

// ---------------------------------------------------------------------------------------
// Bad NPY and NPZ files: each message names the file and the array
// ---------------------------------------------------------------------------------------

/// Writes `arrays` as `name` in a fresh folder and returns the error reading it gives.
fn npz_error(name: &str, arrays: &[(&str, &Tensor)]) -> String {
    let dir = tempdir();
    let path = dir.path().join(name);
    write_npz(&path, arrays).unwrap();
    error_of(read_npz(path))
}

/// Five flat samples of two features.
fn five_by_two() -> Tensor {
    Tensor::arange(10, (Kind::Float, Device::Cpu)).reshape([5, 2])
}

#[test]
fn npz_inputs_of_a_rank_no_layout_has() {
    let labels = Tensor::zeros([5], (Kind::Int64, Device::Cpu));
    let x = Tensor::zeros([5], (Kind::Float, Device::Cpu));
    let message = npz_error("rank1.npz", &[("x", &x), ("y", &labels)]);
    assert_mentions(&message, &["rank1.npz, array `x` has shape [5]", "[N, channels, length]"]);
    let x = Tensor::zeros([5, 1, 2, 2, 2], (Kind::Float, Device::Cpu));
    let message = npz_error("rank5.npz", &[("x", &x), ("y", &labels)]);
    assert_mentions(&message, &["rank5.npz, array `x` has shape [5, 1, 2, 2, 2]"]);
}

#[test]
fn npz_target_of_the_wrong_shape() {
    let y = Tensor::zeros([5, 2], (Kind::Int64, Device::Cpu));
    let message = npz_error("wide.npz", &[("x", &five_by_two()), ("y", &y)]);
    assert_mentions(&message, &["wide.npz, array `y` has shape [5, 2]", "one value per sample"]);
}

#[test]
fn npz_x_and_y_of_different_lengths() {
    let y = Tensor::zeros([4], (Kind::Int64, Device::Cpu));
    let message = npz_error("short.npz", &[("x", &five_by_two()), ("y_kind", &y)]);
    assert_mentions(
        &message,
        &["short.npz, array `x` has 5 samples", "short.npz, array `y_kind` has 4"],
    );
}

#[test]
fn npz_nan_in_inputs_and_infinity_in_targets() {
    let labels = Tensor::zeros([5], (Kind::Int64, Device::Cpu));
    let x = five_by_two();
    let _ = x.get(2).get(1).fill_(f64::NAN);
    let message = npz_error("nan.npz", &[("x", &x), ("y", &labels)]);
    assert_mentions(&message, &["nan.npz, array `x`, sample 2", "NaN is not a finite"]);

    let y = Tensor::from_slice(&[0.0f32, 1.0, 2.0, f32::INFINITY, 4.0]);
    let message = npz_error("inf.npz", &[("x", &five_by_two()), ("y", &y)]);
    assert_mentions(&message, &["inf.npz, array `y`, sample 3", "inf is not a finite"]);
}

#[test]
fn npz_negative_label() {
    let y = Tensor::from_slice(&[0i64, -1, 1, 0, 1]);
    let message = npz_error("negative.npz", &[("x", &five_by_two()), ("y", &y)]);
    assert_mentions(&message, &["negative.npz, array `y`, sample 1", "label -1 is negative"]);
}

#[test]
fn npz_missing_x_or_y() {
    let y = Tensor::zeros([5], (Kind::Int64, Device::Cpu));
    let message = npz_error("nox.npz", &[("inputs", &five_by_two()), ("y", &y)]);
    assert_mentions(&message, &["nox.npz has no array `x`", "`inputs`, `y`"]);
    let message = npz_error("noy.npz", &[("x", &five_by_two()), ("labels", &y)]);
    assert_mentions(&message, &["noy.npz has no array `y`", "y_<task>"]);
}

#[test]
fn npz_empty_file_garbage_and_truncation() {
    let dir = tempdir();
    let empty = write_text(dir.path(), "empty.npz", "");
    assert_mentions(&error_of(read_npz(&empty)), &["empty.npz holds no data"]);

    let garbage = write_text(dir.path(), "garbage.npz", "x,y\n1,2\n");
    assert_mentions(&error_of(read_npz(&garbage)), &["garbage.npz: not a readable NumPy file"]);

    // A valid file cut short, and one with a byte of x's data changed (the zip checksum).
    let path = dir.path().join("whole.npz");
    builtin("digits", 0).unwrap().write_npz(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let cut = dir.path().join("cut.npz");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    assert_mentions(&error_of(read_npz(&cut)), &["cut.npz", "not a readable NumPy file"]);
    let mut flipped = bytes.clone();
    flipped[1000] ^= 0xff;
    let changed = dir.path().join("changed.npz");
    std::fs::write(&changed, &flipped).unwrap();
    assert_mentions(&error_of(read_npz(&changed)), &["changed.npz, array `x`", "not a readable"]);
}

#[test]
fn npy_with_too_little_data_or_an_unsupported_dtype() {
    let dir = tempdir();
    let y_path = dir.path().join("y.npy");
    std::fs::write(&y_path, npy_bytes("<i8", false, "(2,)", &i64_bytes(&[0, 1]))).unwrap();

    let short = dir.path().join("short.npy");
    std::fs::write(&short, npy_bytes("<f4", false, "(2, 5)", &f32_bytes(&[1.0, 2.0]))).unwrap();
    let message = error_of(read_npy(&short, &y_path));
    assert_mentions(
        &message,
        &["short.npy, array `x`", "needs 40 bytes of data, but the file has 8"],
    );

    let huge = dir.path().join("huge.npy");
    std::fs::write(&huge, npy_bytes("<f8", false, "(4294967296, 4294967296)", &[])).unwrap();
    let message = error_of(read_npy(&huge, &y_path));
    assert_mentions(&message, &["huge.npy, array `x`", "more than the"]);

    let strings = dir.path().join("strings.npy");
    std::fs::write(&strings, npy_bytes("<U1", false, "(2,)", &[b'a', 0, 0, 0, b'b', 0, 0, 0]))
        .unwrap();
    let x_path = dir.path().join("x.npy");
    write_npy(&x_path, &Tensor::zeros([2, 3], (Kind::Float, Device::Cpu))).unwrap();
    let message = error_of(read_npy(&x_path, &strings));
    assert_mentions(&message, &["strings.npy, array `y` has dtype '<U1'", "not supported"]);
}

/// Found by fuzzing (fuzz/corpus/npz/seed-crash-shape-overflow.bin): npyz multiplies the
/// sizes of a shape unchecked, so a header such as `(4, 12071166809358175799)` panicked in a
/// build with overflow checks (`cargo test` without `--release`), which the reader's guard
/// turned into "the parser failed: attempt to multiply with overflow". Headers whose numbers
/// could overflow are now refused before npyz reads them; ordinary ones in any base still read.
#[test]
fn npy_header_whose_shape_could_overflow_is_refused_before_it_is_parsed() {
    let dir = tempdir();
    let path = dir.path().join("big.npy");
    for shape in [
        "(4, 12071166809358175799)",
        "(0x4000_0000_0000_0000, 4)",
        "(0o1_000_000_000_000_000_000_000, 2)",
        "(3, 9223372036854775807 + 9223372036854775807)",
    ] {
        std::fs::write(&path, npy_bytes("<f4", false, shape, &[])).unwrap();
        let message = error_of(read_inputs_npy(&path));
        assert_mentions(&message, &["big.npy, array `x`", "more than the"]);
    }

    let values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    std::fs::write(&path, npy_bytes("<f4", false, "(0b10, 0x_3)", &f32_bytes(&values))).unwrap();
    let (layout, inputs) = read_inputs_npy(&path).unwrap();
    assert_eq!(layout, Layout::Flat);
    assert_eq!(inputs.size(), [2, 3]);
}

#[test]
fn npy_x_and_y_of_different_lengths_name_both_files() {
    let dir = tempdir();
    let x_path = dir.path().join("inputs.npy");
    let y_path = dir.path().join("labels.npy");
    write_npy(&x_path, &five_by_two()).unwrap();
    write_npy(&y_path, &Tensor::from_slice(&[0i64, 1, 0])).unwrap();
    let message = error_of(read_npy(&x_path, &y_path));
    assert_mentions(
        &message,
        &["inputs.npy, array `x` has 5 samples", "labels.npy, array `y` has 3"],
    );
}
