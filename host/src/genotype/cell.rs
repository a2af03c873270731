//! The genotype types, in the authors' flat layout, and their validation.

use std::collections::HashSet;
use std::convert::Infallible;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::{GenotypeError, Problem, Result};

/// One kept edge of a cell: a primitive applied to an earlier state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    /// The primitive's name, bare (`sep_conv_3x3`) or qualified (`conv2d:sep_conv_3x3`) as the
    /// caller stored it.
    pub primitive: String,
    /// The state the edge reads: 0 and 1 are the cell's inputs c_{k-2} and c_{k-1}, 2 onwards
    /// the cell's intermediate nodes.
    pub input: usize,
}

impl Edge {
    /// An edge applying `primitive` to state `input`.
    pub fn new(primitive: impl Into<String>, input: usize) -> Self {
        Edge { primitive: primitive.into(), input }
    }
}

/// One cell's discrete architecture: the kept edges and the nodes it outputs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellGenotype {
    /// Two edges per intermediate node, in node order: edges `2j` and `2j + 1` feed node `j`
    /// (state `j + 2`). This is the authors' flat list.
    pub edges: Vec<Edge>,
    /// The states concatenated, in this order, into the cell's output; normally the last
    /// `multiplier` nodes.
    pub concat: Vec<usize>,
}

impl CellGenotype {
    /// The number of intermediate nodes: half the edges.
    pub fn nodes(&self) -> usize {
        self.edges.len() / 2
    }

    /// The edges grouped by node: one slice of two edges per intermediate node.
    ///
    /// A trailing odd edge, which [`Genotype::validate`] refuses, comes as a slice of one.
    pub fn node_edges(&self) -> impl Iterator<Item = &[Edge]> {
        self.edges.chunks(2)
    }

    /// Appends every problem of this cell to `problems`.
    fn check(&self, cell: CellKind, problems: &mut Vec<Problem>) {
        let count = self.edges.len();
        if count == 0 {
            problems.push(Problem::NoEdges { cell });
        } else if count % 2 == 1 {
            problems.push(Problem::OddEdges { cell, count });
        }

        // Edge `2j` and `2j + 1` feed node j, which computes state j + 2 and so may read only
        // the states before it.
        for (edge, Edge { primitive, input }) in self.edges.iter().enumerate() {
            if primitive.is_empty() {
                problems.push(Problem::EmptyPrimitive { cell, edge });
            }
            let state = edge / 2 + 2;
            if *input >= state {
                problems.push(Problem::InputNotEarlier { cell, edge, state, input: *input });
            }
        }

        // The concat names nodes only: the cell's inputs have the previous cells' channels
        // and, in a reduction cell, twice the output's spatial size, so they cannot join it.
        if self.concat.is_empty() {
            problems.push(Problem::EmptyConcat { cell });
        }
        let last = self.nodes() + 1;
        let mut seen = HashSet::new();
        for (position, &index) in self.concat.iter().enumerate() {
            if !(2..=last).contains(&index) {
                problems.push(Problem::ConcatOutOfRange { cell, position, index, last });
            } else if !seen.insert(index) {
                problems.push(Problem::ConcatRepeated { cell, position, index });
            }
        }
    }

    /// The same cell with every primitive renamed by `rename`, stopping at its first error.
    fn try_map<E>(&self, rename: &mut impl FnMut(&str) -> Result<String, E>) -> Result<Self, E> {
        let edges = self
            .edges
            .iter()
            .map(|edge| Ok(Edge { primitive: rename(&edge.primitive)?, input: edge.input }))
            .collect::<Result<Vec<_>, E>>()?;
        Ok(CellGenotype { edges, concat: self.concat.clone() })
    }
}

/// Which of a genotype's cells something is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CellKind {
    /// The normal cell, which keeps the spatial size and the channels.
    Normal,
    /// The reduction cell, which halves the spatial size and doubles the channels.
    Reduce,
}

impl fmt::Display for CellKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CellKind::Normal => "normal",
            CellKind::Reduce => "reduce",
        })
    }
}

/// The discrete architecture a search keeps: a normal cell and, for layouts that downsample,
/// a reduction cell.
///
/// Read it from the authors' text form with [`Genotype::from_text`] or from JSON with
/// [`Genotype::from_json`]; both check it with [`Genotype::validate`]. A genotype built by
/// hand or by [`derive_cell`](super::derive_cell) is not checked until `validate` is called.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genotype {
    /// The normal cell.
    pub normal: CellGenotype,
    /// The reduction cell; `None` for the flat layout, whose network has no reduction cells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reduce: Option<CellGenotype>,
}

impl Genotype {
    /// The cells present, normal first, each with its kind.
    pub fn cells(&self) -> impl Iterator<Item = (CellKind, &CellGenotype)> {
        std::iter::once((CellKind::Normal, &self.normal))
            .chain(self.reduce.as_ref().map(|cell| (CellKind::Reduce, cell)))
    }

    /// Checks both cells and reports every problem at once as [`GenotypeError::Invalid`].
    ///
    /// A valid cell has an even, non-zero number of edges, no empty primitive name, every
    /// edge reading a state earlier than its own node, and a non-empty concat naming each of
    /// the cell's nodes (states 2 onwards) at most once. Primitive names are not checked
    /// against any plugin here; that is the caller's resolution step.
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        for (kind, cell) in self.cells() {
            cell.check(kind, &mut problems);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(GenotypeError::Invalid { problems })
        }
    }

    /// The same genotype with every primitive renamed by `rename`.
    ///
    /// Use it to strip plugin prefixes, as in `|name| bare_name(name).to_owned()`.
    pub fn map_primitives(&self, mut rename: impl FnMut(&str) -> String) -> Genotype {
        let result: Result<Genotype, Infallible> = self.try_map_primitives(|name| Ok(rename(name)));
        match result {
            Ok(genotype) => genotype,
            Err(never) => match never {},
        }
    }

    /// The same genotype with every primitive renamed by a fallible `rename`, stopping at its
    /// first error.
    ///
    /// Use it to qualify the bare names of a text genotype through the loaded plugins:
    /// `|name| plugins.resolve(name).map(|id| id.to_string())`.
    pub fn try_map_primitives<E>(
        &self,
        mut rename: impl FnMut(&str) -> Result<String, E>,
    ) -> Result<Genotype, E> {
        let normal = self.normal.try_map(&mut rename)?;
        let reduce = self.reduce.as_ref().map(|cell| cell.try_map(&mut rename)).transpose()?;
        Ok(Genotype { normal, reduce })
    }
}

/// The primitive's name without its plugin prefix: the part after the last `:`.
pub fn bare_name(primitive: &str) -> &str {
    primitive.rsplit_once(':').map_or(primitive, |(_, name)| name)
}

/// Whether `primitive` is DARTS's zero operation, `none`, bare or qualified (`conv2d:none`).
///
/// Derivation never keeps it: it stands for "no edge", not for an operation.
pub fn is_none_primitive(primitive: &str) -> bool {
    bare_name(primitive) == "none"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(edges: &[(&str, usize)], concat: &[usize]) -> CellGenotype {
        CellGenotype {
            edges: edges.iter().map(|&(primitive, input)| Edge::new(primitive, input)).collect(),
            concat: concat.to_vec(),
        }
    }

    #[test]
    fn a_two_node_cell_with_both_nodes_concatenated_is_valid() {
        let normal = cell(&[("a", 0), ("b", 1), ("c", 2), ("d", 0)], &[2, 3]);
        assert_eq!(normal.nodes(), 2);
        assert_eq!(Genotype { normal, reduce: None }.validate(), Ok(()));
    }

    #[test]
    fn the_last_edge_of_node_j_may_read_state_j_plus_1_but_not_j_plus_2() {
        let reads_previous = cell(&[("a", 0), ("b", 1), ("c", 2), ("d", 2)], &[3]);
        assert_eq!(Genotype { normal: reads_previous, reduce: None }.validate(), Ok(()));

        let reads_itself = cell(&[("a", 0), ("b", 1), ("c", 3), ("d", 0)], &[3]);
        let error = Genotype { normal: reads_itself, reduce: None }.validate().unwrap_err();
        let expected =
            Problem::InputNotEarlier { cell: CellKind::Normal, edge: 2, state: 3, input: 3 };
        assert_eq!(error, GenotypeError::Invalid { problems: vec![expected] });
    }

    #[test]
    fn none_is_recognised_bare_and_qualified_only() {
        assert!(is_none_primitive("none"));
        assert!(is_none_primitive("conv2d:none"));
        assert!(!is_none_primitive("none_of_these"));
        assert!(!is_none_primitive("conv2d:skip_connect"));
        assert_eq!(bare_name("a:b:c"), "c");
        assert_eq!(bare_name("plain"), "plain");
    }

    #[test]
    fn map_primitives_renames_both_cells_and_keeps_inputs() {
        let genotype = Genotype {
            normal: cell(&[("x:a", 0), ("b", 1)], &[2]),
            reduce: Some(cell(&[("x:c", 1), ("d", 0)], &[2])),
        };
        let bare = genotype.map_primitives(|name| bare_name(name).to_owned());
        assert_eq!(bare.normal, cell(&[("a", 0), ("b", 1)], &[2]));
        assert_eq!(bare.reduce, Some(cell(&[("c", 1), ("d", 0)], &[2])));

        let refused = genotype.try_map_primitives(|name| {
            if name == "d" {
                Err(name.to_owned())
            } else {
                Ok(name.to_owned())
            }
        });
        assert_eq!(refused, Err("d".to_owned()));
    }
}
