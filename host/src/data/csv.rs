//! Reading the user's tabular data from a CSV file into a flat data set.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::Path;

use darts_plugin_api::Layout;
use tch::Tensor;

use super::dataset::{dataset_name, Dataset, Task, MAX_CLASSES};
use super::error::{DataError, Place, Result};

/// Which columns of a CSV file are targets, and which of those are class labels.
///
/// Every column not named in `targets` is a feature and must hold numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// The target columns by header name, one task each, in this order.
    pub targets: Vec<String>,
    /// The targets that are class labels; the other targets are regression targets.
    ///
    /// A label column of integers is taken as the class indices themselves (0, 1, ..., k-1;
    /// `2.0` counts as 2); any other labels, such as `benign` and `malignant`, are numbered
    /// in sorted order.
    pub classification: Vec<String>,
}

/// Reads a CSV file with a header row into a flat data set named after the file.
///
/// The inputs are `[rows, features]` float32 in the file's column order, without the
/// targets; each target becomes a task named after its column. Cells are trimmed of spaces.
/// Rows in messages count from 1 with the header as row 1, as in a text editor.
pub fn read_csv(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Dataset> {
    let path = path.as_ref();
    let bytes =
        fs::read(path).map_err(|source| DataError::Read { path: path.to_path_buf(), source })?;
    read_csv_bytes(&bytes, path, options)
}

/// [`read_csv`] on a file's contents already in memory; `path` only names the file in
/// messages and the data set. The entry point for fuzzing the reader.
pub fn read_csv_bytes(
    bytes: &[u8],
    path: impl AsRef<Path>,
    options: &CsvOptions,
) -> Result<Dataset> {
    let path = path.as_ref();
    check_options(path, options)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
            detail: "the file is empty".to_string(),
        });
    }

    // Flexible, so that a ragged row reaches the check below, which names the row and says
    // how many cells it has, instead of the parser's terser error.
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(bytes);
    let mut records = reader.records();

    // The header: named, distinct columns, the targets among them.
    let header = match records.next() {
        Some(record) => {
            record.map_err(|error| parse_error(path, error, &mut LineCounter::new(bytes)))?
        }
        None => {
            return Err(DataError::Empty {
                path: path.to_path_buf(),
                detail: "the file is empty".to_string(),
            })
        }
    };
    let columns: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(index, name)| if index == 0 { name.trim_start_matches('\u{feff}') } else { name })
        .map(str::to_string)
        .collect();
    let layout = ColumnLayout::new(path, &columns, options)?;

    // The rows: features parsed now, target cells kept as text until the whole column is seen.
    let mut rows = Vec::new();
    let mut features = Vec::new();
    let mut target_cells: Vec<Vec<String>> = vec![Vec::new(); layout.targets.len()];
    let mut lines = LineCounter::new(bytes);
    for record in records {
        let record = record.map_err(|error| parse_error(path, error, &mut lines))?;
        let row = lines.line_at(record.position().map_or(0, |position| position.byte()));
        if record.len() == 1 && record[0].is_empty() {
            continue;
        }
        if record.len() != columns.len() {
            return Err(DataError::RaggedRow {
                place: Place::Row { path: path.to_path_buf(), row },
                cells: record.len(),
                expected: columns.len(),
            });
        }

        let cell_place = |index: usize| Place::Cell {
            path: path.to_path_buf(),
            row,
            column: columns[index].clone(),
        };
        for &index in &layout.features {
            features.push(parse_number(&record[index], || cell_place(index))?);
        }
        for (cells, &index) in target_cells.iter_mut().zip(&layout.targets) {
            if record[index].is_empty() {
                return Err(DataError::MissingCell { place: cell_place(index) });
            }
            cells.push(record[index].to_string());
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
            detail: "it has a header row but no data rows".to_string(),
        });
    }

    // The targets, one task each.
    let mut tasks = Vec::new();
    let mut targets = Vec::new();
    for (cells, &index) in target_cells.iter().zip(&layout.targets) {
        let column = &columns[index];
        let place = |sample: usize| Place::Cell {
            path: path.to_path_buf(),
            row: rows[sample],
            column: column.clone(),
        };
        if options.classification.contains(column) {
            let (labels, classes) = class_indices(cells, place)?;
            tasks.push(Task::classification(column.clone(), classes));
            targets.push(Tensor::from_slice(&labels));
        } else {
            let values = cells
                .iter()
                .enumerate()
                .map(|(sample, cell)| parse_number(cell, || place(sample)))
                .collect::<Result<Vec<f32>>>()?;
            tasks.push(Task::regression(column.clone()));
            targets.push(Tensor::from_slice(&values));
        }
    }

    let inputs =
        Tensor::from_slice(&features).reshape([rows.len() as i64, layout.features.len() as i64]);
    Dataset::new(dataset_name(path), Layout::Flat, inputs, tasks, targets)
}

/// Which header columns are features and which are targets.
struct ColumnLayout {
    /// Feature column indices, in file order.
    features: Vec<usize>,
    /// Target column indices, in the order of [`CsvOptions::targets`].
    targets: Vec<usize>,
}

impl ColumnLayout {
    /// Checks the header against the options and sorts its columns.
    fn new(path: &Path, columns: &[String], options: &CsvOptions) -> Result<ColumnLayout> {
        let mut seen = HashSet::new();
        for (index, column) in columns.iter().enumerate() {
            if column.is_empty() {
                return Err(DataError::UnnamedColumn {
                    path: path.to_path_buf(),
                    number: index + 1,
                });
            }
            if !seen.insert(column.as_str()) {
                return Err(DataError::DuplicateColumn {
                    path: path.to_path_buf(),
                    column: column.clone(),
                });
            }
        }

        let targets = options
            .targets
            .iter()
            .map(|target| {
                columns.iter().position(|column| column == target).ok_or_else(|| {
                    DataError::MissingColumn {
                        path: path.to_path_buf(),
                        column: target.clone(),
                        header: columns.join(", "),
                    }
                })
            })
            .collect::<Result<Vec<usize>>>()?;
        let features: Vec<usize> =
            (0..columns.len()).filter(|index| !targets.contains(index)).collect();
        if features.is_empty() {
            return Err(DataError::NoFeatures { path: path.to_path_buf() });
        }
        Ok(ColumnLayout { features, targets })
    }
}

/// Refuses options that name no target, a target twice, or a class-label column that is not
/// a target.
fn check_options(path: &Path, options: &CsvOptions) -> Result<()> {
    if options.targets.is_empty() {
        return Err(DataError::NoTargets {
            path: path.to_path_buf(),
            detail: "name the target column(s) to predict".to_string(),
        });
    }
    let mut seen = HashSet::new();
    for target in &options.targets {
        if !seen.insert(target) {
            return Err(DataError::Options {
                path: path.to_path_buf(),
                detail: format!("target `{target}` is named twice; name each target once"),
            });
        }
    }
    if let Some(stray) = options.classification.iter().find(|name| !seen.contains(name)) {
        return Err(DataError::Options {
            path: path.to_path_buf(),
            detail: format!(
                "`{stray}` is listed as a classification target but not as a target; add it \
                 to the targets"
            ),
        });
    }
    Ok(())
}

/// A feature or regression cell as a finite float32.
fn parse_number(cell: &str, place: impl Fn() -> Place) -> Result<f32> {
    if cell.is_empty() {
        return Err(DataError::MissingCell { place: place() });
    }
    let value: f64 = cell
        .parse()
        .map_err(|_| DataError::NotNumeric { place: place(), value: cell.to_string() })?;

    // A finite float64 can still overflow float32, the precision the network trains in.
    let single = value as f32;
    if !single.is_finite() {
        return Err(DataError::NotFinite { place: place(), value: cell.to_string() });
    }
    Ok(single)
}

/// Class indices and the number of classes for a column of labels.
///
/// If every label is a number, the numbers are the indices and must be integers from 0;
/// otherwise the distinct labels are numbered in sorted order.
fn class_indices(cells: &[String], place: impl Fn(usize) -> Place) -> Result<(Vec<i64>, usize)> {
    let numbers: Option<Vec<f64>> = cells.iter().map(|cell| cell.parse::<f64>().ok()).collect();

    let Some(numbers) = numbers else {
        let distinct: BTreeMap<&str, i64> = cells.iter().map(|cell| (cell.as_str(), 0)).collect();
        if distinct.len() > MAX_CLASSES {
            return Err(DataError::BadLabel {
                place: place(0),
                value: cells[0].clone(),
                reason: format!(
                    "is one of {} distinct labels in its column, more than {MAX_CLASSES}; is \
                     this the right column?",
                    distinct.len()
                ),
            });
        }
        let index: BTreeMap<&str, i64> =
            distinct.keys().enumerate().map(|(index, &label)| (label, index as i64)).collect();
        let labels = cells.iter().map(|cell| index[cell.as_str()]).collect();
        return Ok((labels, distinct.len()));
    };

    let mut labels = Vec::with_capacity(numbers.len());
    for (sample, &number) in numbers.iter().enumerate() {
        let bad = |reason: &str| DataError::BadLabel {
            place: place(sample),
            value: cells[sample].clone(),
            reason: reason.to_string(),
        };
        if !number.is_finite() || number.fract() != 0.0 {
            return Err(bad("is not an integer (is this a regression target?)"));
        }
        if number < 0.0 {
            return Err(bad("is negative"));
        }
        if number >= MAX_CLASSES as f64 {
            return Err(bad(&format!("is {MAX_CLASSES} or more; number the classes from 0")));
        }
        labels.push(number as i64);
    }
    let classes = labels.iter().max().map_or(0, |&high| high as usize + 1);
    Ok((labels, classes))
}

/// Line numbers of byte offsets, counted incrementally as the records advance.
///
/// The csv crate's own line numbers do not count blank lines, so they would send the user to
/// the wrong line of a file with blank lines in it; counting newlines before the record's
/// first byte gives the line an editor shows.
struct LineCounter<'a> {
    /// The whole file.
    bytes: &'a [u8],
    /// How far newlines have been counted.
    offset: usize,
    /// The line at `offset`, 1-based.
    line: u64,
}

impl<'a> LineCounter<'a> {
    /// A counter at the start of `bytes`, line 1.
    fn new(bytes: &'a [u8]) -> Self {
        LineCounter { bytes, offset: 0, line: 1 }
    }

    /// The 1-based line of the first non-blank byte from `offset` on; `offset` must not be
    /// before the previous one asked. (A record's position is where the previous one ended,
    /// before any blank lines that the parser skipped.)
    fn line_at(&mut self, offset: u64) -> u64 {
        let mut offset = (offset as usize).clamp(self.offset, self.bytes.len());
        while self.bytes.get(offset).is_some_and(u8::is_ascii_whitespace) {
            offset += 1;
        }
        self.line +=
            self.bytes[self.offset..offset].iter().filter(|&&byte| byte == b'\n').count() as u64;
        self.offset = offset;
        self.line
    }
}

/// The error for a row the CSV parser rejects.
fn parse_error(path: &Path, error: ::csv::Error, lines: &mut LineCounter) -> DataError {
    let row = lines.line_at(error.position().map_or(0, |position| position.byte()));
    DataError::Csv {
        place: Place::Row { path: path.to_path_buf(), row },
        reason: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, targets: &[&str], classification: &[&str]) -> Result<Dataset> {
        let options = CsvOptions {
            targets: targets.iter().map(|name| name.to_string()).collect(),
            classification: classification.iter().map(|name| name.to_string()).collect(),
        };
        read_csv_bytes(text.as_bytes(), "t.csv", &options)
    }

    #[test]
    fn string_labels_are_numbered_in_sorted_order() {
        let data = parse("a,kind\n1,pear\n2,apple\n3,pear\n", &["kind"], &["kind"]).unwrap();
        assert_eq!(data.tasks, [Task::classification("kind", 2)]);
        assert_eq!(Vec::<i64>::try_from(&data.targets[0]).unwrap(), [1, 0, 1]);
    }

    #[test]
    fn integer_labels_are_the_indices() {
        let data = parse("a,c\n1,2\n2,0.0\n3,2\n", &["c"], &["c"]).unwrap();
        assert_eq!(data.tasks, [Task::classification("c", 3)]);
        assert_eq!(Vec::<i64>::try_from(&data.targets[0]).unwrap(), [2, 0, 2]);
    }

    #[test]
    fn blank_lines_are_skipped_and_rows_keep_their_line_numbers() {
        let error = parse("a,y\n1,2\n\n3,x\n", &["y"], &[]).unwrap_err().to_string();
        assert!(error.contains("t.csv, row 4, column `y`"), "{error}");
    }

    #[test]
    fn options_are_checked() {
        let error = parse("a,y\n1,2\n", &[], &[]).unwrap_err().to_string();
        assert!(error.contains("no target"), "{error}");
        let error = parse("a,y\n1,2\n", &["y"], &["z"]).unwrap_err().to_string();
        assert!(error.contains("`z` is listed as a classification target"), "{error}");
        let error = parse("a,y\n1,2\n", &["y", "y"], &[]).unwrap_err().to_string();
        assert!(error.contains("named twice"), "{error}");
    }

    #[test]
    fn a_bom_and_spaces_are_ignored() {
        let data = parse("\u{feff}a , y\n 1 , 2\n", &["y"], &[]).unwrap();
        assert_eq!(data.input_shape(), [1]);
    }
}
