//! Reports of runs: the cells of a genotype as SVG and DOT drawings, and one self-contained
//! HTML page per set of run folders with the facts, the genotypes, the learning curves, the
//! architecture weights and the test metrics.
//!
//! [`RunFolder`] reads what `darts-host search` and `darts-host train` leave in their
//! folders; [`drawing`] turns genotypes into the drawings of the `darts-report` crate;
//! [`write_report`] assembles and writes the page.

pub mod drawing;
mod error;
mod page;
mod run_folder;

pub use drawing::{genotype_dot, genotype_svg};
pub use error::{ReportError, Result};
pub use page::{default_report_path, report_page, write_report};
pub use run_folder::{RunFolder, SearchRun, TrainRun};
