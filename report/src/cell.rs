//! Drawings of one cell of a genotype: as SVG, laid out here, and as Graphviz DOT.
//!
//! The drawing follows the DARTS authors' plots of their genotypes: the cell's two inputs
//! `c_{k-2}` and `c_{k-1}` on the left, the intermediate nodes `0`, `1`, ... in the middle,
//! each fed by its kept edges labelled with their primitives, and the output `c_{k}` on the
//! right, fed by an unlabelled edge from every concatenated state.

mod dot;
mod layout;
mod svg;

use serde::{Deserialize, Serialize};

use crate::error::ReportError;

pub use dot::cell_dot;
pub use svg::cell_svg;

/// One cell to draw: its intermediate nodes, each with the kept edges feeding it, and the
/// states its output concatenates.
///
/// States are numbered as in the authors' genotypes: 0 and 1 are the cell's inputs c_{k-2}
/// and c_{k-1}, and node `j` (drawn as `j`) is state `j + 2`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellDrawing {
    /// The title drawn above the cell (for example "normal cell").
    pub title: String,
    /// The edges feeding each intermediate node, in node order; a DARTS cell keeps two per
    /// node.
    pub nodes: Vec<Vec<EdgeDrawing>>,
    /// The states concatenated into the output, by state index; normally the last nodes.
    pub concat: Vec<usize>,
}

/// One kept edge: a primitive applied to an earlier state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EdgeDrawing {
    /// The state the edge reads, by state index.
    pub from: usize,
    /// The label drawn on the edge: the primitive's name, bare or qualified by its plugin.
    pub label: String,
}

impl EdgeDrawing {
    /// An edge applying `label` to state `from`.
    pub fn new(label: impl Into<String>, from: usize) -> Self {
        EdgeDrawing { from, label: label.into() }
    }
}

impl CellDrawing {
    /// A cell from the authors' flat layout: `edges[2j]` and `edges[2j + 1]` feed node `j`,
    /// each a `(primitive, state)` pair. A trailing odd edge feeds a node of its own.
    pub fn from_flat<S: AsRef<str>>(
        title: impl Into<String>,
        edges: &[(S, usize)],
        concat: &[usize],
    ) -> Self {
        let nodes = edges
            .chunks(2)
            .map(|pair| pair.iter().map(|(label, from)| EdgeDrawing::new(label.as_ref(), *from)))
            .map(Iterator::collect)
            .collect();
        CellDrawing { title: title.into(), nodes, concat: concat.to_vec() }
    }

    /// The number of states: the two inputs and the intermediate nodes.
    pub fn states(&self) -> usize {
        self.nodes.len() + 2
    }

    /// Checks that the cell can be drawn: it has nodes, every node has edges, every edge reads
    /// an earlier state, and the output concatenates existing states, each once.
    pub fn validate(&self) -> Result<(), ReportError> {
        let cell = || self.title.clone();
        if self.nodes.is_empty() {
            return Err(ReportError::NoNodes { cell: cell() });
        }
        for (node, edges) in self.nodes.iter().enumerate() {
            if edges.is_empty() {
                return Err(ReportError::NodeWithoutEdges { cell: cell(), node });
            }
            let state = node + 2;
            if let Some(edge) = edges.iter().find(|edge| edge.from >= state) {
                return Err(ReportError::InputNotEarlier {
                    cell: cell(),
                    node,
                    state,
                    from: edge.from,
                });
            }
        }
        if self.concat.is_empty() {
            return Err(ReportError::EmptyConcat { cell: cell() });
        }
        let states = self.states();
        for (i, &state) in self.concat.iter().enumerate() {
            if state >= states {
                return Err(ReportError::ConcatOutOfRange { cell: cell(), state, states });
            }
            if self.concat[..i].contains(&state) {
                return Err(ReportError::ConcatRepeated { cell: cell(), state });
            }
        }
        Ok(())
    }
}

/// The name a state is drawn with: `c_{k-2}` and `c_{k-1}` for the inputs, the node's number
/// from 0 for the intermediate nodes, and `c_{k}` for the output (`state == states`).
pub fn state_name(state: usize, states: usize) -> String {
    match state {
        0 => "c_{k-2}".to_owned(),
        1 => "c_{k-1}".to_owned(),
        s if s >= states => "c_{k}".to_owned(),
        s => (s - 2).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{state_name, CellDrawing, EdgeDrawing};
    use crate::ReportError;

    fn cell(nodes: Vec<Vec<EdgeDrawing>>, concat: Vec<usize>) -> CellDrawing {
        CellDrawing { title: "t".into(), nodes, concat }
    }

    #[test]
    fn from_flat_pairs_edges_into_nodes() {
        let drawing = CellDrawing::from_flat("n", &[("a", 0), ("b", 1), ("c", 2)], &[2, 3]);
        assert_eq!(drawing.nodes.len(), 2);
        assert_eq!(drawing.nodes[1], vec![EdgeDrawing::new("c", 2)]);
        assert_eq!(drawing.states(), 4);
    }

    #[test]
    fn names_follow_the_authors_plots() {
        let names: Vec<_> = (0..=4).map(|s| state_name(s, 4)).collect();
        assert_eq!(names, ["c_{k-2}", "c_{k-1}", "0", "1", "c_{k}"]);
    }

    #[test]
    fn validation_refuses_undrawable_cells() {
        let e = |from| EdgeDrawing::new("op", from);
        assert!(matches!(cell(vec![], vec![0]).validate(), Err(ReportError::NoNodes { .. })));
        assert!(matches!(
            cell(vec![vec![]], vec![2]).validate(),
            Err(ReportError::NodeWithoutEdges { node: 0, .. })
        ));
        assert_eq!(
            cell(vec![vec![e(0)], vec![e(3)]], vec![2]).validate(),
            Err(ReportError::InputNotEarlier { cell: "t".into(), node: 1, state: 3, from: 3 })
        );
        assert!(matches!(
            cell(vec![vec![e(0)]], vec![]).validate(),
            Err(ReportError::EmptyConcat { .. })
        ));
        assert!(matches!(
            cell(vec![vec![e(0)]], vec![3]).validate(),
            Err(ReportError::ConcatOutOfRange { state: 3, states: 3, .. })
        ));
        assert!(matches!(
            cell(vec![vec![e(0)]], vec![2, 2]).validate(),
            Err(ReportError::ConcatRepeated { state: 2, .. })
        ));
        assert_eq!(cell(vec![vec![e(0), e(1)], vec![e(2)]], vec![2, 3]).validate(), Ok(()));
    }

    #[test]
    fn errors_read_well() {
        let error = cell(vec![vec![EdgeDrawing::new("op", 2)]], vec![2]).validate().unwrap_err();
        assert_eq!(
            error.to_string(),
            "cell \"t\": an edge of node 0 reads state 2, but node 0 (state 2) may read only \
             states 0 to 1"
        );
    }
}
