//! The command line: flags as clap parses them.

use clap::{Args, Parser, Subcommand};

/// Differentiable architecture search (DARTS) over primitives loaded from plugins.
#[derive(Debug, Parser)]
#[command(name = "darts-host", version, propagate_version = true)]
pub struct Cli {
    /// Load a plugin: a path to its library, or a name (`conv1d`, `libconv1d.so`) looked up
    /// in DARTS_PLUGIN_PATH and beside darts-host. Repeatable. Without it, the built-in
    /// conv2d, conv1d and linear plugins are loaded.
    #[arg(long = "plugin", value_name = "PATH_OR_NAME", global = true)]
    pub plugins: Vec<String>,

    /// Say more on stderr: -v for decisions, -vv for every step. RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Say only warnings and errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every primitive of the loaded plugins, building each once to check it.
    Plugins(PluginsArgs),
}

/// Flags of `darts-host plugins`.
#[derive(Debug, Args)]
pub struct PluginsArgs {
    /// The channel count at which parameters are counted.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(i64).range(1..=65536))]
    pub channels: i64,
}
