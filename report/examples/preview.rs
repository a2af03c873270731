//! Writes drawings of the published DARTS_V2 genotype and of made-up search metrics and
//! architecture weights into a folder, with a page holding them all, for looking at them.
//!
//! `cargo run --release -p darts-report --example preview -- OUT_DIR`

use std::path::PathBuf;

use darts_report::{
    alphas_heatmap_svg, alphas_svg, cell_dot, cell_svg, darts_edge_names, line_chart_svg,
    AlphaHistory, CellDrawing, EdgeDrawing, LineChart, Page, Series,
};

/// The DARTS_V2 normal cell, as the authors published it.
const NORMAL: [(&str, usize); 8] = [
    ("sep_conv_3x3", 0),
    ("sep_conv_3x3", 1),
    ("sep_conv_3x3", 0),
    ("sep_conv_3x3", 1),
    ("sep_conv_3x3", 1),
    ("skip_connect", 0),
    ("skip_connect", 0),
    ("dil_conv_3x3", 2),
];

/// The DARTS_V2 reduction cell.
const REDUCE: [(&str, usize); 8] = [
    ("max_pool_3x3", 0),
    ("max_pool_3x3", 1),
    ("skip_connect", 2),
    ("max_pool_3x3", 1),
    ("max_pool_3x3", 0),
    ("skip_connect", 2),
    ("skip_connect", 2),
    ("max_pool_3x3", 1),
];

const PRIMITIVES: [&str; 8] = [
    "none",
    "max_pool_3x3",
    "avg_pool_3x3",
    "skip_connect",
    "sep_conv_3x3",
    "sep_conv_5x5",
    "dil_conv_3x3",
    "dil_conv_5x5",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).ok_or("usage: preview OUT_DIR")?);
    std::fs::create_dir_all(&dir)?;
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text);

    let normal = CellDrawing::from_flat("DARTS_V2 normal cell", &NORMAL, &[2, 3, 4, 5]);
    let reduce = CellDrawing::from_flat("DARTS_V2 reduction cell", &REDUCE, &[2, 3, 4, 5]);
    let qualified: Vec<(String, usize)> =
        NORMAL.iter().map(|(op, from)| (format!("conv2d:{op}"), *from)).collect();
    let qualified = CellDrawing::from_flat("qualified names", &qualified, &[2, 3, 4, 5]);
    // Five nodes, a node reading one input twice, a chain, and an input in the concat.
    let odd = CellDrawing::from_flat(
        "five nodes <&> a repeated input",
        &[
            ("sep_conv_3x3", 1),
            ("sep_conv_5x5", 1),
            ("skip_connect", 2),
            ("avg_pool_3x3", 0),
            ("dil_conv_5x5", 3),
            ("max_pool_3x3", 2),
            ("sep_conv_3x3", 4),
            ("conv_7x1_1x7", 0),
            ("skip_connect", 5),
            ("my_plugin:brand_new_op", 1),
        ],
        &[1, 4, 5, 6],
    );
    // Six nodes of three edges each, reading the node before, an input and another state.
    let ops = ["sep_conv_3x3", "skip_connect", "max_pool_3x3", "dil_conv_5x5"];
    let dense = CellDrawing {
        title: "dense".into(),
        nodes: (0..6_usize)
            .map(|node| {
                [node + 1, node % 2, node / 2]
                    .iter()
                    .enumerate()
                    .map(|(k, &from)| EdgeDrawing::new(ops[(node + k) % ops.len()], from))
                    .collect()
            })
            .collect(),
        concat: vec![4, 5, 6, 7],
    };
    for (name, cell) in [
        ("normal", &normal),
        ("reduce", &reduce),
        ("qualified", &qualified),
        ("odd", &odd),
        ("dense", &dense),
    ] {
        write(&format!("{name}.svg"), &cell_svg(cell)?)?;
        write(&format!("{name}.dot"), &cell_dot(cell)?)?;
    }

    let epochs = 50;
    let loss = |scale: f64, noise: f64| -> Vec<(f64, f64)> {
        (0..epochs)
            .map(|e| {
                let e = f64::from(e);
                (e, scale * (2.3 * (-e / 14.0).exp() + 0.25) + noise * (e * 1.7).sin())
            })
            .collect()
    };
    let mut valid = loss(1.1, 0.04);
    valid[31].1 = f64::NAN;
    let losses = LineChart {
        title: "search loss".into(),
        x_label: "epoch".into(),
        y_label: "cross-entropy".into(),
        series: vec![Series::new("train", loss(1.0, 0.01)), Series::new("valid", valid)],
        log_y: false,
    };
    let log_losses =
        LineChart { title: "search loss (log scale)".into(), log_y: true, ..losses.clone() };
    let single = LineChart {
        title: "one point".into(),
        x_label: "epoch".into(),
        y_label: "accuracy".into(),
        series: vec![Series::new("valid accuracy", vec![(3.0, 0.71)])],
        log_y: false,
    };
    let empty = LineChart {
        title: "nothing recorded yet".into(),
        x_label: "step".into(),
        y_label: "loss".into(),
        series: vec![Series::new("train", vec![(f64::NAN, 1.0)])],
        log_y: false,
    };
    write("chart.svg", &line_chart_svg(&losses))?;
    write("chart_log.svg", &line_chart_svg(&log_losses))?;
    write("chart_single.svg", &line_chart_svg(&single))?;
    write("chart_empty.svg", &line_chart_svg(&empty))?;

    let history = made_up_history(epochs as usize);
    write("alphas.svg", &alphas_svg(&history)?)?;
    write("heatmap.svg", &alphas_heatmap_svg(&history)?)?;

    let mut page = Page::new("search digits-2024 <report>");
    page.key_values(&[("data set", "digits 8x8"), ("epochs", "50"), ("plugins", "conv2d, conv1d")]);
    page.section("Genotype")
        .paragraph("The genotype the search derived, drawn as the DARTS authors plot it.")
        .svg(&cell_svg(&normal)?, "normal cell")
        .svg(&cell_svg(&reduce)?, "reduction cell")
        .preformatted(&cell_dot(&normal)?);
    page.section("Metrics").svg(&line_chart_svg(&losses), "loss per epoch").table(
        &["epoch", "train loss", "valid loss"],
        &[
            vec!["0".to_owned(), "2.55".to_owned(), "2.81".to_owned()],
            vec!["49".to_owned(), "0.28".to_owned(), "<nan>".to_owned()],
        ],
    );
    page.section("Architecture weights")
        .svg(&alphas_svg(&history)?, "softmax of the alphas per edge of the normal cell")
        .svg(&alphas_heatmap_svg(&history)?, "weights at the last epoch");
    write("page.html", &page.render())?;
    Ok(())
}

/// Made-up weights of a 4-node cell over `epochs` epochs: every edge starts uniform and
/// drifts towards one primitive, most of them towards `skip_connect`, as in a collapse.
fn made_up_history(epochs: usize) -> AlphaHistory {
    let edges = darts_edge_names(4);
    let mut seed = 7_u64;
    let mut random = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let targets: Vec<usize> =
        (0..edges.len()).map(|e| if e % 3 == 0 { 4 + e % 4 } else { 3 }).collect();
    let rates: Vec<f64> = (0..edges.len()).map(|_| 0.5 + random()).collect();
    let weights = (0..epochs)
        .map(|epoch| {
            (0..edges.len())
                .map(|edge| {
                    let logits: Vec<f64> = (0..PRIMITIVES.len())
                        .map(|p| {
                            let pull = if p == targets[edge] { 1.0 } else { 0.0 };
                            let none = if p == 0 { -0.4 } else { 0.0 };
                            (pull + none) * rates[edge] * epoch as f64 / 12.0
                                + 0.05 * (random() - 0.5)
                        })
                        .collect();
                    let total: f64 = logits.iter().map(|l| l.exp()).sum();
                    logits.iter().map(|l| l.exp() / total).collect()
                })
                .collect()
        })
        .collect();
    AlphaHistory {
        cell: "normal".into(),
        primitives: PRIMITIVES.map(String::from).into(),
        epochs: (0..epochs).collect(),
        weights,
        edge_names: edges,
    }
}
