//! The DARTS supernet: every edge of every cell a softmax(alpha)-weighted mix of all
//! candidate primitives, for the image, sequence and flat layouts.

mod cell;
mod config;
mod mixed_op;
mod network;

pub use cell::{CellShape, SearchCell};
pub use config::SupernetConfig;
pub use mixed_op::MixedOp;
pub use network::Supernet;
