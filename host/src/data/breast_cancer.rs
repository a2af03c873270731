//! The built-in `breast-cancer` data set: the Wisconsin Diagnostic Breast Cancer table.
//!
//! 569 fine-needle aspirates of breast masses, each described by 30 measurements of its cell
//! nuclei (mean, standard error and worst value of ten quantities such as radius and
//! texture), labelled malignant or benign. It comes from W. H. Wolberg, W. N. Street and O. L.
//! Mangasarian through the UCI repository, in the copy scikit-learn ships; the file is
//! vendored in `host/data/` (see its README for source and licence) and compiled in.

use std::path::PathBuf;

use darts_plugin_api::Layout;
use tch::Tensor;

use super::dataset::{Dataset, Task};
use super::error::{DataError, Place, Result};

/// scikit-learn's CSV. Its first line is not a header of column names but
/// `samples,features,class 0 name,class 1 name`; then one row per sample, features first.
const BREAST_CANCER_CSV: &str = include_str!("../../data/breast_cancer.csv");

/// Rows in the file.
pub const BREAST_CANCER_SAMPLES: usize = 569;

/// Measurements per row.
pub const BREAST_CANCER_FEATURES: usize = 30;

/// The `breast-cancer` data set: inputs `[569, 30]`, unscaled (feature scales differ by
/// six orders of magnitude, from fractal dimensions near 0.001 to areas over 4,000, so
/// standardize them), and one task, `diagnosis`, with class 0 malignant and class 1 benign,
/// as in scikit-learn.
pub fn breast_cancer() -> Result<Dataset> {
    let path = PathBuf::from("<built-in breast_cancer.csv>");
    let mut lines = BREAST_CANCER_CSV.lines();

    // The vendored file is known to be well-formed; the checks only turn a corrupted build
    // into an error instead of wrong data.
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let expected_header = [
        BREAST_CANCER_SAMPLES.to_string(),
        BREAST_CANCER_FEATURES.to_string(),
        "malignant".to_string(),
        "benign".to_string(),
    ];
    if header != expected_header {
        return Err(DataError::Csv {
            place: Place::Row { path, row: 1 },
            reason: format!("the header is {header:?}, not {expected_header:?}"),
        });
    }

    let width = BREAST_CANCER_FEATURES + 1;
    let mut features = Vec::with_capacity(BREAST_CANCER_SAMPLES * BREAST_CANCER_FEATURES);
    let mut labels = Vec::with_capacity(BREAST_CANCER_SAMPLES);
    for (index, line) in lines.enumerate() {
        let place = Place::Row { path: path.clone(), row: index as u64 + 2 };
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() != width {
            return Err(DataError::RaggedRow { place, cells: cells.len(), expected: width });
        }
        let bad = |reason: String| DataError::Csv { place: place.clone(), reason };

        for cell in &cells[..BREAST_CANCER_FEATURES] {
            features.push(cell.parse::<f32>().map_err(|error| bad(error.to_string()))?);
        }
        let label = cells[BREAST_CANCER_FEATURES];
        labels.push(match label {
            "0" => 0i64,
            "1" => 1,
            _ => return Err(bad(format!("label `{label}` is neither 0 nor 1"))),
        });
    }

    let inputs =
        Tensor::from_slice(&features).reshape([labels.len() as i64, BREAST_CANCER_FEATURES as i64]);
    Dataset::new(
        "breast-cancer",
        Layout::Flat,
        inputs,
        vec![Task::classification("diagnosis", 2)],
        vec![Tensor::from_slice(&labels)],
    )
}
