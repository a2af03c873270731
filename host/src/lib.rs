//! darts: differentiable architecture search (DARTS) over primitives loaded from plugins.
//!
//! The `darts-host` binary is a thin layer over this library: [`plugins`] loads primitive
//! sets through the stable plugin ABI and builds primitives whose parameters the host owns.

pub mod plugins;
