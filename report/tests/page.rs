//! The HTML page: self-contained, escaped, every figure in place.

mod common;

use common::{darts_v2_normal, darts_v2_reduce};
use darts_report::{
    alphas_heatmap_svg, alphas_svg, cell_dot, cell_svg, darts_edge_names, line_chart_svg,
    AlphaHistory, FigureKind, LineChart, Page, Series,
};

fn history() -> AlphaHistory {
    let edges = darts_edge_names(2);
    AlphaHistory {
        cell: "normal".into(),
        primitives: vec!["skip_connect".into(), "sep_conv_3x3".into()],
        epochs: vec![0, 1],
        weights: vec![vec![vec![0.5, 0.5]; edges.len()], vec![vec![0.7, 0.3]; edges.len()]],
        edge_names: edges,
    }
}

/// A page with every kind of block and figure.
fn full_page() -> String {
    let chart = LineChart {
        title: "loss".into(),
        x_label: "epoch".into(),
        y_label: "loss".into(),
        series: vec![Series::new("train", vec![(0.0, 2.0), (1.0, 1.0)])],
        log_y: false,
    };
    let mut page = Page::new("search <digits> & more");
    page.key_values(&[("data <set>", "digits & co"), ("epochs", "2")])
        .paragraph("before any section");
    page.section("Genotype")
        .svg(&cell_svg(&darts_v2_normal()).unwrap(), "normal cell")
        .svg(&cell_svg(&darts_v2_reduce()).unwrap(), "reduction <cell>")
        .preformatted(&cell_dot(&darts_v2_normal()).unwrap());
    page.section("Metrics")
        .svg(&line_chart_svg(&chart), "loss")
        .table(&["epoch", "loss <train>"], &[vec!["0", "2.0"], vec!["1", "1 & less"]]);
    page.section("Weights")
        .svg(&alphas_svg(&history()).unwrap(), "per edge")
        .svg(&alphas_heatmap_svg(&history()).unwrap(), "last epoch")
        .figure(FigureKind::Other, "<svg class=\"mine\"><text x=\"1\" y=\"9\">x</text></svg>", "");
    page.render()
}

#[test]
fn the_page_refers_to_nothing_outside_itself() {
    let html = full_page();
    for external in ["http:", "https:", "//", "src=", "href=", "@import", "<script", "<link"] {
        assert!(!html.contains(external), "the page holds {external:?}");
    }
    // The only references are to the drawings' own arrowheads and gradient.
    for (at, _) in html.match_indices("url(") {
        assert_eq!(&html[at..at + 5], "url(#");
    }
}

#[test]
fn every_figure_is_present_with_its_class() {
    let html = full_page();
    assert_eq!(html.matches("<figure class=\"cell-diagram\">").count(), 2);
    assert_eq!(html.matches("<figure class=\"chart\">").count(), 1);
    assert_eq!(html.matches("<figure class=\"alphas\">").count(), 2);
    assert_eq!(html.matches("<figure class=\"other\">").count(), 1);
    assert_eq!(html.matches("<figure").count(), html.matches("</figure>").count());
    assert_eq!(html.matches("<figcaption>").count(), 5);
    // Each inlined drawing is still well-formed XML.
    let mut drawings = 0;
    for (start, _) in html.match_indices("<svg") {
        let end = start + html[start..].find("</svg>").unwrap() + "</svg>".len();
        roxmltree::Document::parse(&html[start..end]).unwrap();
        drawings += 1;
    }
    assert_eq!(drawings, 6);
}

#[test]
fn the_page_is_a_utf8_document_with_closed_sections() {
    let html = full_page();
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">")
    );
    assert!(html.contains("<title>search &lt;digits&gt; &amp; more</title>"));
    assert_eq!(html.matches("<section>").count(), 3);
    assert_eq!(html.matches("</section>").count(), 3);
    assert!(html.trim_end().ends_with("</html>"));
    let first_section = html.find("<section>").unwrap();
    assert!(html.find("<p>before any section</p>").unwrap() < first_section);
}

#[test]
fn text_blocks_are_escaped() {
    let html = full_page();
    assert!(html.contains("<dt>data &lt;set&gt;</dt><dd>digits &amp; co</dd>"));
    assert!(html.contains("<th>loss &lt;train&gt;</th>"));
    assert!(html.contains("<td>1 &amp; less</td>"));
    assert!(html.contains("<figcaption>reduction &lt;cell&gt;</figcaption>"));
    assert!(html.contains("<pre>digraph &quot;normal cell&quot; {"));
    assert!(html.contains("&quot;c_{k-2}&quot; -&gt; &quot;0&quot;"));
}
