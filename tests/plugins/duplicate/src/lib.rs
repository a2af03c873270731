//! A plugin that registers the primitive name `twice` two times, which the host refuses.

use darts_plugin_api::tch::nn;
use darts_plugin_api::{export_plugin, primitive, BuildResult, PrimitiveSpec};

export_plugin!(name: "duplicate", version: env!("CARGO_PKG_VERSION"));

primitive! {
    name: "twice",
    layout: Flat,
    stride2: false,
    description: "identity",
    build: identity,
}

primitive! {
    name: "twice",
    layout: Flat,
    stride2: false,
    description: "identity, registered again under the same name",
    build: identity,
}

fn identity(_: &nn::Path, _: &PrimitiveSpec) -> BuildResult {
    Ok(Box::new(nn::func(|xs| xs.shallow_clone())))
}
