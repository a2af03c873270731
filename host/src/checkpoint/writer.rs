//! When a run writes its checkpoint, and what it tells the user about the last one.

use std::path::{Path, PathBuf};

use serde::Serialize;
use tch::Tensor;

use super::file::{write, FILE_NAME};
use super::state::{Position, Saved};

/// Writes a run's checkpoints into its folder: after every epoch, and every `every` steps
/// when `every` is not 0.
#[derive(Debug)]
pub struct Checkpointer {
    path: PathBuf,
    every: usize,
    last: Option<Position>,
}

impl Checkpointer {
    /// Checkpoints for the run folder `dir`; `last` is the position of the checkpoint a
    /// resumed run started from.
    pub fn new(dir: &Path, every: usize, last: Option<Position>) -> Self {
        Checkpointer { path: dir.join(FILE_NAME), every, last }
    }

    /// The checkpoint file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether a checkpoint is due after the run's `global_step`-th step (1-based).
    pub fn due_after_step(&self, global_step: usize) -> bool {
        self.every > 0 && global_step.is_multiple_of(self.every)
    }

    /// Writes `tensors` and `saved` atomically.
    pub fn save<R: Serialize>(
        &mut self,
        tensors: &[(String, Tensor)],
        saved: &Saved<R>,
    ) -> std::io::Result<()> {
        let state = serde_json::to_string(saved).map_err(std::io::Error::other)?;
        write(&self.path, tensors, &state)?;
        self.last = Some(saved.position);
        tracing::debug!(
            "checkpoint written: epoch {}, step {} ({})",
            saved.position.epoch + 1,
            saved.position.step,
            self.path.display()
        );
        Ok(())
    }

    /// What is kept for a resume, as a phrase for an error message.
    pub fn kept(&self) -> String {
        match self.last {
            Some(Position { epoch, step: 0, .. }) => format!(
                "the last good checkpoint, after epoch {epoch}, is kept in {}",
                self.path.display()
            ),
            Some(Position { epoch, step, .. }) => format!(
                "the last good checkpoint, at epoch {} step {step}, is kept in {}",
                epoch + 1,
                self.path.display()
            ),
            None => "no checkpoint had been written yet".to_owned(),
        }
    }
}
