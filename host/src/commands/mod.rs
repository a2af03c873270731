//! One module per subcommand of `darts-host`.

pub mod describe;
pub mod export;
mod network_args;
pub mod new_plugin;
pub mod plugins;
pub mod predict;
mod progress;
pub mod report;
pub mod search;
pub mod show;
pub mod train;
