//! `darts-host`: the command-line front end of darts.
//!
//! Exit codes: 0 on success, 2 when the input is wrong (a flag, a file, a config, data, a
//! plugin), 1 when something fails while running.

mod cli;
mod commands;
mod logging;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use darts_host::checkpoint::CheckpointError;
use darts_host::data::DataError;
use darts_host::model::ModelError;
use darts_host::network::NetworkError;
use darts_host::plugins::{PluginError, PluginSet, TrustPolicy, BUILT_IN};
use darts_host::report::ReportError;
use darts_host::search::{validate_pins, ConfigError, SearchConfig, SearchError};
use darts_host::train::TrainConfig;

/// A mistake in what the user asked for that no library error covers, such as a flag
/// combination; always exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints usage errors to stderr and --help/--version to stdout.
            let _ = err.print();
            return if err.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "warn",
        (false, 0) => "info",
        (false, 1) => "debug",
        (false, _) => "trace",
    };
    let run_log = logging::init(level);

    match run(&cli, &run_log) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::debug!("{err:?}");
            eprintln!("darts-host: error: {err:#}");
            ExitCode::from(exit_code(&err))
        }
    }
}

fn run(cli: &Cli, run_log: &logging::RunLog) -> anyhow::Result<()> {
    // Writing a plugin crate needs no plugin loaded.
    if let Some(Command::NewPlugin(args)) = &cli.command {
        return commands::new_plugin::run(args);
    }
    // Drawing a genotype and reporting on run folders read files only.
    if let Some(Command::Show(args)) = &cli.command {
        return commands::show::run(args);
    }
    if let Some(Command::Report(args)) = &cli.command {
        return commands::report::run(args);
    }
    // A search or a training keeps its log in its run folder, a refused one (a bad plugin,
    // config or data set) too: the folder its flags name, or the one it picks once known.
    let (run, out, log_name) = match &cli.command {
        Some(Command::Search(args)) => (Some(&args.run), &args.network.out, "search.log"),
        Some(Command::Train(args)) => (Some(&args.run), &args.out, "train.log"),
        None => (None, &None, "search.log"),
        _ => return run_with_plugins(cli, run_log, &mut None),
    };
    let resume = run.and_then(|run| run.resume.clone());
    let resumed = resume.is_some();
    run_log.recording_failure(resume.or_else(|| out.clone()), log_name, resumed, |dir| {
        run_with_plugins(cli, run_log, dir)
    })
}

/// Loads the plugins and runs the command; a search or a training sets `known_dir` to its
/// run folder once it is known.
fn run_with_plugins(
    cli: &Cli,
    run_log: &logging::RunLog,
    known_dir: &mut Option<PathBuf>,
) -> anyhow::Result<()> {
    let policy = trust_policy(cli)?;
    let plugins = if cli.plugins.is_empty() {
        PluginSet::load_trusted(&BUILT_IN, &policy)?
    } else {
        PluginSet::load_trusted(&cli.plugins, &policy)?
    };
    match &cli.command {
        Some(Command::Plugins(args)) => commands::plugins::run(&plugins, args),
        Some(Command::Search(args)) => commands::search::run(
            &plugins,
            &args.network,
            Some(args),
            SearchConfig::default(),
            run_log,
            known_dir,
        ),
        Some(Command::Describe(args)) => commands::describe::run(&plugins, args),
        Some(Command::Train(args)) => commands::train::run(&plugins, args, run_log, known_dir),
        Some(Command::Predict(args)) => commands::predict::run(&plugins, args),
        Some(Command::Export(args)) => commands::export::run(&plugins, args),
        Some(Command::NewPlugin(_) | Command::Show(_) | Command::Report(_)) => {
            unreachable!("handled before loading plugins")
        }
        None => {
            let args = Default::default();
            commands::search::run(&plugins, &args, None, SearchConfig::quick(), run_log, known_dir)
        }
    }
}

/// The rules plugin files must pass: the flag, and the SHA-256 pins of the config the
/// command will read (its --config, or a resumed run's config.toml), read before any
/// plugin is opened.
fn trust_policy(cli: &Cli) -> anyhow::Result<TrustPolicy> {
    let in_run = |dir: &Option<PathBuf>| dir.as_ref().map(|d| d.join("config.toml"));
    let pins = match &cli.command {
        Some(Command::Search(args)) => {
            match args.network.data.config.clone().or_else(|| in_run(&args.run.resume)) {
                Some(path) if path.is_file() => SearchConfig::from_file(&path)?.plugin_sha256,
                _ => Default::default(),
            }
        }
        Some(Command::Describe(args)) => match &args.network.data.config {
            Some(path) => SearchConfig::from_file(path)?.plugin_sha256,
            None => Default::default(),
        },
        Some(Command::Train(args)) => {
            match args.data.config.clone().or_else(|| in_run(&args.run.resume)) {
                Some(path) if path.is_file() => TrainConfig::from_file(&path)?.plugin_sha256,
                _ => Default::default(),
            }
        }
        _ => Default::default(),
    };
    validate_pins(&pins)?;
    Ok(TrustPolicy { allow_writable: cli.allow_writable_plugins, pins })
}

/// 2 when any error in the chain is bad input, 1 otherwise.
fn exit_code(err: &anyhow::Error) -> u8 {
    let bad_input = err.chain().any(|cause| {
        cause.downcast_ref::<PluginError>().is_some_and(PluginError::is_bad_input)
            || cause.downcast_ref::<SearchError>().is_some_and(SearchError::is_bad_input)
            || cause.downcast_ref::<NetworkError>().is_some_and(NetworkError::is_bad_input)
            || cause.is::<ConfigError>()
            || cause.is::<DataError>()
            || cause.is::<UsageError>()
            || cause.is::<ModelError>()
            || cause.downcast_ref::<CheckpointError>().is_some_and(CheckpointError::is_bad_input)
            || cause.downcast_ref::<ReportError>().is_some_and(ReportError::is_bad_input)
    });
    if bad_input {
        2
    } else {
        1
    }
}
