//! The cost of calling a primitive through the plugin boundary, against the same code
//! compiled into the host.
//!
//! The plugin side is the built `libconv1d.so` / `libconv2d.so`, loaded as `darts-host`
//! loads it; the direct side builds the same module from `darts-ops`, the crate those
//! plugins are made of, in this binary. Both run the same forward in evaluation mode without
//! gradients on one libtorch thread. Rounds alternate between the two sides so that machine
//! noise hits both alike; the figures are medians over rounds.
//!
//! Run: `scripts/bench.sh` (or `cargo bench --bench boundary` after a release build of the
//! workspace, with LIBTORCH set as scripts/libtorch.sh sets it).

use std::time::Instant;

use darts_ops::{sep_conv, ConvSpec};
use darts_plugin_api::PrimitiveSpec;
use tch::nn::{self, ModuleT};
use tch::{Device, Kind, Tensor};

const ROUNDS: usize = 21;

struct Case {
    primitive: &'static str,
    dims: usize,
    shape: &'static [i64],
    calls: usize,
}

const CASES: [Case; 4] = [
    Case { primitive: "conv1d:sep_conv_3", dims: 1, shape: &[1, 8, 4], calls: 2000 },
    Case { primitive: "conv1d:sep_conv_3", dims: 1, shape: &[64, 16, 32], calls: 300 },
    Case { primitive: "conv2d:sep_conv_3x3", dims: 2, shape: &[1, 8, 4, 4], calls: 2000 },
    Case { primitive: "conv2d:sep_conv_3x3", dims: 2, shape: &[64, 16, 16, 16], calls: 30 },
];

fn main() {
    tch::set_num_threads(1);
    tch::manual_seed(0);
    let plugins = darts_tests::load_plugins(&["conv1d", "conv2d"]);

    println!("per-call time of one forward (eval, no grad, 1 thread), median of {ROUNDS} rounds");
    println!(
        "{:22} {:>18} {:>12} {:>12} {:>8}",
        "primitive", "input", "plugin us", "direct us", "ratio"
    );
    for case in &CASES {
        let channels = case.shape[1];
        let spec = PrimitiveSpec::new(channels);

        let plugin_store = nn::VarStore::new(Device::Cpu);
        let id = plugins.resolve(case.primitive).expect("built-in primitive");
        let through_plugin = plugins.build(&id, &plugin_store.root(), spec).expect("builds");

        let direct_store = nn::VarStore::new(Device::Cpu);
        let conv = ConvSpec { padding: 1, ..ConvSpec::new(channels, channels, 3) };
        let direct = sep_conv(&direct_store.root(), case.dims, conv, false);

        let input = Tensor::randn(case.shape, (Kind::Float, Device::Cpu));
        let mut plugin_times = Vec::with_capacity(ROUNDS);
        let mut direct_times = Vec::with_capacity(ROUNDS);
        tch::no_grad(|| {
            for _ in 0..ROUNDS {
                plugin_times.push(time_per_call(case.calls, || {
                    let _ = through_plugin.forward_t(&input, false).expect("forward");
                }));
                direct_times.push(time_per_call(case.calls, || {
                    let _ = direct.forward_t(&input, false);
                }));
            }
        });

        let plugin_us = median(&mut plugin_times);
        let direct_us = median(&mut direct_times);
        println!(
            "{:22} {:>18} {:>12.2} {:>12.2} {:>8.3}",
            case.primitive,
            format!("{:?}", case.shape),
            plugin_us,
            direct_us,
            plugin_us / direct_us
        );
    }
}

/// Microseconds per call of `call`, over `calls` calls.
fn time_per_call(calls: usize, mut call: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        call();
    }
    start.elapsed().as_secs_f64() * 1e6 / calls as f64
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}
