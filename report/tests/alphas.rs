//! The architecture weights: small multiples per edge and the heatmap of the last epoch.

mod common;

use common::{assert_texts_inside, parse, text_of, with_class};
use darts_report::{alphas_heatmap_svg, alphas_svg, darts_edge_names, AlphaHistory, ReportError};

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

/// The primitive a made-up edge moves towards: `none` for edge 0, another for the others.
fn strongest(edge: usize) -> usize {
    if edge == 0 {
        0
    } else {
        1 + edge % 7
    }
}

/// A made-up history of a 4-node cell, recorded every other epoch: weights uniform at first,
/// then every edge moves towards [`strongest`] (and edge 0, second, towards `sep_conv_3x3`),
/// the other weights sharing what is left.
fn history(epochs: usize) -> AlphaHistory {
    let edges = darts_edge_names(4);
    let weights = (0..epochs)
        .map(|epoch| {
            let t = epoch as f64 / epochs as f64;
            (0..edges.len())
                .map(|edge| {
                    let strong = (strongest(edge), 0.125 + 0.5 * t);
                    let second = (if edge == 0 { 4 } else { 8 }, 0.125 + 0.1 * t);
                    let favoured = if edge == 0 { 2.0 } else { 1.0 };
                    let rest = (1.0 - strong.1 - if edge == 0 { second.1 } else { 0.0 })
                        / (8.0 - favoured);
                    (0..8)
                        .map(|p| match p {
                            p if p == strong.0 => strong.1,
                            p if p == second.0 => second.1,
                            _ => rest,
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    AlphaHistory {
        cell: "normal".into(),
        primitives: PRIMITIVES.map(String::from).into(),
        epochs: (0..epochs).map(|e| e * 2).collect(),
        weights,
        edge_names: edges,
    }
}

#[test]
fn one_plot_per_edge_with_one_line_per_primitive() {
    let svg = alphas_svg(&history(10)).unwrap();
    let document = parse(&svg);
    assert_eq!(document.root_element().attribute("class"), Some("darts-alphas"));
    let panels: Vec<_> = with_class(&document, "g", "panel").collect();
    assert_eq!(panels.len(), 14);
    let names: Vec<String> = panels
        .iter()
        .map(|p| text_of(p.children().find(|n| n.has_tag_name("text")).unwrap()))
        .collect();
    assert_eq!(names, darts_edge_names(4));
    for panel in &panels {
        let lines: Vec<&str> = panel
            .children()
            .filter(|n| n.attribute("class") == Some("primitive"))
            .map(|n| n.attribute("data-primitive").unwrap())
            .collect();
        assert_eq!(lines, PRIMITIVES);
    }
    let legend: Vec<String> = with_class(&document, "g", "legend-item").map(text_of).collect();
    assert_eq!(legend, PRIMITIVES);
    assert_texts_inside(&svg);
}

#[test]
fn the_edges_of_a_node_share_a_row() {
    let svg = alphas_svg(&history(3)).unwrap();
    let document = parse(&svg);
    let tops: Vec<f64> = with_class(&document, "g", "panel")
        .map(|p| common::attr(p.children().find(|n| n.has_tag_name("rect")).unwrap(), "y"))
        .collect();
    // Rows of 2, 3, 4 and 5 edges: node 0's, node 1's, node 2's and node 3's.
    let mut rows: Vec<usize> = Vec::new();
    for (i, top) in tops.iter().enumerate() {
        if i == 0 || *top != tops[i - 1] {
            rows.push(0);
        }
        *rows.last_mut().unwrap() += 1;
    }
    assert_eq!(rows, [2, 3, 4, 5]);
}

#[test]
fn one_epoch_draws_dots_and_missing_weights_break_lines() {
    let one = history(1);
    let svg = alphas_svg(&one).unwrap();
    let document = parse(&svg);
    assert_eq!(document.descendants().filter(|n| n.has_tag_name("circle")).count(), 14 * 8);
    assert!(document.descendants().filter(|n| n.has_tag_name("path")).count() == 0);

    let mut gaps = history(5);
    gaps.weights[2][0][3] = f64::NAN;
    let svg = alphas_svg(&gaps).unwrap();
    assert!(!svg.contains("NaN"));
    let document = parse(&svg);
    let panel = with_class(&document, "g", "panel").next().unwrap();
    let skip =
        panel.children().find(|n| n.attribute("data-primitive") == Some("skip_connect")).unwrap();
    let d = skip.children().find(|n| n.has_tag_name("path")).unwrap().attribute("d").unwrap();
    assert_eq!(d.matches('M').count(), 2, "{d}");
}

#[test]
fn no_epochs_still_draws_the_grid() {
    let empty = AlphaHistory { epochs: vec![], weights: vec![], ..history(1) };
    let svg = alphas_svg(&empty).unwrap();
    let document = parse(&svg);
    assert_eq!(with_class(&document, "g", "panel").count(), 14);
    assert_eq!(with_class(&document, "text", "no-data").count(), 14);
    let heatmap = alphas_heatmap_svg(&empty).unwrap();
    let document = parse(&heatmap);
    assert_eq!(
        with_class(&document, "text", "no-data").map(text_of).collect::<Vec<_>>(),
        ["no data"]
    );
    assert_texts_inside(&svg);
    assert_texts_inside(&heatmap);
}

#[test]
fn heatmap_prints_the_last_epoch_and_marks_the_kept_primitive() {
    let history = history(6);
    let svg = alphas_heatmap_svg(&history).unwrap();
    let document = parse(&svg);
    let title = text_of(with_class(&document, "text", "title").next().unwrap());
    assert_eq!(title, "normal cell: architecture weights at epoch 10");
    let last = history.weights.last().unwrap();
    let rows: Vec<_> = with_class(&document, "g", "row").collect();
    assert_eq!(rows.len(), 14);
    for (edge, row) in rows.iter().enumerate() {
        let values: Vec<String> =
            row.children().filter(|n| n.has_tag_name("text")).skip(1).map(text_of).collect();
        let expected: Vec<String> = last[edge].iter().map(|v| format!("{v:.2}")).collect();
        assert_eq!(values, expected);
        let kept: Vec<usize> = row
            .children()
            .filter(|n| n.has_tag_name("rect"))
            .enumerate()
            .filter(|(_, n)| n.attribute("class") == Some("cell kept"))
            .map(|(p, _)| p)
            .collect();
        // Edge 0's largest weight is none's, which DARTS never keeps: sep_conv_3x3 is marked.
        let expected = if edge == 0 { 4 } else { strongest(edge) };
        assert_eq!(kept, [expected], "edge {edge}");
    }
    assert_texts_inside(&svg);
}

#[test]
fn histories_of_the_wrong_shape_are_refused() {
    let mut short = history(3);
    short.epochs.pop();
    assert_eq!(
        alphas_svg(&short),
        Err(ReportError::EpochCount { cell: "normal".into(), epochs: 2, weights: 3 })
    );
    let mut rows = history(3);
    rows.weights[1].pop();
    assert_eq!(
        alphas_heatmap_svg(&rows),
        Err(ReportError::EdgeCount { cell: "normal".into(), epoch: 2, expected: 14, found: 13 })
    );
    let mut row = history(3);
    row.weights[2][5].push(0.0);
    let error = alphas_svg(&row).unwrap_err();
    assert_eq!(
        error,
        ReportError::PrimitiveCount {
            cell: "normal".into(),
            epoch: 4,
            edge: "c_{k-2} → 2".into(),
            expected: 8,
            found: 9
        }
    );
    assert_eq!(
        error.to_string(),
        "alpha history of cell \"normal\", epoch 4, edge \"c_{k-2} → 2\": 9 weights, but the \
         history names 8 primitives"
    );
}

#[test]
fn long_edge_names_widen_the_columns() {
    let mut long = history(2);
    long.edge_names = (0..14).map(|i| format!("a rather long name for edge number {i}")).collect();
    assert_texts_inside(&alphas_svg(&long).unwrap());
    assert_texts_inside(&alphas_heatmap_svg(&long).unwrap());
}

/// The y coordinates of the path drawn for `primitive` in the first panel.
fn first_panel_ys(svg: &str, primitive: &str) -> Vec<f64> {
    let document = parse(svg);
    let panel = with_class(&document, "g", "panel").next().unwrap();
    let line = panel
        .children()
        .find(|n| n.attribute("data-primitive") == Some(primitive))
        .expect("a line per primitive");
    let path = line.children().find(|n| n.has_tag_name("path")).unwrap();
    let numbers: Vec<f64> = path
        .attribute("d")
        .unwrap()
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter_map(|s| s.parse().ok())
        .collect();
    numbers.chunks(2).map(|xy| xy[1]).collect()
}

#[test]
fn near_uniform_weights_are_spread_over_the_plot_height() {
    // Ten epochs of a search that has barely moved: weights within 0.002 of 1/8.
    let edges = darts_edge_names(2);
    let weights: Vec<Vec<Vec<f64>>> = (0..10)
        .map(|epoch| {
            let drift = 0.0002 * epoch as f64;
            (0..edges.len())
                .map(|_| {
                    let mut row = vec![0.125; 8];
                    row[3] += drift;
                    row[0] -= drift;
                    row
                })
                .collect()
        })
        .collect();
    let history = AlphaHistory {
        cell: "normal".into(),
        primitives: PRIMITIVES.map(String::from).into(),
        epochs: (1..=10).collect(),
        weights,
        edge_names: edges,
    };
    let svg = alphas_svg(&history).unwrap();
    let rising = first_panel_ys(&svg, "skip_connect");
    let falling = first_panel_ys(&svg, "none");
    // On a fixed 0-1 axis the two lines would be a fraction of a pixel apart.
    let gap = falling.last().unwrap() - rising.last().unwrap();
    assert!(gap > 20.0, "the last epoch's lines are only {gap} px apart");
    assert!(rising.first().unwrap() - rising.last().unwrap() > 10.0, "the drift is visible");
}
