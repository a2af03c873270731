//! Genotypes as drawings: the cells of a [`Genotype`] as [`CellDrawing`]s, and both cells in
//! one SVG document or one DOT digraph.
//!
//! Edges are labelled with the bare primitive name when every primitive of the genotype comes
//! from one plugin, as the authors' plots do, and with the qualified `plugin:name` when the
//! genotype mixes plugins, so that a reader can tell `conv2d:sep_conv_3x3` from a plugin's own
//! `sep_conv_3x3`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use darts_report::{cell_svg, state_name, CellDrawing, ReportError};

use crate::genotype::{bare_name, CellGenotype, CellKind, Genotype};

/// The room between two cells stacked in one SVG document.
const STACK_GAP: f64 = 12.0;

/// Whether the primitives of `genotype` come from more than one plugin. A bare name counts
/// as a plugin of its own, "unknown"; a genotype of bare names only comes from one.
pub fn mixes_plugins(genotype: &Genotype) -> bool {
    let plugins: BTreeSet<Option<&str>> = genotype
        .cells()
        .flat_map(|(_, cell)| &cell.edges)
        .map(|edge| edge.primitive.rsplit_once(':').map(|(plugin, _)| plugin))
        .collect();
    plugins.len() > 1
}

/// The label of `primitive` on an edge: as stored when `qualified`, else its bare name.
pub fn edge_label(primitive: &str, qualified: bool) -> &str {
    if qualified {
        primitive
    } else {
        bare_name(primitive)
    }
}

/// The title of a cell: "normal cell" or "reduction cell", after `prefix` when it is not
/// empty ("best: normal cell").
pub fn cell_title(kind: CellKind, prefix: &str) -> String {
    let cell = match kind {
        CellKind::Normal => "normal cell",
        CellKind::Reduce => "reduction cell",
    };
    if prefix.is_empty() {
        cell.to_owned()
    } else {
        format!("{prefix}: {cell}")
    }
}

/// One cell as a drawing titled `title`, its edges labelled as [`edge_label`] says.
pub fn cell_drawing(title: String, cell: &CellGenotype, qualified: bool) -> CellDrawing {
    let edges: Vec<(&str, usize)> = cell
        .edges
        .iter()
        .map(|edge| (edge_label(&edge.primitive, qualified), edge.input))
        .collect();
    CellDrawing::from_flat(title, &edges, &cell.concat)
}

/// The cells of `genotype` as drawings, normal first, titled by [`cell_title`] with `prefix`.
pub fn cell_drawings(genotype: &Genotype, prefix: &str) -> Vec<CellDrawing> {
    let qualified = mixes_plugins(genotype);
    genotype
        .cells()
        .map(|(kind, cell)| cell_drawing(cell_title(kind, prefix), cell, qualified))
        .collect()
}

/// Both cells of `genotype` in one standalone SVG document (root class `darts-genotype`), the
/// reduction cell under the normal cell; each cell is a nested `<svg class="darts-cell">` as
/// [`cell_svg`] draws it.
///
/// Fails when a cell cannot be drawn, which a validated genotype never causes.
pub fn genotype_svg(genotype: &Genotype) -> Result<String, ReportError> {
    let drawings = cell_drawings(genotype, "")
        .iter()
        .map(cell_svg)
        .collect::<Result<Vec<String>, ReportError>>()?;

    let mut body = String::new();
    let (mut width, mut height) = (0.0_f64, 0.0_f64);
    for (i, svg) in drawings.iter().enumerate() {
        if i > 0 {
            height += STACK_GAP;
        }
        let (w, h) = size_of(svg);
        let root = svg.find("<svg").unwrap_or(0);
        let rest = &svg[root + "<svg".len()..];
        let _ = write!(body, "<svg x=\"0\" y=\"{}\"{rest}", num(height));
        width = width.max(w);
        height += h;
    }
    let mut out = String::new();
    let (width, height) = (num(width), num(height));
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"darts-genotype\" width=\"{width}\" \
         height=\"{height}\" viewBox=\"0 0 {width} {height}\">"
    );
    let _ = writeln!(
        out,
        "<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );
    out.push_str(&body);
    out.push_str("</svg>\n");
    Ok(out)
}

/// Both cells of `genotype` as one Graphviz DOT digraph, laid out left to right, each cell a
/// cluster titled with its name, normal first: `dot -Tsvg FILE -o cells.svg` draws both.
///
/// [`darts_report::cell_dot`] writes one digraph per cell, but Graphviz draws only the first
/// graph of a file reliably, so the cells become clusters of one digraph here. Their node ids
/// are prefixed by the cell (`normal_0`, `reduce_output`) because DOT ids are global to the
/// digraph; each node is labelled with its state's name as in the SVG. Fails when a cell
/// cannot be drawn, which a validated genotype never causes.
pub fn genotype_dot(genotype: &Genotype) -> Result<String, ReportError> {
    let mut out = String::from("digraph genotype {\n  rankdir=LR;\n");
    out.push_str(
        "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=14];\n",
    );
    out.push_str("  edge [fontname=\"Courier\", fontsize=12];\n");
    for ((kind, _), cell) in genotype.cells().zip(cell_drawings(genotype, "")) {
        cell.validate()?;
        let states = cell.states();
        let id = |state: usize| {
            if state == states {
                format!("{kind}_output")
            } else {
                format!("{kind}_{state}")
            }
        };
        let _ = writeln!(out, "  subgraph cluster_{kind} {{");
        let _ = writeln!(
            out,
            "    label={}; labelloc=t; fontsize=16; color=\"#d0d7de\";",
            quote(&cell.title)
        );
        for state in 0..=states {
            let fill = match state {
                0 | 1 => "#dcefd4",
                s if s == states => "#fbefc9",
                _ => "#dde8f6",
            };
            let name = quote(&state_name(state, states));
            let _ = writeln!(out, "    {} [label={name}, fillcolor=\"{fill}\"];", id(state));
        }
        for (node, edges) in cell.nodes.iter().enumerate() {
            for edge in edges {
                let label = quote(&edge.label);
                let _ = writeln!(out, "    {} -> {} [label={label}];", id(edge.from), id(node + 2));
            }
        }
        for &state in &cell.concat {
            let _ = writeln!(out, "    {} -> {} [color=\"#707070\"];", id(state), id(states));
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    Ok(out)
}

/// `text` as a double-quoted DOT string, its backslashes and quotes escaped.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"))
}

/// A length in pixels as an SVG attribute value, to two decimals.
fn num(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    format!("{rounded}")
}

/// The `width` and `height` of the root element of an SVG drawn by this workspace, in
/// pixels; 0 for a size it does not state.
fn size_of(svg: &str) -> (f64, f64) {
    let root = svg.find("<svg").map_or("", |at| svg[at..].split('>').next().unwrap_or(""));
    let attribute = |name: &str| {
        root.split(&format!(" {name}=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|value| value.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (attribute("width"), attribute("height"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genotype::published;

    #[test]
    fn labels_are_bare_unless_plugins_mix() {
        let v2 = published::darts_v2();
        assert!(!mixes_plugins(&v2));
        let qualified = v2.map_primitives(|name| format!("conv2d:{name}"));
        assert!(!mixes_plugins(&qualified));
        let drawings = cell_drawings(&qualified, "");
        assert_eq!(drawings[0].nodes[0][0].label, "sep_conv_3x3");

        let mut mixed = qualified.clone();
        mixed.normal.edges[0].primitive = "advanced:se_block".to_owned();
        assert!(mixes_plugins(&mixed));
        let drawings = cell_drawings(&mixed, "best");
        assert_eq!(drawings[0].title, "best: normal cell");
        assert_eq!(drawings[1].title, "best: reduction cell");
        assert_eq!(drawings[0].nodes[0][0].label, "advanced:se_block");
        assert_eq!(drawings[0].nodes[0][1].label, "conv2d:sep_conv_3x3");
    }

    #[test]
    fn the_svg_stacks_both_cells() {
        let svg = genotype_svg(&published::darts_v2()).unwrap();
        assert_eq!(svg.matches("class=\"darts-cell\"").count(), 2);
        let (width, height) = size_of(&svg);
        assert!(width > 100.0 && height > 200.0, "{width} x {height}");
        assert!(svg.contains("<svg x=\"0\" y=\"0\" xmlns="), "{}", &svg[..300]);
    }

    #[test]
    fn the_dot_has_one_cluster_per_cell() {
        let dot = genotype_dot(&published::darts_v2()).unwrap();
        assert_eq!(dot.matches("digraph ").count(), 1);
        assert_eq!(dot.matches("subgraph cluster_").count(), 2);
        assert!(dot.contains("reduce_2 -> reduce_4 [label=\"skip_connect\"];"), "{dot}");
        assert!(dot.contains("normal_5 -> normal_output [color="), "{dot}");
        // 8 kept edges and 4 concatenated nodes per cell.
        assert_eq!(dot.matches(" -> ").count(), 2 * (8 + 4));
    }
}
