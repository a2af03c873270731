//! The evaluation network: the architecture a genotype describes, built from the plugins'
//! primitives to be trained from scratch.

mod auxiliary;
mod cell;
mod config;
mod drop_path;
mod error;
mod eval;

pub use auxiliary::AuxiliaryHead;
pub use cell::EvalCell;
pub use config::EvalConfig;
pub use drop_path::drop_path;
pub use error::NetworkError;
pub use eval::{resolve_cell, EvalNetwork, EvalOutput};
