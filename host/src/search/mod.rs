//! The search: training the supernet's weights and alphas in alternation.

mod architect;
mod objective;

pub use architect::{
    alpha_gradient, batch_loss, unrolled_alpha_gradient, Architect, Order, WeightState, FD_SCALE,
};
pub use objective::{Batch, HeadKind, Objective};
