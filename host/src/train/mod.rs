//! Training a genotype's evaluation network from scratch.

mod config;
mod cutout;
mod run;

pub use config::TrainConfig;
pub use cutout::cutout;
pub use run::{resume_train, run_train, TrainOutcome, TrainRecord};
