//! `darts-host describe`: the supernet's shape and size, without data or training.

use anyhow::Result;
use darts_host::data::TaskKind;
use darts_host::genotype::{published, Genotype};
use darts_host::network::{resolve_cell, EvalConfig, EvalNetwork};
use darts_host::plugins::PluginSet;
use darts_host::search::{choose_primitives, intended_layout, load_dataset, SearchConfig};
use darts_host::supernet::Supernet;
use darts_plugin_api::Layout;
use tch::nn;

use super::network_args::resolve;
use crate::cli::DescribeArgs;
use crate::UsageError;

/// Builds the supernet the config and flags describe on the CPU and prints its layers'
/// output shapes and parameter counts.
pub fn run(plugins: &PluginSet, args: &DescribeArgs) -> Result<()> {
    let mut base = SearchConfig::default();
    if args.genotype.is_some() {
        // The paper's evaluation network, unless flags say otherwise.
        base.channels = 36;
        base.cells = 20;
    }
    let config = resolve(&args.network, base)?;

    // The input: a shape and a class count, or a data set.
    let (layout, input_shape, heads, source) = match &args.input_shape {
        Some(shape) => {
            let layout = match shape.len() {
                1 => Layout::Flat,
                2 => Layout::Sequence,
                3 => Layout::Image,
                _ => {
                    return Err(UsageError(format!(
                        "--input-shape {shape:?} has {} numbers; give C,H,W for images, C,L for \
                         sequences or F for tabular data",
                        shape.len()
                    ))
                    .into())
                }
            };
            if shape.iter().any(|&size| size < 1) {
                return Err(
                    UsageError(format!("--input-shape {shape:?} has a size below 1")).into()
                );
            }
            let classes = args.classes.ok_or_else(|| {
                UsageError("--input-shape needs --classes N, the width of the head".to_owned())
            })?;
            if classes < 1 {
                return Err(
                    UsageError(format!("--classes must be at least 1, not {classes}")).into()
                );
            }
            (layout, shape.clone(), vec![classes], format!("input {shape:?}, {classes} classes"))
        }
        None => {
            let data = load_dataset(&config, intended_layout(&config, plugins)?)?;
            let heads = data
                .tasks
                .iter()
                .map(|task| match task.kind {
                    TaskKind::Classification { classes } => classes as i64,
                    TaskKind::Regression => 1,
                })
                .collect();
            (data.layout, data.input_shape(), heads, format!("data set {}", data.name))
        }
    };
    if let Some(genotype) = &args.genotype {
        return describe_evaluation(plugins, args, &config, genotype, (layout, input_shape, heads));
    }
    let primitives = choose_primitives(&config, plugins, layout)?;

    let store = nn::VarStore::new(tch::Device::Cpu);
    let supernet_config = config.supernet(layout, input_shape, heads, primitives.clone());
    let net = Supernet::new(&store.root(), plugins, supernet_config.clone())?;

    let reductions: Vec<String> = (0..config.cells)
        .filter(|&i| supernet_config.is_reduction(i))
        .map(|i| i.to_string())
        .collect();
    println!(
        "supernet for {source}: {layout} layout, {} cells (reduction cells: {}), {} channels, \
         {} nodes, multiplier {}",
        config.cells,
        if reductions.is_empty() { "none".to_owned() } else { reductions.join(", ") },
        config.channels,
        config.nodes,
        config.multiplier
    );
    println!(
        "primitives ({}): {}",
        primitives.len(),
        primitives.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    );
    println!();
    println!("{:24}  OUTPUT SHAPE (per example)", "LAYER");
    for (name, shape) in net.layer_shapes()? {
        println!("{name:24}  {shape:?}");
    }
    let weights: i64 = store.trainable_variables().iter().map(|t| t.numel() as i64).sum();
    let alphas: i64 = net.alphas().iter().map(|t| t.numel() as i64).sum();
    println!();
    println!("weight parameters: {weights}");
    println!(
        "alpha parameters: {alphas} (2 x {} edges x {} primitives)",
        supernet_config.edges_per_cell(),
        primitives.len()
    );
    Ok(())
}

/// The evaluation network of a genotype: layer shapes and parameter counts with and without
/// the auxiliary head.
fn describe_evaluation(
    plugins: &PluginSet,
    args: &DescribeArgs,
    config: &SearchConfig,
    source: &str,
    (layout, input_shape, heads): (Layout, Vec<i64>, Vec<i64>),
) -> Result<()> {
    let genotype = read_genotype(source)?;
    let normal_ids = resolve_cell(plugins, &genotype.normal, layout)?;
    let reduce_ids = match &genotype.reduce {
        Some(reduce) => resolve_cell(plugins, reduce, layout)?,
        None => Vec::new(),
    };
    let eval_config = EvalConfig {
        channels: config.channels,
        cells: config.cells,
        stem_multiplier: config.stem_multiplier,
        auxiliary: args.auxiliary,
        ..EvalConfig::new(layout, input_shape, heads)
    };

    // Counted twice: the auxiliary head is trained but not part of the deployed network.
    let count = |auxiliary: bool| -> Result<(i64, Option<EvalNetwork>)> {
        let store = nn::VarStore::new(tch::Device::Cpu);
        let config = EvalConfig { auxiliary, ..eval_config.clone() };
        let net =
            EvalNetwork::new(&store.root(), plugins, config, &genotype, &normal_ids, &reduce_ids)?;
        let parameters = store.trainable_variables().iter().map(|t| t.numel() as i64).sum();
        Ok((parameters, Some(net)))
    };
    let (without, _) = count(false)?;
    let (with, net) = count(args.auxiliary)?;
    let net = net.expect("built");

    println!(
        "evaluation network of {source}: {layout} layout, {} cells, {} channels{}",
        eval_config.cells,
        eval_config.channels,
        if net.has_auxiliary() { ", auxiliary head" } else { "" }
    );
    println!("genotype: {genotype}");
    println!();
    println!("{:24}  OUTPUT SHAPE (per example)", "LAYER");
    for (name, shape) in net.layer_shapes(tch::Device::Cpu)? {
        println!("{name:24}  {shape:?}");
    }
    println!();
    println!("parameters: {without}");
    if args.auxiliary {
        println!("parameters with the auxiliary head: {with}");
    }
    Ok(())
}

/// A genotype from a JSON file, a reference-text file, or a published name.
pub fn read_genotype(source: &str) -> Result<Genotype> {
    let path = std::path::Path::new(source);
    if !path.exists() {
        if let Some(genotype) = published::by_name(source) {
            return Ok(genotype);
        }
        return Err(UsageError(format!(
            "genotype {source}: no such file, nor a published genotype ({})",
            published::NAMES.join(", ")
        ))
        .into());
    }
    let text = std::fs::read_to_string(path)
        .map_err(|err| UsageError(format!("cannot read genotype file {source}: {err}")))?;
    let parsed = if text.trim_start().starts_with('{') {
        Genotype::from_json(&text)
    } else {
        Genotype::from_text(&text)
    };
    parsed.map_err(|err| UsageError(format!("genotype file {source}: {err}")).into())
}
