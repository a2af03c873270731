//! What can go wrong with a checkpoint.

/// A checkpoint that cannot be used to resume.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The run folder has no checkpoint.
    #[error(
        "{dir} holds no checkpoint ({name}); only a run of this version of darts-host that \
         finished at least one epoch or checkpoint interval can be resumed"
    )]
    Missing {
        /// The run folder.
        dir: String,
        /// The file looked for.
        name: &'static str,
    },
    /// The file could not be read.
    #[error("cannot read checkpoint {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a checkpoint this version can read.
    #[error("{path} is not a usable checkpoint: {message}")]
    Corrupt {
        /// The file.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// The checkpoint was written by another configuration, plugin set or data set.
    #[error(
        "the checkpoint {path} was written by a different run: {}; resume with the settings, \
         plugins and data it was written with, or start a new run",
        differences.join("; ")
    )]
    Mismatch {
        /// The file.
        path: String,
        /// One sentence per difference.
        differences: Vec<String>,
    },
}

impl CheckpointError {
    /// Whether the user's input is at fault (exit code 2): every case but a failed read.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, CheckpointError::Read { .. })
    }
}
