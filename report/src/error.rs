//! What can be wrong with the input of a drawing.

/// An input that describes no drawable figure. Every variant is a caller's mistake (a cell or
/// a history of the wrong shape), never a failure while drawing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// A cell without intermediate nodes.
    #[error("cell {cell:?} has no intermediate nodes")]
    NoNodes {
        /// The cell's title.
        cell: String,
    },
    /// An intermediate node without incoming edges.
    #[error("cell {cell:?}: node {node} has no edges")]
    NodeWithoutEdges {
        /// The cell's title.
        cell: String,
        /// The node, counted from 0 (state `node + 2`).
        node: usize,
    },
    /// An edge that reads the node it feeds, a later one, or a state that does not exist.
    #[error(
        "cell {cell:?}: an edge of node {node} reads state {from}, but node {node} (state \
         {state}) may read only states 0 to {}",
        .state - 1
    )]
    InputNotEarlier {
        /// The cell's title.
        cell: String,
        /// The node the edge feeds, counted from 0.
        node: usize,
        /// The node's state index (`node + 2`).
        state: usize,
        /// The state the edge reads.
        from: usize,
    },
    /// A cell whose output concatenates nothing.
    #[error("cell {cell:?} concatenates no state into its output")]
    EmptyConcat {
        /// The cell's title.
        cell: String,
    },
    /// A concatenated state that does not exist.
    #[error("cell {cell:?} concatenates state {state}, but its states are 0 to {}", .states - 1)]
    ConcatOutOfRange {
        /// The cell's title.
        cell: String,
        /// The state listed.
        state: usize,
        /// How many states the cell has (its nodes plus the two inputs).
        states: usize,
    },
    /// A state concatenated twice.
    #[error("cell {cell:?} concatenates state {state} twice")]
    ConcatRepeated {
        /// The cell's title.
        cell: String,
        /// The state listed twice.
        state: usize,
    },
    /// An alpha history whose epochs and weights differ in number.
    #[error("alpha history of cell {cell:?} lists {epochs} epochs but {weights} sets of weights")]
    EpochCount {
        /// The cell named by the history.
        cell: String,
        /// The number of epochs listed.
        epochs: usize,
        /// The number of sets of weights.
        weights: usize,
    },
    /// An epoch of an alpha history with the wrong number of edges.
    #[error(
        "alpha history of cell {cell:?}, epoch {epoch}: {found} rows of weights, but the \
         history names {expected} edges"
    )]
    EdgeCount {
        /// The cell named by the history.
        cell: String,
        /// The epoch, as listed in the history.
        epoch: usize,
        /// The number of edges named.
        expected: usize,
        /// The number of rows found.
        found: usize,
    },
    /// A row of an alpha history with the wrong number of weights.
    #[error(
        "alpha history of cell {cell:?}, epoch {epoch}, edge {edge:?}: {found} weights, but the \
         history names {expected} primitives"
    )]
    PrimitiveCount {
        /// The cell named by the history.
        cell: String,
        /// The epoch, as listed in the history.
        epoch: usize,
        /// The edge's name.
        edge: String,
        /// The number of primitives named.
        expected: usize,
        /// The number of weights found.
        found: usize,
    },
}
