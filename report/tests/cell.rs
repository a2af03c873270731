//! The cell drawings: the published DARTS_V2 cells in SVG and DOT, escaping, layout checks.

mod common;

use std::collections::BTreeMap;

use common::{
    assert_texts_inside, attr, darts_v2_normal, darts_v2_reduce, kept_edges, overlap, parse, rect,
    text_of, view_box, with_class, Lcg, DARTS_V2_CONCAT, DARTS_V2_NORMAL, DARTS_V2_REDUCE,
};
use darts_report::{cell_dot, cell_svg, CellDrawing, EdgeDrawing, ReportError};

/// The `(from, to, label)` of every labelled edge group of a cell SVG, sorted.
fn labelled_edges(svg: &str) -> Vec<(String, String, String)> {
    let document = parse(svg);
    let mut edges: Vec<_> = with_class(&document, "g", "edge")
        .filter(|g| !g.attribute("class").unwrap_or_default().contains("concat"))
        .map(|g| {
            let label = g.children().find(|n| n.has_tag_name("text")).expect("a label");
            (
                g.attribute("data-from").expect("data-from").to_owned(),
                g.attribute("data-to").expect("data-to").to_owned(),
                text_of(label),
            )
        })
        .collect();
    edges.sort();
    edges
}

#[test]
fn darts_v2_cells_parse_as_svg() {
    for cell in [darts_v2_normal(), darts_v2_reduce()] {
        let svg = cell_svg(&cell).unwrap();
        let document = parse(&svg);
        let (_, _, width, height) = view_box(&document);
        assert!(width > 300.0 && height > 100.0, "{width} x {height}");
        assert_eq!(document.root_element().attribute("class"), Some("darts-cell"));
    }
}

#[test]
fn normal_cell_has_the_states_of_the_genotype() {
    let svg = cell_svg(&darts_v2_normal()).unwrap();
    let document = parse(&svg);
    let nodes: Vec<(String, String)> = with_class(&document, "g", "node")
        .map(|g| (g.attribute("data-state").unwrap().to_owned(), text_of(g)))
        .collect();
    let expected = [
        ("0", "c_{k-2}"),
        ("1", "c_{k-1}"),
        ("2", "0"),
        ("3", "1"),
        ("4", "2"),
        ("5", "3"),
        ("output", "c_{k}"),
    ]
    .map(|(state, name)| (state.to_owned(), name.to_owned()));
    assert_eq!(nodes, expected);
    // Ids are unique and carry the title, so two cells can share a page.
    let ids: Vec<&str> =
        with_class(&document, "g", "node").map(|g| g.attribute("id").unwrap()).collect();
    assert!(ids.iter().all(|id| id.starts_with("normal-cell-")), "{ids:?}");
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
}

#[test]
fn every_kept_edge_is_drawn_once_with_its_primitive() {
    for (cell, flat) in
        [(darts_v2_normal(), &DARTS_V2_NORMAL), (darts_v2_reduce(), &DARTS_V2_REDUCE)]
    {
        let svg = cell_svg(&cell).unwrap();
        assert_eq!(labelled_edges(&svg), kept_edges(flat));
    }
}

#[test]
fn normal_cell_label_counts_match_the_genotype() {
    let svg = cell_svg(&darts_v2_normal()).unwrap();
    let mut counts = BTreeMap::new();
    for (_, _, label) in labelled_edges(&svg) {
        *counts.entry(label).or_insert(0) += 1;
    }
    let mut expected = BTreeMap::new();
    for (op, _) in DARTS_V2_NORMAL {
        *expected.entry(op.to_owned()).or_insert(0) += 1;
    }
    assert_eq!(counts, expected);
    // Worked out by hand from the genotype: five sep_conv_3x3, two skip_connect, one
    // dil_conv_3x3.
    assert_eq!(counts["sep_conv_3x3"], 5);
    assert_eq!(counts["skip_connect"], 2);
    assert_eq!(counts["dil_conv_3x3"], 1);
}

#[test]
fn every_concatenated_state_feeds_the_output() {
    for cell in [darts_v2_normal(), darts_v2_reduce()] {
        let svg = cell_svg(&cell).unwrap();
        let document = parse(&svg);
        let concat: Vec<(usize, &str)> = with_class(&document, "g", "concat")
            .map(|g| {
                assert!(
                    g.children().all(|n| !n.has_tag_name("text")),
                    "concat edges are unlabelled"
                );
                (
                    g.attribute("data-from").unwrap().parse().unwrap(),
                    g.attribute("data-to").unwrap(),
                )
            })
            .collect();
        let mut from: Vec<usize> = concat.iter().map(|c| c.0).collect();
        from.sort_unstable();
        assert_eq!(from, DARTS_V2_CONCAT);
        assert!(concat.iter().all(|c| c.1 == "output"));
        assert_eq!(with_class(&document, "g", "edge").count(), 8 + 4);
    }
}

#[test]
fn every_edge_has_an_arrowhead_defined_in_the_drawing() {
    let svg = cell_svg(&darts_v2_normal()).unwrap();
    let document = parse(&svg);
    let markers: Vec<&str> = document
        .descendants()
        .filter(|n| n.has_tag_name("marker"))
        .map(|n| n.attribute("id").unwrap())
        .collect();
    for g in with_class(&document, "g", "edge") {
        let path = g.children().find(|n| n.has_tag_name("path")).unwrap();
        let reference = path.attribute("marker-end").unwrap();
        let id = reference.strip_prefix("url(#").and_then(|r| r.strip_suffix(')')).unwrap();
        assert!(markers.contains(&id), "{id} is not defined");
    }
}

#[test]
fn qualified_labels_show_in_full() {
    let flat: Vec<(String, usize)> =
        DARTS_V2_NORMAL.iter().map(|(op, from)| (format!("conv2d:{op}"), *from)).collect();
    let cell = CellDrawing::from_flat("qualified", &flat, &DARTS_V2_CONCAT);
    let svg = cell_svg(&cell).unwrap();
    let labels: Vec<String> = labelled_edges(&svg).into_iter().map(|e| e.2).collect();
    assert_eq!(labels.iter().filter(|l| *l == "conv2d:sep_conv_3x3").count(), 5);
    assert!(labels.contains(&"conv2d:dil_conv_3x3".to_owned()));
    assert_texts_inside(&svg);
    assert_labels_clear(&svg);
}

#[test]
fn markup_in_titles_and_labels_is_escaped() {
    let cell = CellDrawing {
        title: "a <b> & \"c\"".into(),
        nodes: vec![vec![EdgeDrawing::new("x<y>&z", 0), EdgeDrawing::new("'q'", 1)]],
        concat: vec![2],
    };
    let svg = cell_svg(&cell).unwrap();
    assert!(!svg.contains("x<y>"));
    let document = parse(&svg);
    let labels: Vec<String> = labelled_edges(&svg).into_iter().map(|e| e.2).collect();
    assert_eq!(labels, ["x<y>&z", "'q'"]);
    let title = with_class(&document, "text", "title").next().unwrap();
    assert_eq!(text_of(title), "a <b> & \"c\"");
    assert_eq!(document.root_element().attribute("aria-label"), Some("a <b> & \"c\""));
}

#[test]
fn dot_has_one_arrow_per_kept_edge_with_its_label() {
    let dot = cell_dot(&darts_v2_normal()).unwrap();
    assert!(dot.starts_with("digraph \"normal cell\" {"));
    assert!(dot.contains("rankdir=LR;"));
    let name = |state: usize| match state {
        0 => "c_{k-2}".to_owned(),
        1 => "c_{k-1}".to_owned(),
        s => (s - 2).to_string(),
    };
    let arrows: Vec<&str> = dot.lines().filter(|l| l.contains("->")).collect();
    let labelled: Vec<&str> = arrows.iter().copied().filter(|l| l.contains("label=")).collect();
    assert_eq!(labelled.len(), DARTS_V2_NORMAL.len());
    for (i, (op, from)) in DARTS_V2_NORMAL.iter().enumerate() {
        let line = format!("  \"{}\" -> \"{}\" [label=\"{op}\"];", name(*from), name(i / 2 + 2));
        assert_eq!(labelled.iter().filter(|l| **l == line).count(), 1, "{line} in\n{dot}");
    }
    let into_output = arrows.iter().filter(|l| l.contains("-> \"c_{k}\"")).count();
    assert_eq!(into_output, DARTS_V2_CONCAT.len());
    assert_eq!(arrows.len(), 8 + 4);
}

#[test]
fn dot_escapes_quotes_and_backslashes() {
    let cell = CellDrawing::from_flat("say \"hi\"", &[("a\\b\"c", 0)], &[2]);
    let dot = cell_dot(&cell).unwrap();
    assert!(dot.starts_with("digraph \"say \\\"hi\\\"\" {"));
    assert!(dot.contains("[label=\"a\\\\b\\\"c\"]"), "{dot}");
}

#[test]
fn texts_lie_inside_the_view_box() {
    for cell in [darts_v2_normal(), darts_v2_reduce()] {
        assert_texts_inside(&cell_svg(&cell).unwrap());
    }
    // A title wider than the cell widens the drawing.
    let wide = CellDrawing::from_flat(
        "a title much wider than the one-node cell drawn under it, which must still fit",
        &[("skip_connect", 0)],
        &[2],
    );
    assert_texts_inside(&cell_svg(&wide).unwrap());
}

/// Checks that no edge label's background overlaps another's or a box, and that every label
/// sits on its background.
fn assert_labels_clear(svg: &str) {
    let document = parse(svg);
    let labels: Vec<_> = with_class(&document, "rect", "label-bg").map(rect).collect();
    let boxes: Vec<_> = with_class(&document, "g", "node")
        .map(|g| rect(g.children().find(|n| n.has_tag_name("rect")).unwrap()))
        .collect();
    for (i, a) in labels.iter().enumerate() {
        for b in &labels[i + 1..] {
            assert!(!overlap(*a, *b), "labels {a:?} and {b:?} overlap");
        }
        for b in &boxes {
            assert!(!overlap(*a, *b), "label {a:?} overlaps box {b:?}");
        }
    }
    for g in with_class(&document, "g", "edge") {
        if let Some(text) = g.children().find(|n| n.has_tag_name("text")) {
            let bg = rect(g.children().find(|n| n.has_tag_name("rect")).unwrap());
            let (x, y) = (attr(text, "x"), attr(text, "y"));
            assert!(bg.0 < x && x < bg.0 + bg.2 && bg.1 < y && y < bg.1 + bg.3);
        }
    }
}

#[test]
fn labels_do_not_overlap_each_other_or_boxes() {
    assert_labels_clear(&cell_svg(&darts_v2_normal()).unwrap());
    assert_labels_clear(&cell_svg(&darts_v2_reduce()).unwrap());
}

#[test]
fn generated_cells_lay_out_cleanly() {
    let ops = ["sep_conv_3x3", "skip_connect", "max_pool_3x3", "conv2d:dil_conv_5x5", "none"];
    let mut random = Lcg(2019);
    for case in 0..60 {
        let nodes = 1 + random.below(6);
        let per_node = 1 + random.below(3);
        let cell = CellDrawing {
            title: format!("case {case}"),
            nodes: (0..nodes)
                .map(|node| {
                    (0..per_node)
                        .map(|_| {
                            EdgeDrawing::new(ops[random.below(ops.len())], random.below(node + 2))
                        })
                        .collect()
                })
                .collect(),
            concat: (0..nodes + 2).filter(|s| *s >= 2 || random.below(4) == 0).collect(),
        };
        let svg = cell_svg(&cell).unwrap();
        let document = parse(&svg);
        assert_eq!(with_class(&document, "g", "node").count(), nodes + 3);
        assert_eq!(
            with_class(&document, "g", "edge").count(),
            nodes * per_node + cell.concat.len()
        );
        assert_texts_inside(&svg);
        assert_labels_clear(&svg);
        // Every box lies inside the drawing.
        let (_, _, width, height) = view_box(&document);
        for g in with_class(&document, "g", "node") {
            let (x, y, w, h) = rect(g.children().find(|n| n.has_tag_name("rect")).unwrap());
            assert!(x >= 0.0 && y >= 0.0 && x + w <= width && y + h <= height, "case {case}");
        }
        assert_eq!(
            cell_dot(&cell).unwrap().matches("->").count(),
            nodes * per_node + cell.concat.len()
        );
    }
}

#[test]
fn undrawable_cells_are_refused() {
    let cell = CellDrawing::from_flat("bad", &[("skip_connect", 0), ("sep_conv_3x3", 2)], &[2]);
    let expected = ReportError::InputNotEarlier { cell: "bad".into(), node: 0, state: 2, from: 2 };
    assert_eq!(cell_svg(&cell), Err(expected.clone()));
    assert_eq!(cell_dot(&cell), Err(expected));
    let cell = CellDrawing::from_flat("bad", &[("skip_connect", 0)], &[7]);
    assert!(matches!(cell_svg(&cell), Err(ReportError::ConcatOutOfRange { state: 7, .. })));
}

#[test]
fn cells_read_from_json() {
    let json = r#"{"title": "normal", "nodes": [[{"from": 0, "label": "sep_conv_3x3"},
        {"from": 1, "label": "skip_connect"}]], "concat": [2]}"#;
    let cell: CellDrawing = serde_json::from_str(json).unwrap();
    assert_eq!(
        cell,
        CellDrawing::from_flat("normal", &[("sep_conv_3x3", 0), ("skip_connect", 1)], &[2])
    );
    assert_eq!(
        serde_json::from_str::<CellDrawing>(&serde_json::to_string(&cell).unwrap()).unwrap(),
        cell
    );
}
