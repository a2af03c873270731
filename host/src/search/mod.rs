//! The search: training the supernet's weights and alphas in alternation, and everything a
//! run needs around it (config, data and search space, metrics, the run folder).

mod architect;
mod batches;
pub(crate) mod config;
mod error;
mod metrics;
mod objective;
pub(crate) mod run;
mod space;

pub use architect::{
    alpha_gradient, batch_loss, unrolled_alpha_gradient, Architect, Order, WeightState, FD_SCALE,
};
pub use batches::{batch_indices, gather};
pub use config::{validate_pins, ConfigError, DeviceChoice, SearchConfig};
pub use error::{Result, SearchError};
pub use metrics::{evaluate, Evaluation, TaskMetrics};
pub use objective::{Batch, HeadKind, Objective};
pub use run::{
    resume_search, run_search, search_step, EpochRecord, SearchOutcome, StepOutcome, StepSettings,
};
pub use space::{choose_primitives, intended_layout, load_dataset};
