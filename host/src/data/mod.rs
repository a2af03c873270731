//! Data sets: the built-in ones and the user's, as tensors ready for a network.
//!
//! A [`Dataset`] holds inputs in one of the plugin layouts (flat `[N, features]`, sequence
//! `[N, channels, length]`, image `[N, channels, height, width]`) and one target tensor per
//! task, all on the CPU; the search moves batches to its device. [`builtin`] gives the data
//! sets that need no file (`digits`, `breast-cancer`, `motifs`, `uno`); [`read_csv`],
//! [`read_npz`] and [`read_npy`] read the user's. [`Dataset::split`] cuts a data set into
//! training, validation and test sets from a seed, and a [`Standardizer`] fitted on the
//! training set scales all three alike.

mod breast_cancer;
mod builtin;
mod csv;
mod dataset;
mod digits;
mod error;
mod motifs;
mod npy;
mod rng;
mod split;
mod standardize;
mod uno;

pub use breast_cancer::{breast_cancer, BREAST_CANCER_FEATURES, BREAST_CANCER_SAMPLES};
pub use builtin::{builtin, builtin_names, default_for};
pub use csv::{read_csv, read_csv_bytes, CsvOptions};
pub use dataset::{Dataset, Task, TaskKind, MAX_CLASSES};
pub use digits::{digits, DIGITS_SAMPLES};
pub use error::{DataError, Place, Result};
pub use motifs::{motifs, MotifsConfig, MOTIFS_VOCABULARY};
pub use npy::{
    read_inputs_npy, read_inputs_npy_bytes, read_npy, read_npz, read_npz_bytes, write_npy,
    write_npz, MAX_ARRAY_BYTES,
};
pub use split::Splits;
pub use standardize::{Standardizer, STD_FLOOR};
pub use uno::{uno, UnoConfig};
