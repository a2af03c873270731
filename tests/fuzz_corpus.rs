//! The committed seeds of the fuzz targets (`fuzz/corpus/<target>/`) through the same calls
//! the fuzzer makes, so that the stable test suite keeps every seed, and every crash once
//! found and added as a seed, from panicking, without cargo-fuzz or a nightly compiler.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Once;

use darts_tests::fuzz_inputs::TARGETS;

thread_local! {
    /// Panics on this thread so far, counted by the hook that [`count_panics`] installs.
    static PANICS: Cell<usize> = const { Cell::new(0) };
}

/// Installs a panic hook that counts panics per thread before the usual report.
///
/// `catch_unwind` alone would miss a panic that a reader catches itself (the NPY and NPZ
/// readers turn one into an error as a last line of defence); the fuzzer aborts on any
/// panic, caught or not, and so does this test.
fn count_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let report = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            PANICS.with(|panics| panics.set(panics.get() + 1));
            report(info);
        }));
    });
}

/// The seed files of one target (`seed-*`, the names git keeps; a fuzzing run's own finds are
/// named by hash), sorted by name.
fn seeds(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("cannot list the seeds in {}: {error}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a readable folder entry").path())
        .filter(|path| {
            path.is_file()
                && path
                    .file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| name.starts_with("seed-"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn no_seed_of_any_fuzz_target_panics() {
    count_panics();
    let mut failures = Vec::new();
    for (target, feed) in TARGETS {
        let files = seeds(target);
        assert!(!files.is_empty(), "fuzz/corpus/{target}/ holds no seeds");
        for file in files {
            let bytes = std::fs::read(&file).expect("a readable seed");
            let before = PANICS.with(Cell::get);
            let unwound = panic::catch_unwind(AssertUnwindSafe(|| feed(&bytes))).is_err();
            if unwound || PANICS.with(Cell::get) != before {
                failures.push(format!("{target}: {}", file.display()));
            }
        }
    }
    assert!(failures.is_empty(), "seeds that panic:\n{}", failures.join("\n"));
}
