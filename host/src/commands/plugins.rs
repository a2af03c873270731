//! `darts-host plugins`: lists the loaded primitives.

use std::io::Write;

use anyhow::Result;
use darts_plugin_api::PrimitiveSpec;
use tch::nn;

use crate::cli::PluginsArgs;
use darts_host::plugins::{sha256_of, PluginSet};

/// One row of the listing.
struct Row {
    id: String,
    layout: &'static str,
    stride2: &'static str,
    default: &'static str,
    parameters: i64,
    description: String,
}

/// Builds every primitive at `args.channels` channels (search settings: BatchNorm without
/// affine parameters), at stride 1 and, where supported, stride 2, then prints one row per
/// primitive. A primitive that fails to build or to probe stops the listing with its error.
pub fn run(plugins: &PluginSet, args: &PluginsArgs) -> Result<()> {
    let mut rows = Vec::new();
    for (id, info) in plugins.primitives() {
        let store = nn::VarStore::new(tch::Device::Cpu);
        let spec = PrimitiveSpec::new(args.channels);
        let primitive = plugins.build(&id, &(store.root() / "stride1"), spec)?;
        if info.supports_stride2 {
            plugins.build(&id, &(store.root() / "stride2"), spec.with_stride(2))?;
        }
        rows.push(Row {
            id: id.to_string(),
            layout: info.layout.name(),
            stride2: if info.supports_stride2 { "yes" } else { "no" },
            default: if info.in_default_space { "yes" } else { "no" },
            parameters: primitive.parameter_count(),
            description: info.description.to_string(),
        });
    }

    let id_width = rows.iter().map(|row| row.id.len()).max().unwrap_or(0).max("PRIMITIVE".len());
    let params_header = format!("PARAMS@{}", args.channels);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:id_width$}  {:8}  {:8}  {:7}  {:>10}  DESCRIPTION",
        "PRIMITIVE", "LAYOUT", "STRIDE 2", "DEFAULT", params_header
    )?;
    for row in &rows {
        writeln!(
            out,
            "{:id_width$}  {:8}  {:8}  {:7}  {:>10}  {}",
            row.id, row.layout, row.stride2, row.default, row.parameters, row.description
        )?;
    }
    writeln!(out, "\n{} primitives from {} plugin(s):", rows.len(), plugins.plugins().len())?;
    for plugin in plugins.plugins() {
        // The digest a config's `plugin_sha256` pins the file by.
        let digest = sha256_of(&plugin.path)?;
        writeln!(
            out,
            "  {} {}  {}  sha256 {digest}",
            plugin.name,
            plugin.version,
            plugin.path.display()
        )?;
    }
    Ok(())
}
