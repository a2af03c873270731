//! Helpers shared by the tests: the published DARTS_V2 genotype and checks on SVG documents.

#![allow(dead_code)] // Each test file uses its own share of the helpers.

use darts_report::CellDrawing;
use roxmltree::{Document, Node};

/// The DARTS_V2 normal cell, from the authors' `genotypes.py`: `(primitive, state)`, edges
/// `2j` and `2j + 1` feeding node `j`.
pub const DARTS_V2_NORMAL: [(&str, usize); 8] = [
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
pub const DARTS_V2_REDUCE: [(&str, usize); 8] = [
    ("max_pool_3x3", 0),
    ("max_pool_3x3", 1),
    ("skip_connect", 2),
    ("max_pool_3x3", 1),
    ("max_pool_3x3", 0),
    ("skip_connect", 2),
    ("skip_connect", 2),
    ("max_pool_3x3", 1),
];

/// The concat of both DARTS_V2 cells.
pub const DARTS_V2_CONCAT: [usize; 4] = [2, 3, 4, 5];

/// The DARTS_V2 normal cell, titled "normal cell".
pub fn darts_v2_normal() -> CellDrawing {
    CellDrawing::from_flat("normal cell", &DARTS_V2_NORMAL, &DARTS_V2_CONCAT)
}

/// The DARTS_V2 reduction cell, titled "reduction cell".
pub fn darts_v2_reduce() -> CellDrawing {
    CellDrawing::from_flat("reduction cell", &DARTS_V2_REDUCE, &DARTS_V2_CONCAT)
}

/// The `(from, to, primitive)` of every kept edge of a flat genotype, sorted.
pub fn kept_edges(flat: &[(&str, usize)]) -> Vec<(String, String, String)> {
    let mut edges: Vec<_> = flat
        .iter()
        .enumerate()
        .map(|(i, (op, from))| (from.to_string(), (i / 2 + 2).to_string(), op.to_string()))
        .collect();
    edges.sort();
    edges
}

/// Parses `svg` as XML, checking that its root is an SVG element.
pub fn parse(svg: &str) -> Document<'_> {
    let document = Document::parse(svg).unwrap_or_else(|e| panic!("not XML: {e}\n{svg}"));
    assert_eq!(document.root_element().tag_name().name(), "svg");
    assert_eq!(document.root_element().tag_name().namespace(), Some("http://www.w3.org/2000/svg"));
    document
}

/// The `(min x, min y, width, height)` of the root's viewBox, checked against its width and
/// height attributes.
pub fn view_box(document: &Document) -> (f64, f64, f64, f64) {
    let root = document.root_element();
    let numbers: Vec<f64> = root
        .attribute("viewBox")
        .expect("a viewBox")
        .split_whitespace()
        .map(|n| n.parse().expect("a number"))
        .collect();
    assert_eq!(numbers.len(), 4);
    assert_eq!(root.attribute("width").map(number), Some(numbers[2]));
    assert_eq!(root.attribute("height").map(number), Some(numbers[3]));
    assert!(numbers[2] > 0.0 && numbers[3] > 0.0);
    (numbers[0], numbers[1], numbers[2], numbers[3])
}

/// `text` as a number.
pub fn number(text: &str) -> f64 {
    text.parse().unwrap_or_else(|_| panic!("{text:?} is not a number"))
}

/// An attribute as a number.
pub fn attr(node: Node, name: &str) -> f64 {
    number(node.attribute(name).unwrap_or_else(|| panic!("no {name} on {node:?}")))
}

/// The text of a node and its descendants.
pub fn text_of(node: Node) -> String {
    node.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect()
}

/// The elements named `tag` whose class list holds `class`.
pub fn with_class<'a, 'input>(
    document: &'a Document<'input>,
    tag: &'a str,
    class: &'a str,
) -> impl Iterator<Item = Node<'a, 'input>> + 'a {
    document.descendants().filter(move |n| {
        n.has_tag_name(tag)
            && n.attribute("class").is_some_and(|c| c.split_whitespace().any(|c| c == class))
    })
}

/// Checks that every `<text>` lies inside the viewBox: its anchor point, and for text that is
/// not turned, the extent its font size and anchor give it, with characters estimated at
/// 0.55 em (narrower than any font the drawings name, so the check errs on the lenient side
/// only for the width).
pub fn assert_texts_inside(svg: &str) {
    let document = parse(svg);
    let (x0, y0, width, height) = view_box(&document);
    let mut count = 0;
    for text in document.descendants().filter(|n| n.has_tag_name("text")) {
        count += 1;
        let (x, y) = (attr(text, "x"), attr(text, "y"));
        let size = attr(text, "font-size");
        let content = text_of(text);
        assert!(
            (x0..=x0 + width).contains(&x) && (y0..=y0 + height).contains(&y),
            "text {content:?} at ({x}, {y}) lies outside the viewBox {width} x {height}"
        );
        if text.attribute("transform").is_some() {
            continue;
        }
        let extent = content.chars().count() as f64 * 0.55 * size;
        let left = match text.attribute("text-anchor") {
            Some("middle") => x - extent / 2.0,
            Some("end") => x - extent,
            _ => x,
        };
        assert!(
            left >= x0 && left + extent <= x0 + width,
            "text {content:?} spans {left}..{} outside 0..{width}",
            left + extent
        );
        assert!(y - 0.75 * size >= y0 && y + 0.25 * size <= y0 + height, "text {content:?} cut");
    }
    assert!(count > 0, "no text at all");
}

/// `(x, y, width, height)` of a `<rect>`.
pub fn rect(node: Node) -> (f64, f64, f64, f64) {
    (attr(node, "x"), attr(node, "y"), attr(node, "width"), attr(node, "height"))
}

/// Whether two rectangles share some area.
pub fn overlap(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
    a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
}

/// A small deterministic random number generator (a linear congruential one), so that the
/// generated cases are the same on every run.
pub struct Lcg(pub u64);

impl Lcg {
    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 =
            self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}
