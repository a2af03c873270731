//! What can go wrong when deriving, checking, reading or writing a genotype.

use super::cell::CellKind;

/// An error from deriving a genotype from the alphas, or from reading or checking one.
///
/// Every variant is bad input: a file or text the user gave, or architecture weights of the
/// wrong shape. None of them is a failure while running.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenotypeError {
    /// The genotype is well formed but describes no valid cell; every problem found is listed.
    #[error("the genotype is invalid: {}", list_problems(.problems))]
    Invalid {
        /// Every problem found, normal cell first.
        problems: Vec<Problem>,
    },
    /// The text form (`Genotype(normal=[...], ...)`) could not be read.
    #[error("genotype text, line {line}, column {column} (byte {offset}): {message}")]
    Text {
        /// The 1-based line of the offending place.
        line: usize,
        /// The 1-based column, in characters, of the offending place.
        column: usize,
        /// The byte offset of the offending place from the start of the text.
        offset: usize,
        /// What was expected there, and what was found.
        message: String,
    },
    /// The JSON form could not be read.
    #[error("genotype JSON, line {line}, column {column}: {message}")]
    Json {
        /// The 1-based line serde_json stopped at (0 when the problem has no place).
        line: usize,
        /// The 1-based column serde_json stopped at (0 when the problem has no place).
        column: usize,
        /// What serde_json said, without its own place suffix.
        message: String,
    },
    /// A cell needs at least one intermediate node.
    #[error("a cell needs at least one intermediate node, but 0 were asked for")]
    NoNodes,
    /// The multiplier (how many nodes the cell concatenates) is 0 or more than the nodes.
    #[error(
        "multiplier {multiplier} is out of range: a cell of {nodes} nodes concatenates between 1 \
         and {nodes} of them"
    )]
    Multiplier {
        /// The multiplier given.
        multiplier: usize,
        /// The cell's intermediate nodes.
        nodes: usize,
    },
    /// The architecture weights do not have one row per edge of the cell.
    #[error(
        "a cell of {nodes} nodes has {expected} edges, so it needs {expected} rows of \
         architecture weights, but {found} were given"
    )]
    WeightRows {
        /// The cell's intermediate nodes.
        nodes: usize,
        /// The edges of such a cell: 2 + 3 + ... + (nodes + 1).
        expected: usize,
        /// The rows given.
        found: usize,
    },
    /// One row of architecture weights does not have one value per primitive.
    #[error(
        "row {edge} of the architecture weights has {found} values, but there are {expected} \
         primitives; give one weight per primitive"
    )]
    WeightRowLength {
        /// The row (edge) index, 0-based.
        edge: usize,
        /// The number of primitives.
        expected: usize,
        /// The values in the row.
        found: usize,
    },
    /// An architecture weight is NaN, so no primitive can be said to be strongest.
    #[error(
        "the architecture weight of primitive `{primitive}` on edge {edge} is NaN; the search \
         has diverged"
    )]
    NanWeight {
        /// The row (edge) index, 0-based.
        edge: usize,
        /// The primitive's name.
        primitive: String,
    },
    /// Every primitive is `none`, so there is nothing a derived cell could keep.
    #[error(
        "every primitive ({primitives}) is `none`; a cell can only be derived when at least one \
         primitive is a real operation"
    )]
    OnlyNone {
        /// The primitives given, joined for the message.
        primitives: String,
    },
}

/// One problem of a genotype that [`GenotypeError::Invalid`] reports.
///
/// Edges are counted from 0 in the cell's flat list (two per node, in node order); inputs and
/// concat entries are state indices: 0 and 1 are the cell's inputs, 2 onwards its nodes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The cell has an odd number of edges; every node takes exactly two.
    #[error("{cell} cell: {count} edges is an odd number; every node takes exactly two edges")]
    OddEdges {
        /// The cell.
        cell: CellKind,
        /// Its number of edges.
        count: usize,
    },
    /// The cell has no edges, so no nodes.
    #[error("{cell} cell: no edges; a cell needs at least one node of two edges")]
    NoEdges {
        /// The cell.
        cell: CellKind,
    },
    /// An edge's primitive name is empty.
    #[error("{cell} cell, edge {edge}: the primitive name is empty")]
    EmptyPrimitive {
        /// The cell.
        cell: CellKind,
        /// The edge, 0-based.
        edge: usize,
    },
    /// An edge takes as input a state that is not earlier than its own node.
    #[error(
        "{cell} cell, edge {edge}: input {input} is not earlier than the edge's node (state \
         {state}); it may take states 0 to {}",
        .state - 1
    )]
    InputNotEarlier {
        /// The cell.
        cell: CellKind,
        /// The edge, 0-based.
        edge: usize,
        /// The state the edge's node computes: 2 for the first node.
        state: usize,
        /// The state the edge takes.
        input: usize,
    },
    /// The concat list is empty, so the cell would output nothing.
    #[error("{cell} cell: the concat list is empty; it names the nodes the cell outputs")]
    EmptyConcat {
        /// The cell.
        cell: CellKind,
    },
    /// A concat entry names no node of the cell.
    #[error(
        "{cell} cell, concat entry {position}: {index} is not a node of the cell (its nodes are \
         states 2 to {last})"
    )]
    ConcatOutOfRange {
        /// The cell.
        cell: CellKind,
        /// The entry, 0-based.
        position: usize,
        /// The state it names.
        index: usize,
        /// The cell's last state, `nodes + 1`.
        last: usize,
    },
    /// A node appears twice in the concat list.
    #[error("{cell} cell, concat entry {position}: node {index} is already in the list")]
    ConcatRepeated {
        /// The cell.
        cell: CellKind,
        /// The entry, 0-based, of the repetition.
        position: usize,
        /// The state it names.
        index: usize,
    },
}

/// The result of genotype operations.
pub type Result<T, E = GenotypeError> = std::result::Result<T, E>;

/// The problems joined into one line, numbered when there are several.
fn list_problems(problems: &[Problem]) -> String {
    match problems {
        [only] => only.to_string(),
        _ => {
            let numbered: Vec<String> = problems
                .iter()
                .enumerate()
                .map(|(number, problem)| format!("({}) {problem}", number + 1))
                .collect();
            format!("{} problems: {}", problems.len(), numbered.join("; "))
        }
    }
}
