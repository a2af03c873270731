//! `darts-host new-plugin`: a plugin crate to start from.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cli::{LayoutFlag, NewPluginArgs};
use crate::UsageError;

/// The plugin-api crate of the checkout this binary was built from.
const API_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../plugin-api");

/// Writes `<dir>/<name>/` with `Cargo.toml`, `build.rs`, `src/lib.rs` and `README.md`.
pub fn run(args: &NewPluginArgs) -> Result<()> {
    let name = &args.name;
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(UsageError(format!(
            "`{name}` cannot name a plugin: use lower-case letters, digits and `_`, starting \
             with a letter"
        ))
        .into());
    }
    let crate_dir = args.dir.join(name);
    if crate_dir.exists() {
        return Err(UsageError(format!(
            "{} already exists; choose another name or --dir so nothing is overwritten",
            crate_dir.display()
        ))
        .into());
    }
    let api = match &args.api {
        Some(path) => path.clone(),
        None => PathBuf::from(API_PATH),
    };
    let api = api.canonicalize().map_err(|err| {
        UsageError(format!(
            "the plugin-api crate at {} cannot be found ({err}); give its folder with --api",
            api.display()
        ))
    })?;

    fs::create_dir_all(crate_dir.join("src"))
        .with_context(|| format!("cannot create {}", crate_dir.display()))?;
    write(&crate_dir, "Cargo.toml", &cargo_toml(name, &api))?;
    write(&crate_dir, "build.rs", BUILD_RS)?;
    write(&crate_dir, "src/lib.rs", &lib_rs(name, args.layout))?;
    write(&crate_dir, "README.md", &readme(name))?;
    println!("{}", crate_dir.display());
    eprintln!(
        "wrote the plugin crate {}; build it with `cargo build --release` there (LIBTORCH set)",
        crate_dir.display()
    );
    Ok(())
}

fn write(dir: &Path, file: &str, contents: &str) -> Result<()> {
    let path = dir.join(file);
    fs::write(&path, contents).with_context(|| format!("cannot write {}", path.display()))
}

fn cargo_toml(name: &str, api: &Path) -> String {
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2021"
publish = false

# A cdylib for darts-host --plugin; the rlib lets this crate's own tests link it.
[lib]
crate-type = ["cdylib", "rlib"]

[dependencies]
darts-plugin-api = {{ path = "{api}" }}

# Its own workspace, so it builds on its own even inside another one.
[workspace]

# As darts' own release profile, so a shared CARGO_TARGET_DIR reuses its build of tch.
[profile.release]
debug = "line-tables-only"
"#,
        api = api.display()
    )
}

const BUILD_RS: &str = r#"//! Gives this crate's test executables an rpath to libtorch, so `cargo test` runs without
//! LD_LIBRARY_PATH. The plugin library itself needs none: darts-host has libtorch loaded.

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    if let Some(root) = std::env::var_os("LIBTORCH") {
        let lib = std::path::Path::new(&root).join("lib");
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    }
}
"#;

fn lib_rs(name: &str, layout: LayoutFlag) -> String {
    // The convolutional layouts differ only in the dimension of their layers.
    let conv_body = |dims: &str| {
        format!(
            r#"    let op = path / "op";
    let config = nn::ConvConfig {{ stride: spec.stride, padding: 1, bias: false, ..Default::default() }};
    let norm = nn::BatchNormConfig {{ affine: spec.affine, ..Default::default() }};
    Ok(Box::new(
        nn::seq_t()
            .add_fn(|xs| xs.relu())
            .add(nn::conv{dims}(&op / 1, spec.channels, spec.channels, 3, config))
            .add(nn::batch_norm{dims}(&op / 2, spec.channels, norm)),
    ))"#
        )
    };
    let (layout, primitive, description, stride2, body) = match layout {
        LayoutFlag::Flat => (
            "Flat",
            "scaled_linear",
            "ReLU, then a linear map c->c",
            "false",
            r#"    let op = path / "op";
    let linear = nn::linear(&op / 1, spec.channels, spec.channels, Default::default());
    Ok(Box::new(nn::seq_t().add_fn(|xs| xs.relu()).add(linear)))"#
                .to_owned(),
        ),
        LayoutFlag::Sequence => (
            "Sequence",
            "conv_3",
            "ReLU, convolution of width 3, BatchNorm",
            "true",
            conv_body("1d"),
        ),
        LayoutFlag::Image => {
            ("Image", "conv_3x3", "ReLU, 3x3 convolution, BatchNorm", "true", conv_body("2d"))
        }
    };
    format!(
        r#"//! The `{name}` primitive set for darts. Load it with
//! `darts-host --plugin target/release/lib{name}.so`.

use darts_plugin_api::tch::nn;
use darts_plugin_api::{{export_plugin, primitive, BuildResult, PrimitiveSpec}};

export_plugin!(name: "{name}", version: env!("CARGO_PKG_VERSION"));

primitive! {{
    name: "{primitive}",
    layout: {layout},
    stride2: {stride2},
    description: "{description}",
    build: {primitive},
}}

/// {description}.
fn {primitive}(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {{
{body}
}}

#[cfg(test)]
mod tests {{
    #[test]
    fn primitives_pass_the_plugin_checks() {{
        darts_plugin_api::testing::assert_primitives_work(8);
    }}
}}
"#
    )
}

fn readme(name: &str) -> String {
    format!(
        "# {name}\n\nA darts primitive set. With `LIBTORCH` pointing at the libtorch darts was \
         built with (`eval \"$(scripts/libtorch.sh)\"` in the darts checkout sets it):\n\n\
         ```sh\ncargo test --release      # the plugin checks of darts_plugin_api::testing\n\
         cargo build --release\ndarts-host --plugin target/release/lib{name}.so plugins\n```\n\n\
         Add primitives with `primitive!`; the darts guide `docs/plugins.md` gives the rules.\n"
    )
}
