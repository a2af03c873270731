//! The shape of a supernet: everything needed to build it, no training settings.

use darts_plugin_api::Layout;

use crate::plugins::PrimitiveId;

/// How to build a [`Supernet`](super::Supernet).
///
/// Defaults follow the DARTS paper's CIFAR-10 search network: 8 cells of 4 nodes, 16
/// initial channels, a stem of 3 x 16 channels, and the cell output concatenating all 4
/// nodes.
#[derive(Debug, Clone, PartialEq)]
pub struct SupernetConfig {
    /// The layout of the input and of every primitive.
    pub layout: Layout,
    /// One example's shape: `[channels, height, width]`, `[channels, length]` or
    /// `[features]`.
    pub input_shape: Vec<i64>,
    /// The output size of each head: the class count of a classification task, 1 for a
    /// regression task.
    pub heads: Vec<i64>,
    /// The candidate primitives of every edge, in alpha column order.
    pub primitives: Vec<PrimitiveId>,
    /// Channels of the first cells (features, for the flat layout); doubled at each
    /// reduction cell.
    pub channels: i64,
    /// Number of cells.
    pub cells: usize,
    /// Intermediate nodes per cell.
    pub nodes: usize,
    /// How many of the last nodes the cell output concatenates.
    pub multiplier: usize,
    /// The stem's output is `stem_multiplier * channels` wide.
    pub stem_multiplier: i64,
}

impl SupernetConfig {
    /// A config with the paper's search-network sizes.
    pub fn new(
        layout: Layout,
        input_shape: Vec<i64>,
        heads: Vec<i64>,
        primitives: Vec<PrimitiveId>,
    ) -> Self {
        SupernetConfig {
            layout,
            input_shape,
            heads,
            primitives,
            channels: 16,
            cells: 8,
            nodes: 4,
            multiplier: 4,
            stem_multiplier: 3,
        }
    }

    /// Whether cell `index` is a reduction cell: at 1/3 and 2/3 of the depth for the image
    /// and sequence layouts, as in the paper; never for the flat layout, which has no
    /// spatial axis to reduce.
    pub fn is_reduction(&self, index: usize) -> bool {
        self.layout != Layout::Flat && (index == self.cells / 3 || index == 2 * self.cells / 3)
    }

    /// The number of edges of one cell: node `j` has `j + 2` inputs.
    pub fn edges_per_cell(&self) -> usize {
        (0..self.nodes).map(|node| node + 2).sum()
    }
}
