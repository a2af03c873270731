//! The point of the plugin design: a team's plugin, built on its own against the plugin API
//! alone, works with an unchanged darts-host. Builds `examples/advanced` separately, mixes
//! its primitives with `conv2d`'s in a search, trains the genotype, and checks that the
//! host binary is byte-for-byte what it was before.

use std::fs;
use std::path::Path;

use darts_tests::{cargo_outside, host_binary, plugin_path, run_host};

#[test]
fn a_separately_built_plugin_mixes_with_built_in_primitives_and_the_host_is_unchanged() {
    let host_before = fs::read(host_binary()).unwrap();

    // The plugin's own build and its own tests, as its authors would run them.
    let crate_dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/advanced"));
    cargo_outside(crate_dir, &["test"]);
    let release = cargo_outside(crate_dir, &["build"]);
    let advanced = release.join("libadvanced_prims.so");
    let conv2d = plugin_path("conv2d");

    let dir = tempfile::tempdir().unwrap();
    let search_dir = dir.path().join("search");
    let output = run_host(&[
        "-q",
        "--plugin",
        conv2d.to_str().unwrap(),
        "--plugin",
        advanced.to_str().unwrap(),
        "search",
        "--primitives",
        concat!(
            "conv2d:none,conv2d:skip_connect,conv2d:sep_conv_3x3,",
            "advanced:se_conv_3x3,advanced:gated_conv_3x3,advanced:attention_mix"
        ),
        "--epochs",
        "1",
        "--cells",
        "3",
        "--channels",
        "4",
        "--nodes",
        "2",
        "--out",
        search_dir.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let config = fs::read_to_string(search_dir.join("config.toml")).unwrap();
    assert!(config.contains("advanced:attention_mix") && config.contains("conv2d:sep_conv_3x3"));

    // A genotype with an edge of each new primitive trains through both plugins.
    let genotype = dir.path().join("mixed.txt");
    fs::write(
        &genotype,
        "Genotype(normal=[('advanced:se_conv_3x3', 0), ('advanced:gated_conv_3x3', 1), \
         ('advanced:attention_mix', 2), ('conv2d:sep_conv_3x3', 1)], normal_concat=[2, 3], \
         reduce=[('advanced:attention_mix', 0), ('conv2d:max_pool_3x3', 1), \
         ('advanced:se_conv_3x3', 2), ('advanced:gated_conv_3x3', 0)], reduce_concat=[2, 3])",
    )
    .unwrap();
    let model_dir = dir.path().join("model");
    let output = run_host(&[
        "-q",
        "--plugin",
        conv2d.to_str().unwrap(),
        "--plugin",
        advanced.to_str().unwrap(),
        "train",
        "--genotype",
        genotype.to_str().unwrap(),
        "--epochs",
        "2",
        "--cells",
        "3",
        "--channels",
        "8",
        "--batch-size",
        "64",
        "--out",
        model_dir.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let test: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(model_dir.join("metrics.json")).unwrap()).unwrap();
    let accuracy = test["tasks"][0]["accuracy"].as_f64().unwrap();
    assert!(accuracy > 0.5, "two epochs on the digits should beat chance (0.1) easily: {test}");
    let model = fs::read_to_string(model_dir.join("model.json")).unwrap();
    assert!(model.contains("\"advanced\"") && model.contains("\"conv2d\""), "{model}");

    assert!(fs::read(host_binary()).unwrap() == host_before, "darts-host changed");
}
