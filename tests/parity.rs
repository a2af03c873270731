//! Numerical parity of every primitive of the built-in plugins with PyTorch reference
//! modules, and equal parameter counts.
//!
//! The fixtures in `tests/parity/fixtures/` are written by `tests/parity/make_fixtures.py`,
//! whose docstring gives the key scheme; `tests/parity/README.md` says how to regenerate
//! them. For each case (a primitive at one stride, with or without affine BatchNorm) the
//! test builds the primitive from the real plugin library, loads the reference module's
//! parameters and buffers into the host's variable store by name, and compares the
//! train-mode output, the input and parameter gradients, the running statistics after the
//! train-mode forward and the eval-mode output, each within [`TOLERANCE`] (parameter
//! gradients within a relative tolerance on top, see [`Tolerance::Relative`]).
//!
//! Every primitive a plugin lists must have fixtures, so a new primitive fails here until
//! its reference module is added to the script.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use darts_host::plugins::{PluginSet, PrimitiveId};
use darts_plugin_api::PrimitiveSpec;
use darts_tests::load_plugins;
use tch::nn::VarStore;
use tch::{Device, Kind, Tensor};

/// The channels every parity case is built with, as in the fixture script.
const CHANNELS: i64 = 6;

/// The largest absolute difference allowed between a plugin's number and PyTorch's.
const TOLERANCE: f64 = 1e-5;

/// Held by each test for its whole run. libtorch's default generator is process-wide, and
/// `linear_drop` only draws the same dropout mask as PyTorch when nothing else (another
/// test's parameter initialisation or probe forward) draws from it between seeding and the
/// train-mode forward.
static GENERATOR: Mutex<()> = Mutex::new(());

/// Takes [`GENERATOR`], ignoring a poisoning by another test's failure.
fn hold_generator() -> MutexGuard<'static, ()> {
    GENERATOR.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The arrays of one plugin's fixture file, by key.
struct Fixture {
    plugin: String,
    path: PathBuf,
    arrays: BTreeMap<String, Tensor>,
}

impl Fixture {
    /// Reads `tests/parity/fixtures/<plugin>.npz`.
    fn load(plugin: &str) -> Fixture {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/parity/fixtures")
            .join(format!("{plugin}.npz"));
        let arrays = Tensor::read_npz(&path)
            .unwrap_or_else(|err| {
                panic!("cannot read {}: {err}; see tests/parity/README.md", path.display())
            })
            .into_iter()
            .collect();
        Fixture { plugin: plugin.to_owned(), path, arrays }
    }

    /// The array under `key`; panics naming the key and the file when it is missing.
    fn get(&self, key: &str) -> &Tensor {
        self.arrays.get(key).unwrap_or_else(|| {
            panic!(
                "{} has no array {key}; regenerate it (tests/parity/README.md)",
                self.path.display()
            )
        })
    }

    /// The arrays whose key starts with `prefix`, keyed by the rest of the key.
    fn under(&self, prefix: &str) -> BTreeMap<String, &Tensor> {
        self.arrays
            .iter()
            .filter_map(|(key, value)| Some((key.strip_prefix(prefix)?.to_owned(), value)))
            .collect()
    }

    /// Every parity case the file holds, read from its keys (`<case>/<field>`).
    fn cases(&self) -> BTreeSet<Case> {
        self.arrays
            .keys()
            .filter(|key| !key.starts_with("counts/") && !key.starts_with("upstream/"))
            .filter_map(|key| Case::parse(key))
            .collect()
    }

    /// The reference parameter count of `primitive` at `stride`, affine or not, at each
    /// channel count of `count_channels`, as `(channels, count)` pairs.
    fn counts(&self, primitive: &str, stride: i64, affine: bool) -> Vec<(i64, i64)> {
        let channels = Vec::<i64>::try_from(self.get("count_channels")).expect("int64 array");
        let table = self.get(&format!("counts/{primitive}/s{stride}"));
        let row = Vec::<i64>::try_from(table.get(if affine { 0 } else { 1 })).expect("int64");
        channels.into_iter().zip(row).collect()
    }
}

/// One parity case: a primitive at one stride, with or without affine BatchNorm.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Case {
    primitive: String,
    stride: i64,
    affine: bool,
}

impl Case {
    /// Reads the case from a key `<primitive>/s<stride>/<affine|plain>/<field...>`.
    fn parse(key: &str) -> Option<Case> {
        let mut parts = key.splitn(4, '/');
        let primitive = parts.next()?;
        let stride = parts.next()?.strip_prefix('s')?.parse().ok()?;
        let affine = match parts.next()? {
            "affine" => true,
            "plain" => false,
            _ => return None,
        };
        parts.next()?;
        Some(Case { primitive: primitive.to_owned(), stride, affine })
    }

    /// The spec the plugin builds this case from.
    fn spec(&self) -> PrimitiveSpec {
        PrimitiveSpec::new(CHANNELS).with_stride(self.stride).with_affine(self.affine)
    }

    /// The fixture's key prefix, `<primitive>/s<stride>/<affine|plain>`.
    fn key(&self) -> String {
        let affine = if self.affine { "affine" } else { "plain" };
        format!("{}/s{}/{affine}", self.primitive, self.stride)
    }
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} stride {} affine={}", self.primitive, self.stride, self.affine)
    }
}

/// How close a plugin's tensor must be to PyTorch's.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tolerance {
    /// Within [`TOLERANCE`] everywhere: outputs, input gradients, running statistics.
    Absolute,
    /// Within [`TOLERANCE`] plus [`GRADIENT_RELATIVE`] times PyTorch's value: parameter
    /// gradients, which sum over the batch and every position into values in the hundreds,
    /// where one float32 step already exceeds 1e-5 and the summation order (which follows
    /// the number of threads) decides the last bit.
    Relative,
}

/// The relative part of [`Tolerance::Relative`], `torch.testing.assert_close`'s float32
/// default.
const GRADIENT_RELATIVE: f64 = 1.3e-6;

/// What the comparisons of one plugin found: every difference measured, and every failure.
#[derive(Default)]
struct Report {
    /// The largest absolute difference under [`Tolerance::Absolute`], and where.
    worst_absolute: Option<(f64, String)>,
    /// The largest absolute difference under [`Tolerance::Relative`], and where.
    worst_relative: Option<(f64, String)>,
    /// The number of tensors compared.
    compared: usize,
    /// One line per failed check.
    failures: Vec<String>,
}

impl Report {
    /// Compares `got` with `want` elementwise, recording the largest absolute difference
    /// under `what`. A shape mismatch, a difference beyond `tolerance`, or NaN fails.
    fn compare(&mut self, what: String, got: &Tensor, want: &Tensor, tolerance: Tolerance) {
        if got.size() != want.size() {
            self.failures.push(format!(
                "{what}: shape {:?}, PyTorch's is {:?}",
                got.size(),
                want.size()
            ));
            return;
        }
        self.compared += 1;
        if got.numel() == 0 {
            return;
        }

        // The difference, and by how much it exceeds the relative allowance.
        let got = got.detach().to_kind(Kind::Double);
        let want = want.to_kind(Kind::Double);
        let difference = (&got - &want).abs();
        let relative = if tolerance == Tolerance::Relative { GRADIENT_RELATIVE } else { 0.0 };
        let excess = (&difference - want.abs() * relative).max().double_value(&[]);
        let difference = difference.max().double_value(&[]);

        let worst = match tolerance {
            Tolerance::Absolute => &mut self.worst_absolute,
            Tolerance::Relative => &mut self.worst_relative,
        };
        let worse = match worst {
            Some((largest, _)) => difference > *largest || difference.is_nan(),
            None => true,
        };
        if worse {
            *worst = Some((difference, what.clone()));
        }

        if excess.is_nan() || excess > TOLERANCE {
            let allowed = match tolerance {
                Tolerance::Absolute => format!("{TOLERANCE:e}"),
                Tolerance::Relative => format!("{TOLERANCE:e} + {relative:e} * |PyTorch's|"),
            };
            self.failures.push(format!("{what}: max |difference| {difference:e} > {allowed}"));
        }
    }

    /// Panics listing every failure, or prints the worst differences seen.
    fn finish(self, title: &str) {
        assert!(
            self.failures.is_empty(),
            "{title}: {} check(s) failed:\n  {}",
            self.failures.len(),
            self.failures.join("\n  ")
        );
        let describe = |worst: Option<(f64, String)>| match worst {
            Some((difference, what)) => format!("{difference:e} at {what}"),
            None => "none compared".to_owned(),
        };
        println!(
            "{title}: {} tensors compared; worst difference of outputs, input gradients and \
             running statistics {}; of parameter gradients {}",
            self.compared,
            describe(self.worst_absolute),
            describe(self.worst_relative)
        );
    }
}

/// The primitives `plugin` lists, with the strides each is built at.
fn listed(set: &PluginSet, plugin: &str) -> Vec<(PrimitiveId, Vec<i64>)> {
    set.primitives()
        .filter(|(id, _)| id.plugin == plugin)
        .map(|(id, info)| (id, if info.supports_stride2 { vec![1, 2] } else { vec![1] }))
        .collect()
}

/// Checks that the fixture covers exactly the primitives and strides the plugin lists: an
/// `affine` case at each stride, and a `plain` one for each primitive with BatchNorm.
fn check_coverage(set: &PluginSet, fixture: &Fixture, report: &mut Report) {
    let plugin = &fixture.plugin;
    let cases = fixture.cases();
    let listed = listed(set, plugin);
    assert!(!listed.is_empty(), "the {plugin} plugin lists no primitive");

    for (id, strides) in &listed {
        for &stride in strides {
            let case = Case { primitive: id.name.clone(), stride, affine: true };
            if !cases.contains(&case) {
                report.failures.push(format!("{id}: the fixture has no case {}", case.key()));
            }
        }
        let has_batch_norm = cases.iter().any(|case| {
            case.primitive == id.name
                && !fixture.under(&format!("{}/buffer/", case.key())).is_empty()
        });
        let has_plain = cases.iter().any(|case| case.primitive == id.name && !case.affine);
        if has_batch_norm && !has_plain {
            report.failures.push(format!("{id}: has BatchNorm but no affine=false case"));
        }
    }

    for case in &cases {
        let known = listed
            .iter()
            .any(|(id, strides)| id.name == case.primitive && strides.contains(&case.stride));
        if !known {
            let key = case.key();
            report.failures.push(format!("{plugin}: fixture case {key} matches no primitive"));
        }
    }
}

/// Runs one case through the plugin and compares everything with the fixture.
fn run_case(set: &PluginSet, fixture: &Fixture, case: &Case, report: &mut Report) {
    let plugin = &fixture.plugin;
    let title = format!("{plugin}:{case}");
    let id = PrimitiveId { plugin: plugin.clone(), name: case.primitive.clone() };
    let store = VarStore::new(Device::Cpu);
    let primitive = match set.build(&id, &store.root(), case.spec()) {
        Ok(primitive) => primitive,
        Err(err) => return report.failures.push(format!("{title}: does not build: {err}")),
    };

    // The host's store holds parameters (requiring a gradient) and buffers; their names
    // must be exactly the reference module's.
    let variables = store.variables();
    let parameters = fixture.under(&format!("{}/param/", case.key()));
    let buffers = fixture.under(&format!("{}/buffer/", case.key()));
    let names = |trainable: bool| -> BTreeSet<&String> {
        let names = variables.iter().filter(|(_, v)| v.requires_grad() == trainable);
        names.map(|(name, _)| name).collect()
    };
    let checks = [
        ("parameters", names(true), parameters.keys().collect()),
        ("buffers", names(false), buffers.keys().collect()),
    ];
    let mut names_match = true;
    for (kind, got, want) in checks {
        if got != want {
            report.failures.push(format!("{title}: {kind} {got:?}, PyTorch's are {want:?}"));
            names_match = false;
        }
    }
    if !names_match {
        return;
    }

    // Load the reference module's values into the variables the plugin computes with.
    tch::no_grad(|| {
        for (name, value) in parameters.iter().chain(&buffers) {
            let mut variable = variables[name].shallow_clone();
            variable.copy_(value);
        }
    });

    // Train mode: forward with the same generator state as PyTorch's, then the gradient of
    // (output * upstream).sum().
    let mut check = CaseCheck { fixture, key: case.key(), title, report };
    let input = fixture.get("input").detach().copy().set_requires_grad(true);
    tch::manual_seed(fixture.get("train_seed").int64_value(&[]));
    let output = match primitive.forward_t(&input, true) {
        Ok(output) => output,
        Err(err) => return check.fail(format!("forward failed: {err}")),
    };
    let upstream = fixture.get(&format!("upstream/s{}", case.stride));
    check.field("output_train", &output, Tolerance::Absolute);
    if output.size() != upstream.size() {
        // Already reported as a shape mismatch of output_train.
        return;
    }
    (&output * upstream).sum(Kind::Float).backward();

    check.field("grad_input", &input.grad(), Tolerance::Absolute);
    for name in parameters.keys() {
        let grad = variables[name].grad();
        let grad = if grad.defined() { grad } else { variables[name].zeros_like() };
        check.field(&format!("grad/{name}"), &grad, Tolerance::Relative);
    }
    for name in buffers.keys() {
        check.field(&format!("buffer_after/{name}"), &variables[name], Tolerance::Absolute);
    }

    // Eval mode, with the running statistics the train-mode forward left.
    match tch::no_grad(|| primitive.forward_t(&input, false)) {
        Ok(output) => check.field("output_eval", &output, Tolerance::Absolute),
        Err(err) => check.fail(format!("eval forward failed: {err}")),
    }
}

/// The comparisons of one case, each against the fixture's `<case>/<field>`.
struct CaseCheck<'a> {
    fixture: &'a Fixture,
    /// The case's key prefix in the fixture.
    key: String,
    /// The case as failure messages name it: plugin, primitive, stride, affine setting.
    title: String,
    report: &'a mut Report,
}

impl CaseCheck<'_> {
    /// Compares `got` with the fixture's `<case>/<field>`.
    fn field(&mut self, field: &str, got: &Tensor, tolerance: Tolerance) {
        let want = self.fixture.get(&format!("{}/{field}", self.key));
        self.report.compare(format!("{} {field}", self.title), got, want, tolerance);
    }

    /// Records a failure of the case that ends it.
    fn fail(&mut self, message: String) {
        self.report.failures.push(format!("{}: {message}", self.title));
    }
}

/// Runs every parity case of `plugin` and the coverage check, failing with all problems.
fn check_parity(plugin: &str) {
    let _generator = hold_generator();
    let set = load_plugins(&[plugin]);
    let fixture = Fixture::load(plugin);
    let mut report = Report::default();

    check_coverage(&set, &fixture, &mut report);
    for case in fixture.cases() {
        run_case(&set, &fixture, &case, &mut report);
    }

    report.finish(&format!("{plugin} parity with PyTorch"));
}

/// Compares the parameter count of every listed primitive, at every stride, affine or
/// not, at each channel count of the fixture, with the reference module's.
fn check_parameter_counts(plugin: &str) {
    let _generator = hold_generator();
    let set = load_plugins(&[plugin]);
    let fixture = Fixture::load(plugin);
    let mut failures = Vec::new();
    let mut checked = 0;

    for (id, strides) in listed(&set, plugin) {
        for stride in strides {
            let key = format!("counts/{}/s{stride}", id.name);
            if !fixture.arrays.contains_key(&key) {
                failures.push(format!("{id}: the fixture has no {key}"));
                continue;
            }
            for affine in [true, false] {
                for (channels, want) in fixture.counts(&id.name, stride, affine) {
                    let spec = PrimitiveSpec::new(channels).with_stride(stride).with_affine(affine);
                    let store = VarStore::new(Device::Cpu);
                    let what = format!("{id} stride {stride} affine={affine} channels {channels}");
                    match set.build(&id, &store.root(), spec) {
                        Ok(primitive) if primitive.parameter_count() == want => checked += 1,
                        Ok(primitive) => failures.push(format!(
                            "{what}: {} parameters, PyTorch's module has {want}",
                            primitive.parameter_count()
                        )),
                        Err(err) => failures.push(format!("{what}: does not build: {err}")),
                    }
                }
            }
        }
    }

    assert!(
        failures.is_empty(),
        "{plugin} parameter counts: {} check(s) failed:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    assert!(checked > 0, "{plugin}: no parameter count compared");
}

#[test]
fn conv2d_matches_pytorch() {
    check_parity("conv2d");
}

#[test]
fn conv1d_matches_pytorch() {
    check_parity("conv1d");
}

#[test]
fn linear_matches_pytorch() {
    check_parity("linear");
}

#[test]
fn conv2d_parameter_counts_match_pytorch() {
    check_parameter_counts("conv2d");
}

#[test]
fn conv1d_parameter_counts_match_pytorch() {
    check_parameter_counts("conv1d");
}

#[test]
fn linear_parameter_counts_match_pytorch() {
    check_parameter_counts("linear");
}
