//! The built-in `digits` data set: 8x8 handwritten digits.
//!
//! 1,797 images of the digits 0-9, each the number of set pixels (0-16) in 4x4 blocks of a
//! 32x32 bitmap, from the UCI "Optical Recognition of Handwritten Digits" data (E. Alpaydin and
//! C. Kaynak), in the copy scikit-learn ships. The file is vendored in `host/data/` (see its
//! README for source and licence) and compiled into the binary, so it works offline.

use std::io::Read;
use std::path::PathBuf;

use darts_plugin_api::Layout;
use flate2::read::GzDecoder;
use tch::Tensor;

use super::dataset::{Dataset, Task};
use super::error::{DataError, Place, Result};

/// The gzip-compressed CSV: one image a line, 64 pixels row by row, then the label.
const DIGITS_CSV_GZ: &[u8] = include_bytes!("../../data/digits.csv.gz");

/// Images in the file.
pub const DIGITS_SAMPLES: usize = 1797;

/// The largest pixel value: a 4x4 block with every pixel set.
const PIXEL_MAX: f32 = 16.0;

/// The `digits` data set: inputs `[1797, 1, 8, 8]` with pixels scaled to `[0, 1]`, and one
/// task, `digit`, with 10 classes.
pub fn digits() -> Result<Dataset> {
    let path = PathBuf::from("<built-in digits.csv.gz>");

    let mut text = String::new();
    GzDecoder::new(DIGITS_CSV_GZ)
        .read_to_string(&mut text)
        .map_err(|source| DataError::Read { path: path.clone(), source })?;

    // The vendored file is known to be well-formed; the checks only turn a corrupted build
    // into an error instead of wrong data.
    let mut pixels = Vec::with_capacity(DIGITS_SAMPLES * 64);
    let mut labels = Vec::with_capacity(DIGITS_SAMPLES);
    for (index, line) in text.lines().enumerate() {
        let place = Place::Row { path: path.clone(), row: index as u64 + 1 };
        let values: Vec<u8> = line
            .split(',')
            .map(|cell| cell.trim().parse::<u8>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|error| DataError::Csv { place: place.clone(), reason: error.to_string() })?;
        if values.len() != 65 {
            return Err(DataError::RaggedRow { place, cells: values.len(), expected: 65 });
        }

        pixels.extend(values[..64].iter().map(|&value| f32::from(value) / PIXEL_MAX));
        labels.push(i64::from(values[64]));
    }

    let samples = labels.len() as i64;
    let inputs = Tensor::from_slice(&pixels).reshape([samples, 1, 8, 8]);
    Dataset::new(
        "digits",
        Layout::Image,
        inputs,
        vec![Task::classification("digit", 10)],
        vec![Tensor::from_slice(&labels)],
    )
}
