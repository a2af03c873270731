//! darts: differentiable architecture search (DARTS) over primitives loaded from plugins.
//!
//! The `darts-host` binary is a thin layer over this library: [`plugins`] loads primitive
//! sets through the stable plugin ABI and builds primitives whose parameters the host owns;
//! [`data`] provides the built-in data sets and reads the user's; [`genotype`] derives,
//! reads and writes the architectures a search finds.

pub mod checkpoint;
pub mod data;
pub mod device;
pub mod genotype;
pub mod layers;
pub mod model;
pub mod network;
pub mod optim;
pub mod plugins;
pub mod progress;
pub mod report;
pub mod search;
pub mod supernet;
pub mod train;
