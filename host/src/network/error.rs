//! What can stop an evaluation network from being built or run.

use darts_plugin_api::Layout;

use crate::plugins::PluginError;

/// An error from building or running an [`EvalNetwork`](super::EvalNetwork).
#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    /// A primitive could not be resolved, built or run.
    #[error(transparent)]
    Plugin(#[from] PluginError),
    /// The layout has reduction cells but the genotype describes none.
    #[error(
        "the genotype has no reduction cell, but a {layout} network of {cells} cells needs \
         one; give a genotype with a reduction cell"
    )]
    MissingReduction {
        /// The network's layout.
        layout: Layout,
        /// Its number of cells.
        cells: usize,
    },
}

impl NetworkError {
    /// Whether the user's input is at fault (exit code 2).
    pub fn is_bad_input(&self) -> bool {
        match self {
            NetworkError::Plugin(err) => err.is_bad_input(),
            NetworkError::MissingReduction { .. } => true,
        }
    }
}
