//! Time and peak memory of one DARTS search step: first against second order, how they
//! grow with cells, channels, batch size and primitives, the same supernet and step in
//! PyTorch, and the same primitives compiled into the binary instead of loaded as a plugin.
//!
//! Each case runs in a fresh child process (this binary, re-run with `--case`), so its peak
//! resident memory is its own. The five cases the ratios compare (first and second order,
//! plugin and linked-in primitives, PyTorch) run in three alternating rounds, and each
//! figure is the best of its rounds, so that a noisy moment of the machine does not decide a
//! ratio. A case builds the supernet on the CPU with one libtorch
//! thread, runs 3 warm-up steps on fixed random batches, then times 10 steps and reports the
//! fastest and the median. Ratios use the fastest steps: on a shared machine a slow step
//! measures the neighbours, while the fastest is what the code itself costs. Memory is the process's peak resident set (VmHWM) after the timed steps, and its
//! growth over the resident set right after the supernet was built. The PyTorch figures
//! come from `benches/reference/search_step.py`, run the same way.
//!
//! Run: `scripts/bench.sh search_step` (about 8 minutes on 2 cores).

use std::process::Command;
use std::time::Instant;

use darts_host::optim::{Adam, AdamConfig, Sgd, SgdConfig};
use darts_host::plugins::{NativeSet, PrimitiveProvider};
use darts_host::search::{search_step, Architect, Batch, HeadKind, Objective, Order, StepSettings};
use darts_host::supernet::{Supernet, SupernetConfig};
use darts_plugin_api::Layout;
use tch::{nn, Device, Kind, Tensor};

// Links the conv2d primitives into this binary for the `native` cases.
use conv2d as _;

/// The paper's eight primitives, in the order the plugin lists them.
const PAPER: [&str; 8] = [
    "avg_pool_3x3",
    "dil_conv_3x3",
    "dil_conv_5x5",
    "max_pool_3x3",
    "none",
    "sep_conv_3x3",
    "sep_conv_5x5",
    "skip_connect",
];

/// One measured configuration.
#[derive(Debug, Clone)]
struct Case {
    label: String,
    order: &'static str,
    cells: usize,
    channels: i64,
    batch: i64,
    primitives: usize,
    /// `plugin`, `native` or `pytorch`.
    source: &'static str,
}

impl Case {
    fn base(label: &str) -> Case {
        Case {
            label: label.to_owned(),
            order: "first",
            cells: 5,
            channels: 8,
            batch: 64,
            primitives: 8,
            source: "plugin",
        }
    }

    fn args(&self) -> Vec<String> {
        vec![
            "--case".into(),
            self.order.into(),
            self.cells.to_string(),
            self.channels.to_string(),
            self.batch.to_string(),
            self.primitives.to_string(),
            self.source.into(),
        ]
    }
}

/// What a case measured.
#[derive(Debug, Clone, Copy)]
struct Figures {
    seconds: f64,
    median: f64,
    peak_mb: f64,
    growth_mb: f64,
    parameters: i64,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(position) = args.iter().position(|a| a == "--case") {
        run_case(&args[position + 1..]);
        return;
    }
    if args.iter().any(|a| a == "--boundary-pair") {
        run_boundary_pair();
        return;
    }

    let compared = [
        Case::base("base, first order"),
        Case { order: "second", ..Case::base("base, second order") },
        Case { source: "native", ..Case::base("base, primitives linked in") },
        Case { source: "pytorch", ..Case::base("base, PyTorch") },
        Case { order: "second", source: "pytorch", ..Case::base("base, second order, PyTorch") },
    ];
    let mut cases = Vec::new();
    for cells in [3, 8] {
        cases.push(Case { cells, ..Case::base(&format!("cells {cells}")) });
    }
    for channels in [4, 16] {
        cases.push(Case { channels, ..Case::base(&format!("channels {channels}")) });
    }
    for batch in [16, 128] {
        cases.push(Case { batch, ..Case::base(&format!("batch {batch}")) });
    }
    for primitives in [4, 6] {
        cases.push(Case { primitives, ..Case::base(&format!("primitives {primitives}")) });
    }

    println!("one search step on 1x8x8 inputs, 10 classes, 4 nodes, 1 CPU thread;");
    println!("base: 5 cells, 8 channels, batch 64, the paper's 8 primitives, first order");
    println!(
        "{:32} {:>10} {:>9} {:>9} {:>10} {:>10}",
        "case", "params", "fastest s", "median s", "peak MB", "growth MB"
    );
    let show = |label: &str, f: &Figures| {
        println!(
            "{:32} {:>10} {:>9.3} {:>9.3} {:>10.1} {:>10.1}",
            label, f.parameters, f.seconds, f.median, f.peak_mb, f.growth_mb
        );
    };
    let mut results = Vec::new();
    let mut rounds: Vec<Vec<Figures>> = vec![Vec::new(); compared.len()];
    for _ in 0..3 {
        for (case, figures) in compared.iter().zip(&mut rounds) {
            figures.push(measure(case));
        }
    }
    for (case, figures) in compared.iter().zip(rounds) {
        let best = best_of(figures);
        show(&case.label, &best);
        results.push((case.label.clone(), best));
    }
    for case in &cases {
        let figures = measure(case);
        show(&case.label, &figures);
        results.push((case.label.clone(), figures));
    }

    let get = |label: &str| results.iter().find(|(l, _)| l == label).map(|(_, f)| *f).unwrap();
    let first = get("base, first order");
    let second = get("base, second order");
    let native = get("base, primitives linked in");
    let torch_first = get("base, PyTorch");
    let torch_second = get("base, second order, PyTorch");
    println!();
    println!(
        "second / first order time:            {:.2} (target <= 2.5)",
        second.seconds / first.seconds
    );
    println!(
        "darts / PyTorch time, first order:    {:.2} (target <= 1)",
        first.seconds / torch_first.seconds
    );
    println!(
        "darts / PyTorch time, second order:   {:.2} (target <= 1)",
        second.seconds / torch_second.seconds
    );
    println!(
        "darts / PyTorch step memory growth:   {:.1} MB / {:.1} MB, first order",
        first.growth_mb, torch_first.growth_mb
    );
    println!(
        "darts / PyTorch peak memory:          {:.1} MB / {:.1} MB, first order",
        first.peak_mb, torch_first.peak_mb
    );
    println!(
        "plugin boundary, plugin / linked in:  {:.3} (separate processes, target < 1.02)",
        first.seconds / native.seconds
    );
    let output = Command::new(std::env::current_exe().unwrap())
        .arg("--boundary-pair")
        .output()
        .expect("the paired boundary case runs");
    let line = String::from_utf8_lossy(&output.stdout);
    println!(
        "plugin boundary, plugin / linked in:  {} (one process, alternating steps)",
        line.trim()
    );
}

/// Both supernets of the base case in one process, plugin and linked in, stepped in
/// alternation so that the machine's noise falls on both; prints the ratio of the fastest
/// step times.
fn run_boundary_pair() {
    tch::set_num_threads(1);
    let plugins = darts_tests::load_plugins(&["conv2d"]);
    let native = NativeSet::linked("conv2d");
    let mut plugin_side = Bench::new(&plugins, &plugins, Order::First, 5, 8, 64, 8);
    let mut native_side = Bench::new(&native, &plugins, Order::First, 5, 8, 64, 8);
    for _ in 0..3 {
        plugin_side.step();
        native_side.step();
    }
    let (mut plugin_times, mut native_times) = (Vec::new(), Vec::new());
    for _ in 0..15 {
        plugin_times.push(plugin_side.timed_step());
        native_times.push(native_side.timed_step());
    }
    let fastest = |times: &[f64]| times.iter().copied().fold(f64::INFINITY, f64::min);
    let (plugin, native) = (fastest(&plugin_times), fastest(&native_times));
    println!("{:.3} ({plugin:.3} s / {native:.3} s per step)", plugin / native);
}

/// The figures of the round with the fastest step.
fn best_of(mut rounds: Vec<Figures>) -> Figures {
    rounds.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    rounds[0]
}

/// Runs `case` in a child process and reads its one-line answer.
fn measure(case: &Case) -> Figures {
    let output = if case.source == "pytorch" {
        let primitives: Vec<&str> = selected(case.primitives);
        Command::new("scripts/torch-python.sh")
            .args([
                "benches/reference/search_step.py",
                "--order",
                case.order,
                "--cells",
                &case.cells.to_string(),
                "--channels",
                &case.channels.to_string(),
                "--batch",
                &case.batch.to_string(),
                "--primitives",
                &primitives.join(","),
                "--threads",
                "1",
            ])
            .output()
            .expect("the PyTorch reference runs")
    } else {
        Command::new(std::env::current_exe().unwrap())
            .args(case.args())
            .output()
            .expect("the case runs")
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "case {} failed:\n{}{}",
        case.label,
        stdout,
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout.lines().last().unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|_| {
        panic!("case {} printed no JSON: {stdout}", case.label);
    });
    let number = |key: &str| json[key].as_f64().unwrap_or_else(|| panic!("{key} in {line}"));
    Figures {
        seconds: number("min_seconds"),
        median: number("median_seconds"),
        peak_mb: number("peak_rss_mb"),
        growth_mb: number("peak_rss_mb") - number("rss_after_build_mb"),
        parameters: number("weight_parameters") as i64,
    }
}

/// The first `count` of the paper's primitives that keep `none` and the convolutions, so
/// smaller spaces are still realistic: always `none`, `skip_connect` and `sep_conv_3x3`.
fn selected(count: usize) -> Vec<&'static str> {
    let order = [
        "none",
        "skip_connect",
        "sep_conv_3x3",
        "max_pool_3x3",
        "dil_conv_3x3",
        "avg_pool_3x3",
        "sep_conv_5x5",
        "dil_conv_5x5",
    ];
    let chosen = &order[..count.min(order.len())];
    PAPER.iter().copied().filter(|p| chosen.contains(p)).collect()
}

/// A supernet with its optimizers and two fixed batches, ready to step.
struct Bench {
    net: Supernet,
    objective: Objective,
    architect: Architect,
    sgd: Sgd,
    buffers: Vec<Tensor>,
    train: Batch,
    valid: Batch,
    parameters: i64,
    _store: nn::VarStore,
}

impl Bench {
    /// Builds the base-shaped supernet from `provider`, naming primitives through
    /// `plugins`, with weights, alphas and batches drawn from seed 0.
    fn new(
        provider: &dyn PrimitiveProvider,
        plugins: &darts_host::plugins::PluginSet,
        order: Order,
        cells: usize,
        channels: i64,
        batch: i64,
        count: usize,
    ) -> Bench {
        tch::manual_seed(0);
        let primitives =
            selected(count).iter().map(|name| plugins.resolve(name).unwrap()).collect();
        let store = nn::VarStore::new(Device::Cpu);
        let mut config = SupernetConfig::new(Layout::Image, vec![1, 8, 8], vec![10], primitives);
        config.cells = cells;
        config.channels = channels;
        let net = Supernet::new(&store.root(), provider, config).unwrap();
        let objective = Objective::new(vec![HeadKind::Classification { classes: 10 }]);
        let weights = store.trainable_variables();
        let parameters: i64 = weights.iter().map(|w| w.numel() as i64).sum();
        let buffers: Vec<Tensor> =
            store.variables().into_values().filter(|v| !v.requires_grad()).collect();
        let sgd = Sgd::new(weights, SgdConfig { momentum: 0.9, weight_decay: 3e-4 });
        let adam = Adam::new(
            net.alphas().iter().map(|a| a.shallow_clone()).collect(),
            AdamConfig { lr: 3e-4, betas: (0.5, 0.999), weight_decay: 1e-3, eps: 1e-8 },
        );
        let batch_of = || Batch {
            inputs: Tensor::rand([batch, 1, 8, 8], (Kind::Float, Device::Cpu)),
            targets: vec![Tensor::randint(10, [batch], (Kind::Int64, Device::Cpu))],
        };
        let (train, valid) = (batch_of(), batch_of());
        Bench {
            net,
            objective,
            architect: Architect::new(adam, order),
            sgd,
            buffers,
            train,
            valid,
            parameters,
            _store: store,
        }
    }

    fn step(&mut self) {
        let settings = StepSettings { lr: 0.025, grad_clip: 5.0, buffers: &self.buffers };
        search_step(
            &self.net,
            &self.objective,
            &mut self.architect,
            &mut self.sgd,
            &settings,
            &self.train,
            &self.valid,
        )
        .unwrap();
    }

    fn timed_step(&mut self) -> f64 {
        let start = Instant::now();
        self.step();
        start.elapsed().as_secs_f64()
    }
}

/// The child side: build, warm up, time, print one JSON line.
fn run_case(args: &[String]) {
    let order = if args[0] == "second" { Order::Second } else { Order::First };
    let cells: usize = args[1].parse().unwrap();
    let channels: i64 = args[2].parse().unwrap();
    let batch: i64 = args[3].parse().unwrap();
    let count: usize = args[4].parse().unwrap();
    let source = args[5].as_str();
    tch::set_num_threads(1);

    let plugins = darts_tests::load_plugins(&["conv2d"]);
    let native = NativeSet::linked("conv2d");
    let provider: &dyn PrimitiveProvider = if source == "native" { &native } else { &plugins };
    let mut bench = Bench::new(provider, &plugins, order, cells, channels, batch, count);
    let rss_after_build = memory_mb("VmRSS");

    for _ in 0..3 {
        bench.step();
    }
    let mut times: Vec<f64> = (0..10).map(|_| bench.timed_step()).collect();
    times.sort_by(f64::total_cmp);
    println!(
        "{}",
        serde_json::json!({
            "median_seconds": times[times.len() / 2],
            "min_seconds": times[0],
            "weight_parameters": bench.parameters,
            "rss_after_build_mb": rss_after_build,
            "peak_rss_mb": memory_mb("VmHWM"),
        })
    );
}

/// A memory figure of this process from /proc/self/status, in MB.
fn memory_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}
