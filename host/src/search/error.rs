//! What can stop a search.

use crate::checkpoint::{CheckpointError, Part};
use crate::data::DataError;
use crate::genotype::GenotypeError;
use crate::plugins::PluginError;

use super::config::ConfigError;

/// Why a search could not start or did not finish.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The config is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The data could not be loaded or split.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A plugin or primitive failed.
    #[error(transparent)]
    Plugin(#[from] PluginError),
    /// The search space does not fit the data or the plugins.
    #[error("{0}")]
    Space(String),
    /// The asked device is not available.
    #[error("{0}")]
    Device(String),
    /// No genotype could be derived from the alphas.
    #[error("cannot derive a genotype: {0}")]
    Genotype(#[from] GenotypeError),
    /// A loss or gradient went NaN or infinite and no more skips were allowed.
    #[error(
        "the run stopped at epoch {epoch}, step {step}: {part} went non-finite (NaN or \
         infinite); {kept}. Lower the learning rate, or resume with --skip-nonfinite N to skip \
         up to N such steps"
    )]
    NonFinite {
        /// 1-based epoch.
        epoch: usize,
        /// 1-based step within the epoch (0 for the validation after it).
        step: usize,
        /// What went non-finite.
        part: Part,
        /// Which checkpoint was kept, as a phrase.
        kept: String,
    },
    /// The checkpoint to resume from is missing, unreadable or from another run.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// Writing the run folder failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

impl SearchError {
    /// Whether the user's input is at fault (exit code 2) rather than something failing
    /// while running (exit code 1).
    pub fn is_bad_input(&self) -> bool {
        match self {
            SearchError::Config(_) | SearchError::Data(_) => true,
            SearchError::Space(_) | SearchError::Device(_) => true,
            SearchError::Plugin(err) => err.is_bad_input(),
            SearchError::Checkpoint(err) => err.is_bad_input(),
            SearchError::Genotype(_) | SearchError::Write { .. } => false,
            SearchError::NonFinite { .. } => false,
        }
    }
}

/// The result of search operations.
pub type Result<T, E = SearchError> = std::result::Result<T, E>;
