//! The JSON state of a checkpoint: where the run stands and what it has recorded.

use std::fmt;

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::error::CheckpointError;
use super::file::{read, CheckpointFile, FILE_NAME};
use super::fingerprint::Fingerprint;

/// Where a run stands: the epoch in progress and the steps of it already taken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// The epoch in progress, 0-based; equal to the number of epochs when the run is done.
    pub epoch: usize,
    /// Steps of that epoch already taken, skipped ones included.
    pub step: usize,
    /// Sum of the training losses of the epoch's good steps so far.
    pub loss_sum: f64,
    /// The epoch's steps whose updates were applied.
    pub good_steps: usize,
    /// Steps skipped for non-finite values in the whole run.
    pub skipped: usize,
}

/// A checkpoint's JSON state for a run whose epochs are recorded as `R`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Saved<R> {
    /// The version of this layout; a checkpoint of another is refused.
    pub format: u32,
    /// `search` or `train`.
    pub kind: String,
    /// What produced the checkpoint.
    pub fingerprint: Fingerprint,
    /// Where the run stands.
    pub position: Position,
    /// The records of the finished epochs, as in `metrics.jsonl`.
    pub records: Vec<R>,
    /// Steps the alphas' Adam has taken (search only).
    #[serde(default)]
    pub adam_steps: i64,
}

impl<R> Saved<R> {
    /// The current layout version.
    pub const FORMAT: u32 = 1;
}

/// Whether the run folder `dir` holds a checkpoint.
pub fn exists_in(dir: &Path) -> bool {
    dir.join(FILE_NAME).is_file()
}

/// Reads the checkpoint of the run folder `dir`.
pub fn read_in(dir: &Path) -> Result<CheckpointFile, CheckpointError> {
    let path = dir.join(FILE_NAME);
    if !path.is_file() {
        return Err(CheckpointError::Missing { dir: dir.display().to_string(), name: FILE_NAME });
    }
    read(&path)
}

/// The state of `file` for a run of `kind` whose fingerprint is `now`; a state of another
/// layout, kind or fingerprint is refused, naming every difference.
pub fn parse_state<R: DeserializeOwned>(
    file: &CheckpointFile,
    kind: &str,
    now: &Fingerprint,
) -> Result<Saved<R>, CheckpointError> {
    let path = file.path.display().to_string();
    let corrupt = |message: String| CheckpointError::Corrupt { path: path.clone(), message };
    let header: serde_json::Value =
        serde_json::from_str(&file.state).map_err(|err| corrupt(format!("its state: {err}")))?;
    let format = header.get("format").and_then(serde_json::Value::as_u64);
    if format != Some(u64::from(Saved::<R>::FORMAT)) {
        return Err(corrupt(format!(
            "its layout version is {format:?}, this darts-host reads version {}",
            Saved::<R>::FORMAT
        )));
    }
    let saved: Saved<R> =
        serde_json::from_value(header).map_err(|err| corrupt(format!("its state: {err}")))?;
    if saved.kind != kind {
        return Err(CheckpointError::Mismatch {
            path,
            differences: vec![format!("it is a {} checkpoint, not a {kind} one", saved.kind)],
        });
    }
    let differences = saved.fingerprint.differences(now);
    if !differences.is_empty() {
        return Err(CheckpointError::Mismatch { path, differences });
    }
    Ok(saved)
}

/// Reads and checks the checkpoint of the run folder `dir` for a run of `kind` whose
/// fingerprint is `now` (see [`parse_state`]), and says where the run resumes.
pub fn open<R: DeserializeOwned>(
    dir: &Path,
    kind: &str,
    now: &Fingerprint,
) -> Result<(CheckpointFile, Saved<R>), CheckpointError> {
    let file = read_in(dir)?;
    let saved: Saved<R> = parse_state(&file, kind, now)?;
    tracing::info!(
        "resuming from {} at epoch {}, step {}",
        file.path.display(),
        saved.position.epoch + 1,
        saved.position.step
    );
    Ok((file, saved))
}

/// The seed of libtorch's generator before step `step` of epoch `epoch`: randomness inside a
/// step (cutout, drop path, a plugin's dropout) then depends on the run's seed and position
/// only, and a resumed run draws what the uninterrupted one drew.
pub fn step_seed(seed: u64, epoch: usize, step: usize) -> i64 {
    // SplitMix64's finalizer over the three numbers: nearby positions get unrelated seeds.
    let mut z = seed
        .wrapping_add((epoch as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
        .wrapping_add((step as u64).wrapping_mul(0xbf58_476d_1ce4_e5b9));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 1) as i64
}

/// The part of a run whose numbers went non-finite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The architecture step: the validation loss or the alpha gradient.
    Alphas,
    /// The weight step: the training loss or the weight gradient.
    Weights,
    /// The evaluation on the validation set after an epoch.
    Validation,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Alphas => "alphas (the architecture step's loss or gradient)",
            Part::Weights => "weights (the training loss or the weight gradient)",
            Part::Validation => "the validation loss",
        })
    }
}
