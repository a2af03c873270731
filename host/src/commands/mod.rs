//! One module per subcommand of `darts-host`.

pub mod plugins;
