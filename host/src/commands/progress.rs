//! Showing a run's progress: a bar on a terminal, the run log in the run folder.

use std::io::IsTerminal;

use darts_host::progress::Progress;
use indicatif::{ProgressBar, ProgressStyle};

use crate::logging::{set_progress_bar, RunLog};

/// Turns a run's [`Progress`] events into a progress bar per epoch (only when stderr is a
/// terminal; otherwise the epoch lines of the log are the progress) and opens the run log
/// `log_name` in the run folder once it exists.
pub struct ProgressDisplay<'a> {
    log: &'a RunLog,
    log_name: &'static str,
    append: bool,
    terminal: bool,
    bar: Option<ProgressBar>,
}

impl<'a> ProgressDisplay<'a> {
    /// A display writing the run log to `log_name` in the run folder, after what it holds
    /// when `append` (a resumed run), else from scratch.
    pub fn new(log: &'a RunLog, log_name: &'static str, append: bool) -> Self {
        let terminal = std::io::stderr().is_terminal();
        ProgressDisplay { log, log_name, append, terminal, bar: None }
    }

    /// Handles one event.
    pub fn show(&mut self, event: Progress) {
        match event {
            Progress::Started { dir } => {
                if let Err(err) = self.log.open(&dir.join(self.log_name), self.append) {
                    tracing::warn!("could not write the log file in {}: {err}", dir.display());
                }
                tracing::info!("writing results to {}", dir.display());
            }
            Progress::EpochStart { epoch, epochs, steps, done } if self.terminal => {
                let style = ProgressStyle::with_template(
                    "epoch {prefix} [{bar:30}] {pos}/{len} steps, loss {msg} ({elapsed}, eta {eta})",
                )
                .expect("a valid template")
                .progress_chars("=> ");
                let bar = ProgressBar::new(steps as u64).with_style(style);
                bar.set_prefix(format!("{epoch}/{epochs}"));
                bar.set_position(done as u64);
                set_progress_bar(Some(bar.clone()));
                self.bar = Some(bar);
            }
            Progress::EpochStart { .. } => {}
            Progress::Step { loss } => {
                if let Some(bar) = &self.bar {
                    bar.set_message(format!("{loss:.4}"));
                    bar.inc(1);
                }
            }
            Progress::EpochEnd => self.finish(),
        }
    }

    /// Clears the bar, if one is drawn; call it when the run ends, however it ends.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
            set_progress_bar(None);
        }
    }
}
