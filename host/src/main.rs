//! `darts-host`: the command-line front end of darts.
//!
//! Exit codes: 0 on success, 2 when the input is wrong (a flag, a file, a plugin), 1 when
//! something fails while running.

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use cli::{Cli, Command};
use darts_host::plugins::{PluginError, PluginSet, BUILT_IN};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints usage errors to stderr and --help/--version to stdout.
            let _ = err.print();
            return if err.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    init_logging(&cli);

    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("darts-host: error: {err:#}");
            ExitCode::from(exit_code(&err))
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    let plugins = if cli.plugins.is_empty() {
        PluginSet::load(&BUILT_IN)?
    } else {
        PluginSet::load(&cli.plugins)?
    };
    match &cli.command {
        Command::Plugins(args) => commands::plugins::run(&plugins, args),
    }
}

/// Sends logs to stderr at the level the flags ask for; `RUST_LOG` wins when set.
fn init_logging(cli: &Cli) {
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "warn",
        (false, 0) => "info",
        (false, 1) => "debug",
        (false, _) => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

/// 2 when any error in the chain is bad input, 1 otherwise.
fn exit_code(err: &anyhow::Error) -> u8 {
    let bad_input = err
        .chain()
        .any(|cause| cause.downcast_ref::<PluginError>().is_some_and(PluginError::is_bad_input));
    if bad_input {
        2
    } else {
        1
    }
}
