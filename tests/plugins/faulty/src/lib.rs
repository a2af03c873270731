//! A plugin that misbehaves in the way the environment variable `DARTS_FAULTY_MODE` asks,
//! so the host's tests can check each failure is reported and none crashes the host:
//!
//! - `api-version`: claims to be built against plugin-api 9.0.0;
//! - `torch-version`: claims to be built against libtorch 1.13.1;
//! - `build-error`: its primitive returns an error when built;
//! - `build-panic`: its primitive panics when built;
//! - `forward-panic`: its primitive panics in every forward (the host's probe sees it);
//! - `train-panic`: its primitive panics in training-mode forward only (after the probe);
//! - `bad-shape`: its primitive returns half the channels it was given;
//! - `nan-at:K1,K2,...`: the K-th training-mode forward calls of the process (counted over
//!   every built primitive, 1-based) return NaN, so a run's non-finite handling can be
//!   triggered at a chosen step;
//! - anything else: a well-behaved identity primitive.
//!
//! Its one primitive is `faulty:faulty`, on the sequence layout.

use std::sync::atomic::{AtomicUsize, Ordering};

use darts_plugin_api::tch::nn::{self, ModuleT};
use darts_plugin_api::tch::Tensor;
use darts_plugin_api::{export_plugin, primitive, BuildResult, PluginHeader, PrimitiveSpec};

export_plugin!(@with_header header, "faulty", env!("CARGO_PKG_VERSION"));

fn mode() -> String {
    std::env::var("DARTS_FAULTY_MODE").unwrap_or_default()
}

fn header() -> PluginHeader {
    match mode().as_str() {
        "api-version" => PluginHeader::new("9.0.0", darts_plugin_api::TORCH_VERSION),
        "torch-version" => PluginHeader::new(darts_plugin_api::API_VERSION, "1.13.1"),
        _ => PluginHeader::current(),
    }
}

primitive! {
    name: "faulty",
    layout: Sequence,
    stride2: true,
    description: "misbehaves as DARTS_FAULTY_MODE says",
    build: build,
}

fn build(_: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    match mode().as_str() {
        "build-error" => Err("deliberate build failure".into()),
        "build-panic" => panic!("deliberate panic while building"),
        _ => Ok(Box::new(Faulty { stride: spec.stride, mode: mode() })),
    }
}

/// Training-mode forward calls so far, for `nan-at`.
static TRAIN_CALLS: AtomicUsize = AtomicUsize::new(0);

/// Whether training-mode forward call `call` must return NaN under `mode`.
fn nan_at(mode: &str, call: usize) -> bool {
    mode.strip_prefix("nan-at:")
        .is_some_and(|list| list.split(',').any(|k| k.trim().parse() == Ok(call)))
}

#[derive(Debug)]
struct Faulty {
    stride: i64,
    mode: String,
}

impl ModuleT for Faulty {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        match self.mode.as_str() {
            "forward-panic" => panic!("deliberate panic in forward"),
            "train-panic" if train => panic!("deliberate panic in training forward"),
            "bad-shape" => xs.narrow(1, 0, xs.size()[1] / 2),
            mode if train && mode.starts_with("nan-at:") => {
                let call = TRAIN_CALLS.fetch_add(1, Ordering::SeqCst) + 1;
                let out = xs.slice(2, 0, None, self.stride);
                if nan_at(mode, call) {
                    out * f64::NAN
                } else {
                    out
                }
            }
            _ => xs.slice(2, 0, None, self.stride),
        }
    }
}
