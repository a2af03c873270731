//! Checkpoints: everything a run needs to continue exactly where it stopped.
//!
//! A checkpoint is one safetensors file in the run folder holding the tensors (weights,
//! BatchNorm statistics, alphas, optimizer moments) and, in its metadata, a JSON state: the
//! position in the run, the metrics so far and a [`Fingerprint`] of what produced it. It is
//! written to a temporary file, flushed to disk and renamed over the previous one, so a
//! crash at any moment leaves either the old checkpoint or the new one, never a mix.
//!
//! Randomness needs no saved generator state: runs reseed libtorch's generator from the
//! seed, epoch and step before every step (see [`step_seed`]) and shuffle each epoch's
//! batches from the seed and epoch, so the position alone fixes what comes next.

mod error;
mod file;
mod fingerprint;
mod state;
mod tensors;
mod writer;

pub use error::CheckpointError;
pub use file::{read, write, CheckpointFile, FILE_NAME};
pub use fingerprint::Fingerprint;
pub use state::{exists_in, open, parse_state, read_in, step_seed, Part, Position, Saved};
pub use tensors::{
    adam_entries, list_entries, restore_adam, restore_list, restore_sgd, restore_store,
    sgd_entries, store_entries,
};
pub use writer::Checkpointer;
