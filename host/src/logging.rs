//! Where logs go: stderr at the level the flags ask for, and the run folder's log file once
//! a run has one.
//!
//! Lines logged before the run folder exists are kept in memory and written to the file
//! when it opens, so the file holds the whole run. While a progress bar is drawn, stderr
//! lines are printed above it instead of through it.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use indicatif::ProgressBar;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// The progress bar being drawn on stderr, if any.
static PROGRESS_BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Sets (or clears) the progress bar that stderr logging must print around.
pub fn set_progress_bar(bar: Option<ProgressBar>) {
    *PROGRESS_BAR.lock().unwrap_or_else(|e| e.into_inner()) = bar;
}

/// Installs the subscriber: stderr filtered by `level` (or `RUST_LOG`), and the run log at
/// debug level. Returns the run log, to open once the run folder exists.
pub fn init(level: &str) -> RunLog {
    let run_log = RunLog::default();
    let stderr_filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(StderrWriter)
        .with_target(false)
        .with_ansi(io::stderr().is_terminal())
        .with_filter(stderr_filter);
    let file = tracing_subscriber::fmt::layer()
        .with_writer(run_log.clone())
        .with_target(false)
        .with_ansi(false)
        .with_filter(EnvFilter::new("debug"));
    tracing_subscriber::registry().with(stderr).with(file).init();
    run_log
}

/// Writes to stderr, around the progress bar when one is drawn.
#[derive(Debug, Clone, Copy)]
struct StderrWriter;

impl Write for StderrWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let bar = PROGRESS_BAR.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match bar {
            Some(bar) => bar.suspend(|| io::stderr().write_all(buf)).map(|()| buf.len()),
            None => io::stderr().write_all(buf).map(|()| buf.len()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

impl<'a> MakeWriter<'a> for StderrWriter {
    type Writer = StderrWriter;

    fn make_writer(&'a self) -> Self::Writer {
        *self
    }
}

/// The log file of a run: a buffer until [`RunLog::open`], then the file.
#[derive(Debug, Clone, Default)]
pub struct RunLog {
    target: Arc<Mutex<Target>>,
}

#[derive(Debug)]
enum Target {
    Buffer(Vec<u8>),
    File(File),
}

impl Default for Target {
    fn default() -> Self {
        Target::Buffer(Vec::new())
    }
}

impl RunLog {
    /// Creates the log file at `path` (or appends to it when `append`), writes what was
    /// logged so far into it, and sends everything after to it.
    pub fn open(&self, path: &Path, append: bool) -> io::Result<()> {
        let mut file = if append {
            std::fs::OpenOptions::new().create(true).append(true).open(path)?
        } else {
            File::create(path)?
        };
        let mut target = self.target.lock().unwrap_or_else(|e| e.into_inner());
        if let Target::Buffer(buffer) = &*target {
            file.write_all(buffer)?;
        }
        *target = Target::File(file);
        Ok(())
    }

    /// Runs `command`, which sets the run folder it is given (at first the one the flags name)
    /// once it knows it, and records a failure in that folder's log `name`.
    pub fn recording_failure<T>(
        &self,
        dir: Option<PathBuf>,
        name: &str,
        resumed: bool,
        command: impl FnOnce(&mut Option<PathBuf>) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let mut dir = dir;
        let result = command(&mut dir);
        if let Err(err) = &result {
            self.record_failure(dir.as_deref(), name, resumed, err);
        }
        result
    }

    /// Records a failed command in the run log of `dir`: the error line, after the lines
    /// logged so far when the run never got as far as opening its log file. A run refused
    /// before it started thus leaves its log, and nothing else, in its run folder.
    ///
    /// Nothing is written where it could mix with another run's files: a folder is created
    /// or used only when it is missing or empty, or, for a resumed run, when it holds a run's
    /// config.toml.
    fn record_failure(&self, dir: Option<&Path>, name: &str, resumed: bool, err: &anyhow::Error) {
        let line = format!("darts-host: error: {err:#}\n");
        let mut target = self.target.lock().unwrap_or_else(|e| e.into_inner());
        if let Target::File(file) = &mut *target {
            // A log that cannot take its last line has already warned on opening.
            let _ = file.write_all(line.as_bytes());
            return;
        }
        let Some(dir) = dir else { return };
        let usable = if resumed {
            dir.join("config.toml").is_file()
        } else {
            match dir.read_dir() {
                Ok(mut entries) => entries.next().is_none(),
                Err(err) => err.kind() == io::ErrorKind::NotFound,
            }
        };
        if !usable {
            return;
        }
        let path = dir.join(name);
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::OpenOptions::new().create(true).append(true).open(&path))
            .and_then(|mut file| {
                if let Target::Buffer(buffer) = &*target {
                    file.write_all(buffer)?;
                }
                file.write_all(line.as_bytes())?;
                Ok(file)
            });
        match written {
            Ok(file) => *target = Target::File(file),
            Err(err) => eprintln!("darts-host: could not write the log {}: {err}", path.display()),
        }
    }
}

impl Write for RunLog {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut *self.target.lock().unwrap_or_else(|e| e.into_inner()) {
            Target::Buffer(buffer) => {
                buffer.extend_from_slice(buf);
                Ok(buf.len())
            }
            Target::File(file) => file.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut *self.target.lock().unwrap_or_else(|e| e.into_inner()) {
            Target::Buffer(_) => Ok(()),
            Target::File(file) => file.flush(),
        }
    }
}

impl<'a> MakeWriter<'a> for RunLog {
    type Writer = RunLog;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
