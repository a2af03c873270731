//! What a long run (a search or a training) reports while it goes, for a progress display.

use std::path::PathBuf;

/// One event of a run, in order: `Started`, then per epoch `EpochStart`, a `Step` per
/// batch and `EpochEnd`.
#[derive(Debug, Clone)]
pub enum Progress {
    /// The run folder exists; everything before was checked and nothing will be refused.
    Started {
        /// The run folder.
        dir: PathBuf,
    },
    /// An epoch starts; `steps` steps follow.
    EpochStart {
        /// 1-based.
        epoch: usize,
        /// Of the run.
        epochs: usize,
        /// Steps in this epoch.
        steps: usize,
        /// Steps of it already taken before a resume; 0 otherwise.
        done: usize,
    },
    /// A step finished with this training loss.
    Step {
        /// Training loss of the step's batch.
        loss: f64,
    },
    /// The epoch finished (its summary is logged).
    EpochEnd,
}
