//! What can go wrong when reading, generating or splitting a data set.

use std::fmt;
use std::path::{Path, PathBuf};

/// The result of the data module's fallible functions.
pub type Result<T> = std::result::Result<T, DataError>;

/// Where in a file a problem was found, written the way a user would look for it.
///
/// CSV rows count from 1 with the header as row 1, as a spreadsheet or `sed -n 5p` shows
/// them; array samples count from 0, as `x[17]` does in NumPy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A file as a whole.
    File {
        /// The file.
        path: PathBuf,
    },
    /// A whole row of a CSV file.
    Row {
        /// The file.
        path: PathBuf,
        /// The row, 1-based, the header being row 1.
        row: u64,
    },
    /// One cell of a CSV file.
    Cell {
        /// The file.
        path: PathBuf,
        /// The row, 1-based, the header being row 1.
        row: u64,
        /// The column's name in the header.
        column: String,
    },
    /// An array of an NPY or NPZ file, or one sample of it.
    Array {
        /// The file.
        path: PathBuf,
        /// The array's name (`x`, `y`, `y_<task>`).
        array: String,
        /// The sample (index along the first axis, 0-based), when one is at fault.
        sample: Option<u64>,
    },
}

impl Place {
    /// The file the place is in.
    pub fn path(&self) -> &Path {
        match self {
            Place::File { path }
            | Place::Row { path, .. }
            | Place::Cell { path, .. }
            | Place::Array { path, .. } => path,
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::File { path } => write!(f, "{}", path.display()),
            Place::Row { path, row } => write!(f, "{}, row {row}", path.display()),
            Place::Cell { path, row, column } => {
                write!(f, "{}, row {row}, column `{column}`", path.display())
            }
            Place::Array { path, array, sample: None } => {
                write!(f, "{}, array `{array}`", path.display())
            }
            Place::Array { path, array, sample: Some(sample) } => {
                write!(f, "{}, array `{array}`, sample {sample} (counting from 0)", path.display())
            }
        }
    }
}

/// An error from reading a data file, generating a built-in data set, or splitting one.
///
/// Every message names the file and the row or array at fault, says what is wrong and what
/// to do about it. All variants but [`DataError::Invalid`] are bad input from the user.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// A file could not be opened or read.
    #[error("could not read {}: {source}; check the path and its permissions", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file could not be created or written.
    #[error(
        "could not write {}: {source}; check that the folder exists and is writable",
        path.display()
    )]
    Write {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file holds no samples.
    #[error("{} holds no data: {detail}; give a file with at least one sample", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
        /// What was found instead, such as "the file is empty".
        detail: String,
    },
    /// The CSV parser gave up on a row (invalid UTF-8, for instance).
    #[error("{place}: {reason}; save the file as UTF-8 CSV with a header row")]
    Csv {
        /// The row.
        place: Place,
        /// The parser's explanation.
        reason: String,
    },
    /// A CSV header cell is empty, so the column has no name to refer to it by.
    #[error(
        "{}, row 1 (the header): column {number} has no name; name every column (from pandas, \
         write with to_csv(index=False) to leave out the unnamed index)",
        path.display()
    )]
    UnnamedColumn {
        /// The file.
        path: PathBuf,
        /// The column, 1-based.
        number: usize,
    },
    /// A CSV header names the same column twice.
    #[error(
        "{}, row 1 (the header): column `{column}` appears twice; give every column its own \
         name",
        path.display()
    )]
    DuplicateColumn {
        /// The file.
        path: PathBuf,
        /// The repeated name.
        column: String,
    },
    /// A CSV row has more or fewer cells than the header.
    #[error(
        "{place}: {cells} cells, but the header has {expected} columns; every row needs one \
         cell per column (quote cells that contain commas)"
    )]
    RaggedRow {
        /// The row.
        place: Place,
        /// The cells found.
        cells: usize,
        /// The columns of the header.
        expected: usize,
    },
    /// A target column named in the options is not in the file's header.
    #[error("{} has no column `{column}`; its header has: {header}", path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column asked for.
        column: String,
        /// The header's column names, joined for the message.
        header: String,
    },
    /// The options or the file give no target to learn.
    #[error("{}: no target: {detail}", path.display())]
    NoTargets {
        /// The file.
        path: PathBuf,
        /// What is missing and what to do.
        detail: String,
    },
    /// The options are contradictory, such as a classification column that is not a target.
    #[error("{}: {detail}", path.display())]
    Options {
        /// The file the options were given for.
        path: PathBuf,
        /// What is wrong and what to do.
        detail: String,
    },
    /// Every column of a CSV file is a target, so there are no features to learn from.
    #[error(
        "{} has no feature columns: every column is a target; keep at least one",
        path.display()
    )]
    NoFeatures {
        /// The file.
        path: PathBuf,
    },
    /// A cell is empty where a value is needed.
    #[error("{place} is empty; fill in the missing value or drop the row")]
    MissingCell {
        /// The cell.
        place: Place,
    },
    /// A feature or regression-target cell is not a number.
    #[error(
        "{place}: `{value}` is not a number; features and regression targets must be numeric \
         (a column of labels belongs among the classification targets)"
    )]
    NotNumeric {
        /// The cell.
        place: Place,
        /// The cell's text.
        value: String,
    },
    /// A value is NaN or infinite, or too large for a 32-bit float.
    #[error(
        "{place}: {value} is not a finite 32-bit float; remove or impute the value (NaN and \
         infinity cannot be trained on)"
    )]
    NotFinite {
        /// The cell, or the array and sample.
        place: Place,
        /// The value as read.
        value: String,
    },
    /// A class label is negative, not an integer, or implausibly large.
    #[error("{place}: label {value} {reason}; class labels are the integers 0, 1, ..., k-1")]
    BadLabel {
        /// The cell, or the array and sample.
        place: Place,
        /// The label as read.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A file is not a well-formed NPY or NPZ file.
    #[error(
        "{place}: not a readable NumPy file ({reason}); write it with numpy.save or numpy.savez"
    )]
    Malformed {
        /// The file, or the array inside an NPZ file.
        place: Place,
        /// What is wrong.
        reason: String,
    },
    /// An NPZ file lacks an array the reader needs.
    #[error("{} has no array `{array}` (it has: {found}); {hint}", path.display())]
    MissingArray {
        /// The file.
        path: PathBuf,
        /// The array looked for.
        array: String,
        /// The arrays the file has, joined for the message.
        found: String,
        /// What to write instead.
        hint: String,
    },
    /// An array's element type cannot be read as features or targets.
    #[error(
        "{place} has dtype {dtype}, which is not supported; x must be float32, float64 or an \
         integer type, targets an integer type (classes) or a float type (regression)"
    )]
    UnsupportedDtype {
        /// The array.
        place: Place,
        /// The NumPy type string, such as `<U5`.
        dtype: String,
    },
    /// An array's shape fits no layout, or a target is not one value per sample.
    #[error("{place} has shape {shape:?}: {expected}")]
    BadShape {
        /// The array.
        place: Place,
        /// Its shape.
        shape: Vec<u64>,
        /// The shapes that would be accepted.
        expected: String,
    },
    /// The inputs and a target have different numbers of samples.
    #[error(
        "{inputs} has {inputs_len} samples but {target} has {target_len}; give one target per \
         sample"
    )]
    LengthMismatch {
        /// The inputs array (boxed, like `target`, to keep the error small to return).
        inputs: Box<Place>,
        /// Its number of samples.
        inputs_len: u64,
        /// The target array.
        target: Box<Place>,
        /// Its number of samples.
        target_len: u64,
    },
    /// Split fractions that are negative, not finite, or do not add up to 1.
    #[error("split fractions {fractions} are not valid: {detail}")]
    BadFractions {
        /// The fractions as given.
        fractions: String,
        /// What is wrong.
        detail: String,
    },
    /// A split that would leave the training, validation or test set empty.
    #[error(
        "splitting `{dataset}` ({samples} samples) with fractions {fractions} leaves the {part} \
         set empty; give every part a fraction of at least 1/{samples}, or use more data"
    )]
    EmptySplit {
        /// The data set's name.
        dataset: String,
        /// Its number of samples.
        samples: usize,
        /// `training`, `validation` or `test`.
        part: &'static str,
        /// The fractions as given.
        fractions: String,
    },
    /// A built-in data set name that does not exist.
    #[error("there is no built-in data set `{name}`; the built-in ones are: {known}")]
    UnknownBuiltin {
        /// The name asked for.
        name: String,
        /// The built-in names, joined for the message.
        known: String,
    },
    /// Tensors that do not make a data set, or a generator configuration that cannot work.
    ///
    /// This is a programming error in the caller, not bad user data.
    #[error("data set `{dataset}` is not valid: {reason}")]
    Invalid {
        /// The data set's name.
        dataset: String,
        /// What is inconsistent.
        reason: String,
    },
}
