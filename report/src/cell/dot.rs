//! The Graphviz DOT form of a cell.

use std::fmt::Write as _;

use super::{state_name, CellDrawing};
use crate::error::ReportError;

/// Writes `cell` as a Graphviz DOT digraph laid out left to right (`rankdir=LR`), as the DARTS
/// authors plot a genotype: the inputs `c_{k-2}` and `c_{k-1}`, the nodes `0`, `1`, ..., the
/// output `c_{k}`, one `->` line per kept edge labelled with its primitive, and one unlabelled
/// `->` line per concatenated state. Every name and label is a quoted, escaped DOT string.
///
/// Fails when [`CellDrawing::validate`] does.
pub fn cell_dot(cell: &CellDrawing) -> Result<String, ReportError> {
    cell.validate()?;
    let states = cell.states();
    let name = |state| quote(&state_name(state, states));
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(&cell.title));
    let _ = writeln!(out, "  label={}; labelloc=t; fontsize=16;", quote(&cell.title));
    out.push_str("  rankdir=LR;\n");
    out.push_str(
        "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=14];\n",
    );
    out.push_str("  edge [fontname=\"Courier\", fontsize=12];\n");
    for input in 0..2 {
        let _ = writeln!(out, "  {} [fillcolor=\"#dcefd4\"];", name(input));
    }
    for state in 2..states {
        let _ = writeln!(out, "  {} [fillcolor=\"#dde8f6\"];", name(state));
    }
    let _ = writeln!(out, "  {} [fillcolor=\"#fbefc9\"];", name(states));
    for (node, edges) in cell.nodes.iter().enumerate() {
        for edge in edges {
            let _ = writeln!(
                out,
                "  {} -> {} [label={}];",
                name(edge.from),
                name(node + 2),
                quote(&edge.label)
            );
        }
    }
    for &state in &cell.concat {
        let _ = writeln!(out, "  {} -> {} [color=\"#707070\"];", name(state), name(states));
    }
    out.push_str("}\n");
    Ok(out)
}

/// `text` as a double-quoted DOT string: backslashes and quotes escaped, line breaks as `\n`.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quotes_escape_what_dot_reads_specially() {
        assert_eq!(quote(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(quote("two\nlines"), r#""two\nlines""#);
    }
}
