//! Optimizers and schedules with PyTorch's semantics, written here rather than taken from
//! tch because the architecture step of second-order DARTS needs the weight optimizer's
//! momentum buffers, and checkpoints need every optimizer's state; tch keeps both inside
//! libtorch's C++ optimizers, out of reach.

mod adam;
mod clip;
mod schedule;
mod sgd;

pub use adam::{Adam, AdamConfig, AdamState};
pub use clip::clip_grad_norm;
pub use schedule::CosineSchedule;
pub use sgd::{Sgd, SgdConfig};
