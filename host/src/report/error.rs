//! What can go wrong when reading run folders and writing a report of them.

use std::path::PathBuf;

/// Why a report could not be made. Every variant but [`ReportError::Write`] is bad input: a
/// folder that is no run folder, or a file of it that is missing or malformed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The folder holds neither `run.json` (a search) nor `model.json` (a training run).
    #[error(
        "{} is not a run folder: it holds neither run.json (written by darts-host search) nor \
         model.json (written by darts-host train); give the folder a search or training run \
         wrote",
        .dir.display()
    )]
    NotARunFolder {
        /// The folder given.
        dir: PathBuf,
    },
    /// A file the report needs is missing or cannot be read.
    #[error("cannot read {}: {source}; is the run folder complete?", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A file of the run folder does not hold what darts-host writes there.
    #[error("{}{}: {reason}; was it written by this version of darts-host?", .path.display(),
        .line.map(|line| format!(", line {line}")).unwrap_or_default())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The 1-based line, for a file of one record per line.
        line: Option<usize>,
        /// What is wrong.
        reason: String,
    },
    /// A drawing refused what the run folder holds, such as architecture weights whose shape
    /// does not match the primitives of the config.
    #[error("{}: {source}", .dir.display())]
    Drawing {
        /// The run folder whose data was drawn.
        dir: PathBuf,
        /// What the drawing refused.
        source: darts_report::ReportError,
    },
    /// The report file could not be written.
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

impl ReportError {
    /// Whether the error is the user's input (exit code 2) rather than a failure while
    /// writing (exit code 1).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, ReportError::Write { .. })
    }
}

/// The result of reading run folders and writing reports.
pub type Result<T, E = ReportError> = std::result::Result<T, E>;
