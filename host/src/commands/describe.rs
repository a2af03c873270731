//! `darts-host describe`: the supernet's shape and size, without data or training.

use anyhow::Result;
use darts_host::data::TaskKind;
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
    let config = resolve(&args.network, SearchConfig::default())?;

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
