//! The shape of an evaluation network.

use darts_plugin_api::Layout;

/// How to build an [`EvalNetwork`](super::EvalNetwork) from a genotype.
///
/// Defaults follow the DARTS paper's CIFAR-10 evaluation network: 20 cells, 36 initial
/// channels, a stem of 3 x 36 channels.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalConfig {
    /// The layout of the input and of every primitive.
    pub layout: Layout,
    /// One example's shape: `[channels, height, width]`, `[channels, length]` or
    /// `[features]`.
    pub input_shape: Vec<i64>,
    /// The output size of each head.
    pub heads: Vec<i64>,
    /// Channels of the first cells, doubled at each reduction cell.
    pub channels: i64,
    /// Number of cells.
    pub cells: usize,
    /// The stem's output is `stem_multiplier * channels` wide.
    pub stem_multiplier: i64,
    /// Whether to add the auxiliary head after the cell at 2/3 of the depth (image layout
    /// only, as in the paper).
    pub auxiliary: bool,
}

impl EvalConfig {
    /// A config with the paper's CIFAR-10 evaluation sizes and no auxiliary head.
    pub fn new(layout: Layout, input_shape: Vec<i64>, heads: Vec<i64>) -> Self {
        EvalConfig {
            layout,
            input_shape,
            heads,
            channels: 36,
            cells: 20,
            stem_multiplier: 3,
            auxiliary: false,
        }
    }

    /// Whether cell `index` is a reduction cell: at 1/3 and 2/3 of the depth for the image
    /// and sequence layouts, never for the flat layout.
    pub fn is_reduction(&self, index: usize) -> bool {
        self.layout != Layout::Flat && (index == self.cells / 3 || index == 2 * self.cells / 3)
    }

    /// The index of the cell after which the auxiliary head reads: the one at 2/3 of the
    /// depth.
    pub fn auxiliary_after(&self) -> usize {
        2 * self.cells / 3
    }
}
