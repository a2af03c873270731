//! Reading the user's arrays from NumPy NPY and NPZ files, and writing data sets as NPZ.
//!
//! An NPZ file (`numpy.savez`, `numpy.savez_compressed`) holds the inputs as array `x` and
//! one array per task: `y` for a task called `y`, `y_<task>` for a task called `<task>`. A
//! pair of NPY files (`numpy.save`) holds `x` and `y`. The layout follows from the rank of
//! `x`: `[N, features]` is flat, `[N, channels, length]` a sequence, `[N, channels, height,
//! width]` an image. An integer (or boolean) target is a classification task with classes
//! `0..=max`, a float target a regression task.
//!
//! These readers take files from anywhere, so they must answer every byte string with a data
//! set or an error, never a panic or an allocation the file's size does not justify. The
//! sizes a header claims are checked against the bytes that are really there before
//! anything is decoded, and the third-party parsing runs inside a panic guard as a last line
//! of defence.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use darts_plugin_api::Layout;
use npyz::npz::{NpzArchive, NpzWriter};
use npyz::{AutoSerialize, DType, NpyFile, NpyHeader, Order, TypeChar, WriterBuilder};
use tch::kind::Element;
use tch::{Device, Kind, Tensor};

use super::dataset::{dataset_name, Dataset, Task, MAX_CLASSES};
use super::error::{DataError, Place, Result};

/// The largest array, in bytes, the readers accept (8 GiB): a guard against archives that
/// decompress to far more than any data set this program could train on.
pub const MAX_ARRAY_BYTES: u64 = 8 << 30;

/// The largest NPY header accepted. NumPy itself refuses headers over 10,000 bytes by
/// default; a larger length field is corruption, and trusting it would allocate up to 4 GiB.
const MAX_HEADER_BYTES: usize = 65_536;

/// The deepest bracket nesting accepted in an NPY header. A plain array's header nests two
/// deep (the shape tuple in the dict); the header parser recurses, so a header of thousands
/// of brackets could overflow the stack, which no guard can catch.
const MAX_HEADER_NESTING: usize = 8;

/// Where the inputs and the targets are in an NPZ file.
const INPUTS_ARRAY: &str = "x";
const TARGET_ARRAY: &str = "y";
const TARGET_PREFIX: &str = "y_";

/// Reads an NPZ file with inputs `x` and targets `y` and/or `y_<task>` into a data set
/// named after the file.
///
/// `x` may be float32, float64, or any integer or boolean type (pixels as uint8, say) and
/// becomes float32. Each target has shape `[N]` or `[N, 1]`. Tasks come in the order their
/// arrays were written. Other arrays are ignored with a warning.
pub fn read_npz(path: impl AsRef<Path>) -> Result<Dataset> {
    let path = path.as_ref();
    let file =
        File::open(path).map_err(|source| DataError::Read { path: path.to_path_buf(), source })?;
    let size = file.metadata().map(|metadata| metadata.len()).unwrap_or(0);
    guarded(Place::File { path: path.to_path_buf() }, || {
        read_npz_from(BufReader::new(file), size, path)
    })
}

/// [`read_npz`] on a file's contents already in memory; `path` only names the file in
/// messages and the data set. The entry point for fuzzing the reader.
pub fn read_npz_bytes(bytes: &[u8], path: impl AsRef<Path>) -> Result<Dataset> {
    let path = path.as_ref();
    guarded(Place::File { path: path.to_path_buf() }, || {
        read_npz_from(io::Cursor::new(bytes), bytes.len() as u64, path)
    })
}

/// Reads inputs from the NPY file `x_path` and the targets of one task, called `y`, from the
/// NPY file `y_path`, into a data set named after the inputs file.
///
/// The arrays follow the rules of [`read_npz`].
pub fn read_npy(x_path: impl AsRef<Path>, y_path: impl AsRef<Path>) -> Result<Dataset> {
    let (x_path, y_path) = (x_path.as_ref(), y_path.as_ref());
    let place = |path: &Path, array: &str| Place::Array {
        path: path.to_path_buf(),
        array: array.to_string(),
        sample: None,
    };

    let (layout, inputs) = guarded(place(x_path, INPUTS_ARRAY), || {
        let x = parse_npy(&read_file(x_path)?, &place(x_path, INPUTS_ARRAY))?;
        inputs_tensor(x, &place(x_path, INPUTS_ARRAY))
    })?;
    let samples = inputs.size()[0] as u64;
    let (task, target) = guarded(place(y_path, TARGET_ARRAY), || {
        let y = parse_npy(&read_file(y_path)?, &place(y_path, TARGET_ARRAY))?;
        target_tensor(
            y,
            TARGET_ARRAY,
            &place(y_path, TARGET_ARRAY),
            (&place(x_path, INPUTS_ARRAY), samples),
        )
    })?;
    Dataset::new(dataset_name(x_path), layout, inputs, vec![task], vec![target])
}

/// Reads an NPY file of inputs alone, as for prediction: float32 `[N, ...]` on the CPU and
/// the layout its rank gives, under the rules of [`read_npz`] for `x`.
pub fn read_inputs_npy(path: impl AsRef<Path>) -> Result<(Layout, Tensor)> {
    let path = path.as_ref();
    read_inputs_npy_bytes(&read_file(path)?, path)
}

/// [`read_inputs_npy`] on a file's contents already in memory; `path` only names the file in
/// messages. The entry point for fuzzing the reader.
pub fn read_inputs_npy_bytes(bytes: &[u8], path: impl AsRef<Path>) -> Result<(Layout, Tensor)> {
    let path = path.as_ref();
    // The same answer as `read_file` gives for an empty file.
    if bytes.is_empty() {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
            detail: "the file is empty".to_string(),
        });
    }
    let place =
        Place::Array { path: path.to_path_buf(), array: INPUTS_ARRAY.to_string(), sample: None };
    guarded(place.clone(), || {
        let x = parse_npy(bytes, &place)?;
        inputs_tensor(x, &place)
    })
}

/// Writes tensors as arrays of an NPZ file (uncompressed), in the format [`read_npz`] reads
/// and `numpy.load` opens.
///
/// Kinds float32, float64, int64, int32, int16, int8, uint8 and bool are written as the same
/// NumPy dtypes; other kinds are refused. Useful to hand a data set to other tools, and to
/// prepare files for tests.
pub fn write_npz(path: impl AsRef<Path>, arrays: &[(&str, &Tensor)]) -> Result<()> {
    let path = path.as_ref();
    let write_error = |source| DataError::Write { path: path.to_path_buf(), source };

    let mut npz = NpzWriter::create(path).map_err(write_error)?;
    for &(name, tensor) in arrays {
        let bytes = npy_bytes(tensor).map_err(write_error)?;
        let zip = npz.zip_writer();
        zip.start_file(npyz::npz::file_name_from_array_name(name), Default::default())
            .map_err(|error| write_error(io::Error::other(error)))?;
        io::Write::write_all(zip, &bytes).map_err(write_error)?;
    }
    npz.zip_writer().finish().map_err(|error| write_error(io::Error::other(error)))?;
    Ok(())
}

/// Writes one tensor as an NPY file, in the format [`read_npy`] reads and `numpy.load` opens.
///
/// The kinds of [`write_npz`] are supported.
pub fn write_npy(path: impl AsRef<Path>, tensor: &Tensor) -> Result<()> {
    let path = path.as_ref();
    let write_error = |source| DataError::Write { path: path.to_path_buf(), source };

    let bytes = npy_bytes(tensor).map_err(write_error)?;
    std::fs::write(path, bytes).map_err(write_error)
}

impl Dataset {
    /// Writes the data set as an NPZ file that [`read_npz`] reads back: the inputs as `x`,
    /// each task's targets as `y_<task>`.
    ///
    /// Reading it back numbers a classification task's classes as its largest label plus
    /// one, which is fewer than the task's classes when the last classes have no sample.
    pub fn write_npz(&self, path: impl AsRef<Path>) -> Result<()> {
        let names: Vec<String> =
            self.tasks.iter().map(|task| format!("{TARGET_PREFIX}{}", task.name)).collect();
        let mut arrays = vec![(INPUTS_ARRAY, &self.inputs)];
        arrays.extend(names.iter().map(String::as_str).zip(&self.targets));
        write_npz(path, &arrays)
    }
}

/// [`read_npz`] from a reader of `size` bytes, without the panic guard.
fn read_npz_from<R: Read + io::Seek>(reader: R, size: u64, path: &Path) -> Result<Dataset> {
    let file_place = Place::File { path: path.to_path_buf() };
    let array_place = |array: &str| Place::Array {
        path: path.to_path_buf(),
        array: array.to_string(),
        sample: None,
    };

    // The archive and its table of contents.
    if size == 0 {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
            detail: "the file is empty".to_string(),
        });
    }
    let mut archive = NpzArchive::new(reader).map_err(|error| DataError::Malformed {
        place: file_place.clone(),
        reason: format!("not a zip archive: {error}"),
    })?;
    let names = array_names(&mut archive, &file_place)?;

    // Inputs, then targets.
    if !names.iter().any(|name| name == INPUTS_ARRAY) {
        return Err(DataError::MissingArray {
            path: path.to_path_buf(),
            array: INPUTS_ARRAY.to_string(),
            found: list(&names),
            hint: "save the inputs as x (numpy.savez(path, x=inputs, y=labels))".to_string(),
        });
    }
    let x = parse_npy(&read_entry(&mut archive, path, INPUTS_ARRAY)?, &array_place(INPUTS_ARRAY))?;
    let (layout, inputs) = inputs_tensor(x, &array_place(INPUTS_ARRAY))?;
    let samples = inputs.size()[0] as u64;

    let mut tasks = Vec::new();
    let mut targets = Vec::new();
    for name in &names {
        let task = if name == TARGET_ARRAY {
            TARGET_ARRAY
        } else if let Some(task) = name.strip_prefix(TARGET_PREFIX).filter(|task| !task.is_empty())
        {
            task
        } else {
            if name != INPUTS_ARRAY {
                tracing::warn!(
                    "{}: ignoring array `{name}`, which is neither x nor y nor y_<task>",
                    path.display()
                );
            }
            continue;
        };
        let y = parse_npy(&read_entry(&mut archive, path, name)?, &array_place(name))?;
        let (task, target) =
            target_tensor(y, task, &array_place(name), (&array_place(INPUTS_ARRAY), samples))?;
        tasks.push(task);
        targets.push(target);
    }
    if tasks.is_empty() {
        return Err(DataError::MissingArray {
            path: path.to_path_buf(),
            array: TARGET_ARRAY.to_string(),
            found: list(&names),
            hint: "save the targets as y, or as y_<task> for each of several tasks".to_string(),
        });
    }

    Dataset::new(dataset_name(path), layout, inputs, tasks, targets)
}

/// An array as read: its shape and its elements in C order (last axis fastest).
struct Array {
    /// The shape, `[N, ...]`.
    shape: Vec<u64>,
    /// The elements, widened to one of three types.
    values: Values,
}

/// Array elements, widened so the rest of the reader handles three cases, not eleven.
enum Values {
    /// float32 elements, kept as they are to spare a copy of large inputs.
    Float32(Vec<f32>),
    /// float64 elements.
    Float64(Vec<f64>),
    /// Elements of any integer or boolean type. uint64 values beyond the int64 range, which
    /// neither a pixel nor a label can plausibly be, are clamped to `i64::MAX`.
    Int(Vec<i64>),
}

/// The NumPy element types the readers decode.
enum ElementType {
    /// `<f4`.
    Float32,
    /// `<f8`.
    Float64,
    /// `<i1` to `<i8`, with the size in bytes.
    Int(u64),
    /// `|u1` to `<u8`, with the size in bytes.
    Uint(u64),
    /// `|b1`.
    Bool,
}

/// Decodes one NPY file's bytes, checking every size its header claims.
fn parse_npy(bytes: &[u8], place: &Place) -> Result<Array> {
    let malformed = |reason: String| DataError::Malformed { place: place.clone(), reason };

    // The fixed prefix: magic, version, header length (2 bytes in version 1, 4 after).
    if bytes.len() < 10 || !bytes.starts_with(b"\x93NUMPY") {
        return Err(malformed("it does not start with the NPY magic string".to_string()));
    }
    let (text_start, header_len) = match bytes[6] {
        1 => (10, u16::from_le_bytes([bytes[8], bytes[9]]) as usize),
        2 | 3 if bytes.len() >= 12 => {
            (12, u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize)
        }
        version => return Err(malformed(format!("NPY version {version} is not supported"))),
    };
    if header_len > MAX_HEADER_BYTES {
        return Err(malformed(format!("the header claims {header_len} bytes")));
    }
    let data_start = text_start + header_len;
    let Some(text) = bytes.get(text_start..data_start) else {
        return Err(malformed("the file ends inside the header".to_string()));
    };
    if nesting(text) > MAX_HEADER_NESTING {
        return Err(malformed("the header nests brackets too deeply".to_string()));
    }
    if !numbers_fit(text) {
        return Err(malformed(format!(
            "the numbers in the header allow a shape of more than the {MAX_ARRAY_BYTES} bytes \
             this reader accepts"
        )));
    }

    // The header: dtype, order, shape.
    let header = NpyHeader::from_reader(&bytes[..data_start])
        .map_err(|error| malformed(format!("bad header: {error}")))?;
    let dtype = header.dtype();
    let unsupported = || DataError::UnsupportedDtype { place: place.clone(), dtype: dtype.descr() };
    let DType::Plain(type_str) = &dtype else {
        return Err(unsupported());
    };
    let kind = match (type_str.type_char(), type_str.size_field()) {
        (TypeChar::Float, 4) => ElementType::Float32,
        (TypeChar::Float, 8) => ElementType::Float64,
        (TypeChar::Int, size @ (1 | 2 | 4 | 8)) => ElementType::Int(size),
        (TypeChar::Uint, size @ (1 | 2 | 4 | 8)) => ElementType::Uint(size),
        (TypeChar::Bool, 1) => ElementType::Bool,
        _ => return Err(unsupported()),
    };
    let item_size = type_str.size_field();
    let shape = header.shape().to_vec();

    // The data must be exactly as long as the shape and dtype say, before any is decoded.
    let elements = shape.iter().try_fold(1u64, |product, &size| product.checked_mul(size));
    let needed = elements.and_then(|elements| elements.checked_mul(item_size));
    let data = &bytes[data_start..];
    match needed {
        Some(needed) if needed <= MAX_ARRAY_BYTES && needed == data.len() as u64 => {}
        Some(needed) if needed <= MAX_ARRAY_BYTES => {
            return Err(malformed(format!(
                "shape {shape:?} of {} needs {needed} bytes of data, but the file has {}",
                dtype.descr(),
                data.len()
            )))
        }
        _ => {
            return Err(malformed(format!(
                "shape {shape:?} needs more than the {MAX_ARRAY_BYTES} bytes this reader accepts"
            )))
        }
    }

    let order = header.order();
    let file = NpyFile::with_header(header, data);
    let decode_error = |error: io::Error| malformed(format!("bad data: {error}"));
    let values = match kind {
        ElementType::Float32 => Values::Float32(file.into_vec::<f32>().map_err(decode_error)?),
        ElementType::Float64 => Values::Float64(file.into_vec::<f64>().map_err(decode_error)?),
        ElementType::Int(1) => Values::Int(widen(file.into_vec::<i8>().map_err(decode_error)?)),
        ElementType::Int(2) => Values::Int(widen(file.into_vec::<i16>().map_err(decode_error)?)),
        ElementType::Int(4) => Values::Int(widen(file.into_vec::<i32>().map_err(decode_error)?)),
        ElementType::Int(_) => Values::Int(file.into_vec::<i64>().map_err(decode_error)?),
        ElementType::Uint(1) => Values::Int(widen(file.into_vec::<u8>().map_err(decode_error)?)),
        ElementType::Uint(2) => Values::Int(widen(file.into_vec::<u16>().map_err(decode_error)?)),
        ElementType::Uint(4) => Values::Int(widen(file.into_vec::<u32>().map_err(decode_error)?)),
        ElementType::Uint(_) => {
            let values = file.into_vec::<u64>().map_err(decode_error)?;
            Values::Int(values.into_iter().map(|v| i64::try_from(v).unwrap_or(i64::MAX)).collect())
        }
        ElementType::Bool => Values::Int(widen(file.into_vec::<bool>().map_err(decode_error)?)),
    };

    let values = match order {
        Order::C => values,
        Order::Fortran => match values {
            Values::Float32(values) => Values::Float32(fortran_to_c(&values, &shape)),
            Values::Float64(values) => Values::Float64(fortran_to_c(&values, &shape)),
            Values::Int(values) => Values::Int(fortran_to_c(&values, &shape)),
        },
    };
    Ok(Array { shape, values })
}

/// The inputs array as a float32 tensor, with the layout its rank gives.
fn inputs_tensor(x: Array, place: &Place) -> Result<(Layout, Tensor)> {
    let layout = match x.shape.len() {
        2 => Layout::Flat,
        3 => Layout::Sequence,
        4 => Layout::Image,
        _ => {
            return Err(DataError::BadShape {
                place: place.clone(),
                shape: x.shape,
                expected: "x must be [N, features] (flat), [N, channels, length] (sequence) or \
                           [N, channels, height, width] (image)"
                    .to_string(),
            })
        }
    };
    if x.shape[0] == 0 {
        return Err(DataError::Empty {
            path: place.path().to_path_buf(),
            detail: "array x has no samples".to_string(),
        });
    }
    if x.shape.contains(&0) {
        return Err(DataError::BadShape {
            place: place.clone(),
            shape: x.shape,
            expected: "every axis after the first must have at least one element".to_string(),
        });
    }

    let values: Vec<f32> = match x.values {
        Values::Float32(values) => values,
        Values::Float64(values) => values.into_iter().map(|value| value as f32).collect(),
        Values::Int(values) => values.into_iter().map(|value| value as f32).collect(),
    };
    let per_sample = values.len() as u64 / x.shape[0];
    if let Some(index) = values.iter().position(|value| !value.is_finite()) {
        return Err(DataError::NotFinite {
            place: at_sample(place, index as u64 / per_sample),
            value: values[index].to_string(),
        });
    }

    let shape: Vec<i64> = x.shape.iter().map(|&size| size as i64).collect();
    Ok((layout, Tensor::from_slice(&values).reshape(&shape)))
}

/// A target array as a task and its `[N]` tensor; `inputs` is the inputs array and its
/// number of samples, for the length check.
fn target_tensor(
    y: Array,
    task: &str,
    place: &Place,
    inputs: (&Place, u64),
) -> Result<(Task, Tensor)> {
    if !matches!(y.shape[..], [_] | [_, 1]) {
        return Err(DataError::BadShape {
            place: place.clone(),
            shape: y.shape,
            expected: "a target must be one value per sample, [N] or [N, 1]".to_string(),
        });
    }
    let (inputs, samples) = inputs;
    if y.shape[0] != samples {
        return Err(DataError::LengthMismatch {
            inputs: Box::new(inputs.clone()),
            inputs_len: samples,
            target: Box::new(place.clone()),
            target_len: y.shape[0],
        });
    }

    match y.values {
        Values::Int(labels) => {
            for (sample, &label) in labels.iter().enumerate() {
                let reason = if label < 0 {
                    "is negative".to_string()
                } else if label >= MAX_CLASSES as i64 {
                    format!("is {MAX_CLASSES} or more; number the classes from 0")
                } else {
                    continue;
                };
                return Err(DataError::BadLabel {
                    place: at_sample(place, sample as u64),
                    value: label.to_string(),
                    reason,
                });
            }
            let classes = labels.iter().max().map_or(0, |&high| high as usize + 1);
            Ok((Task::classification(task, classes), Tensor::from_slice(&labels)))
        }
        Values::Float32(values) => regression(task, values, place),
        Values::Float64(values) => {
            regression(task, values.into_iter().map(|value| value as f32).collect(), place)
        }
    }
}

/// A regression task from float32 values, refusing a non-finite one.
fn regression(task: &str, values: Vec<f32>, place: &Place) -> Result<(Task, Tensor)> {
    if let Some(index) = values.iter().position(|value| !value.is_finite()) {
        return Err(DataError::NotFinite {
            place: at_sample(place, index as u64),
            value: values[index].to_string(),
        });
    }
    Ok((Task::regression(task), Tensor::from_slice(&values)))
}

/// The names of the arrays in an NPZ archive, in the order they were written (the order of
/// the keywords given to `numpy.savez`), which becomes the order of the tasks.
fn array_names<R: Read + io::Seek>(
    archive: &mut NpzArchive<R>,
    place: &Place,
) -> Result<Vec<String>> {
    let zip = archive.zip_archive();
    let mut names = Vec::new();
    for index in 0..zip.len() {
        let entry = zip.by_index_raw(index).map_err(|error| DataError::Malformed {
            place: place.clone(),
            reason: format!("cannot read entry {index} of the archive: {error}"),
        })?;
        if let Some(name) = npyz::npz::array_name_from_file_name(entry.name()) {
            names.push(name.to_string());
        }
    }
    Ok(names)
}

/// The bytes of one NPZ entry, read no further than the size limit.
fn read_entry<R: Read + io::Seek>(
    archive: &mut NpzArchive<R>,
    path: &Path,
    array: &str,
) -> Result<Vec<u8>> {
    let place = Place::Array { path: path.to_path_buf(), array: array.to_string(), sample: None };
    let malformed = |reason: String| DataError::Malformed { place: place.clone(), reason };

    let entry = archive
        .zip_archive()
        .by_name(&npyz::npz::file_name_from_array_name(array))
        .map_err(|error| malformed(format!("cannot open the entry: {error}")))?;

    // The limit allows the largest array plus the largest header and prefix; one byte more
    // means the entry is over it. The buffer grows with the bytes actually decompressed.
    let limit = MAX_ARRAY_BYTES + MAX_HEADER_BYTES as u64 + 12;
    let mut bytes = Vec::new();
    entry
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| malformed(format!("cannot decompress the entry: {error}")))?;
    if bytes.len() as u64 > limit {
        return Err(malformed(format!("the entry is larger than {MAX_ARRAY_BYTES} bytes")));
    }
    Ok(bytes)
}

/// A whole file's bytes.
fn read_file(path: &Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path)
        .map_err(|source| DataError::Read { path: path.to_path_buf(), source })?;
    if bytes.is_empty() {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
            detail: "the file is empty".to_string(),
        });
    }
    Ok(bytes)
}

/// Runs a reader, turning a panic in the NPY or zip parser into an error naming `place`.
///
/// Nothing is known to panic once `parse_npy` has checked the sizes, but both parsers are
/// third-party code that was not written for hostile input. `AssertUnwindSafe` is sound
/// here because everything the reader touches is created inside it and dropped with it.
fn guarded<T>(place: Place, read: impl FnOnce() -> Result<T>) -> Result<T> {
    panic::catch_unwind(AssertUnwindSafe(read)).unwrap_or_else(|payload| {
        let reason = payload
            .downcast_ref::<&str>()
            .map(|message| message.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_string());
        Err(DataError::Malformed { place, reason: format!("the parser failed: {reason}") })
    })
}

/// How deeply brackets nest in an NPY header's text.
fn nesting(text: &[u8]) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0;
    for byte in text {
        match byte {
            b'(' | b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Whether the shape an NPY header's text can describe has fewer than 2^64 elements.
///
/// npyz multiplies the shape's sizes without checking for overflow, which panics in a build
/// with overflow checks (a shape such as `(4, 2**62)` in any base), before the sizes can be
/// checked here. Every size is a sum or difference of integer literals, neither of which
/// exceeds the product for values of at least 2, so the product of every integer literal in
/// the text (each counted as at least 2) bounds the number of elements. Literals inside strings count too,
/// which only refuses headers of structured dtypes, which the reader refuses anyway; numbers
/// that are not integers count as nothing, as they cannot be a size.
fn numbers_fit(text: &[u8]) -> bool {
    let mut bound = 1u128;
    for token in text.split(|&byte| !(byte.is_ascii_alphanumeric() || byte == b'_')) {
        if let Some(value) = integer_literal(token) {
            bound = bound.saturating_mul(value.max(2));
        }
    }
    bound <= u128::from(u64::MAX)
}

/// The value of a Python integer literal (`12`, `1_000`, `0x1f`, `0o17`, `0b101`), saturated
/// at `u128::MAX`; `None` for a token that is not one. Misplaced underscores are let pass,
/// which can only count more literals, never fewer.
fn integer_literal(token: &[u8]) -> Option<u128> {
    let (radix, digits) = match token {
        [b'0', b'x' | b'X', rest @ ..] => (16, rest),
        [b'0', b'o' | b'O', rest @ ..] => (8, rest),
        [b'0', b'b' | b'B', rest @ ..] => (2, rest),
        [b'0'..=b'9', ..] => (10, token),
        _ => return None,
    };
    let mut value = None;
    for &byte in digits.iter().filter(|&&byte| byte != b'_') {
        let digit = char::from(byte).to_digit(radix)?;
        value = Some(
            value.unwrap_or(0u128).saturating_mul(u128::from(radix)).saturating_add(digit.into()),
        );
    }
    value
}

/// Elements stored first axis fastest (Fortran order), reordered last axis fastest.
fn fortran_to_c<T: Copy>(values: &[T], shape: &[u64]) -> Vec<T> {
    let shape: Vec<usize> = shape.iter().map(|&size| size as usize).collect();

    // Fortran strides: axis k advances by the product of the sizes before it.
    let mut strides = vec![1usize; shape.len()];
    for axis in 1..shape.len() {
        strides[axis] = strides[axis - 1] * shape[axis - 1];
    }

    // Walk the C-order index like an odometer, last axis fastest.
    let mut index = vec![0usize; shape.len()];
    let mut reordered = Vec::with_capacity(values.len());
    for _ in 0..values.len() {
        let offset: usize = index.iter().zip(&strides).map(|(i, stride)| i * stride).sum();
        reordered.push(values[offset]);
        for axis in (0..shape.len()).rev() {
            index[axis] += 1;
            if index[axis] < shape[axis] {
                break;
            }
            index[axis] = 0;
        }
    }
    reordered
}

/// Integers of any width as int64.
fn widen<T: Into<i64>>(values: Vec<T>) -> Vec<i64> {
    values.into_iter().map(Into::into).collect()
}

/// `place` narrowed to one sample of its array.
fn at_sample(place: &Place, sample: u64) -> Place {
    match place {
        Place::Array { path, array, .. } => {
            Place::Array { path: path.clone(), array: array.clone(), sample: Some(sample) }
        }
        other => other.clone(),
    }
}

/// Array names for a message.
fn list(names: &[String]) -> String {
    if names.is_empty() {
        "no arrays".to_string()
    } else {
        names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
    }
}

/// A tensor as the bytes of an NPY file (C order, the machine's byte order).
fn npy_bytes(tensor: &Tensor) -> io::Result<Vec<u8>> {
    let tensor = tensor.to_device(Device::Cpu).contiguous();
    let shape: Vec<u64> = tensor.size().iter().map(|&size| size as u64).collect();
    match tensor.kind() {
        Kind::Float => encode::<f32>(&tensor, &shape),
        Kind::Double => encode::<f64>(&tensor, &shape),
        Kind::Int64 => encode::<i64>(&tensor, &shape),
        Kind::Int => encode::<i32>(&tensor, &shape),
        Kind::Int16 => encode::<i16>(&tensor, &shape),
        Kind::Int8 => encode::<i8>(&tensor, &shape),
        Kind::Uint8 => encode::<u8>(&tensor, &shape),
        Kind::Bool => encode::<bool>(&tensor, &shape),
        kind => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("a {kind:?} tensor has no NumPy dtype here; convert it to float32 or int64"),
        )),
    }
}

/// The NPY bytes of a contiguous CPU tensor whose elements are `T`.
fn encode<T: AutoSerialize + Element + Copy>(
    tensor: &Tensor,
    shape: &[u64],
) -> io::Result<Vec<u8>> {
    let values = Vec::<T>::try_from(&tensor.reshape([-1])).map_err(io::Error::other)?;
    let mut bytes = Vec::new();
    let mut writer =
        npyz::WriteOptions::new().default_dtype().shape(shape).writer(&mut bytes).begin_nd()?;
    writer.extend(values)?;
    writer.finish()?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::rng::{DataRng, Stream};

    fn place() -> Place {
        Place::Array { path: "t.npy".into(), array: "x".to_string(), sample: None }
    }

    #[test]
    fn fortran_order_is_reordered() {
        // [[1, 2, 3], [4, 5, 6]] stored column by column.
        assert_eq!(fortran_to_c(&[1, 4, 2, 5, 3, 6], &[2, 3]), [1, 2, 3, 4, 5, 6]);
        // A [2, 2, 2] array whose value is its C-order index.
        assert_eq!(fortran_to_c(&[0, 4, 2, 6, 1, 5, 3, 7], &[2, 2, 2]), [0, 1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn nesting_counts_the_deepest_bracket() {
        assert_eq!(nesting(b"{'descr': '<f4', 'shape': (2, 3), }"), 2);
        assert_eq!(nesting(&[b'('; 1000]), 1000);
    }

    #[test]
    fn header_length_beyond_the_file_is_refused() {
        let mut bytes = b"\x93NUMPY\x02\x00".to_vec();
        bytes.extend(60_000u32.to_le_bytes());
        bytes.extend(b"{}");
        let message = parse_npy(&bytes, &place()).err().unwrap().to_string();
        assert!(message.contains("ends inside the header"), "{message}");
    }

    #[test]
    fn deeply_nested_headers_are_refused() {
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        let text = "[".repeat(5000);
        bytes.extend((text.len() as u16).to_le_bytes());
        bytes.extend(text.as_bytes());
        let message = parse_npy(&bytes, &place()).err().unwrap().to_string();
        assert!(message.contains("nests brackets too deeply"), "{message}");
    }

    /// The same for whole NPZ archives: the zip layer sees the damage first.
    #[test]
    fn mutated_archives_give_errors_not_panics() {
        let dir = std::env::temp_dir().join(format!("darts-npz-mutations-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("valid.npz");
        let x = Tensor::from_slice(&[1.5f32, -2.0, 3.0, 4.0, 5.0, 6.0]).reshape([3, 2]);
        let y = Tensor::from_slice(&[1i64, 0, 3]);
        write_npz(&path, &[("x", &x), ("y", &y)]).unwrap();
        let valid = std::fs::read(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();

        let mut rng = DataRng::new(12, Stream::Split);
        let path = Path::new("m.npz");
        assert!(read_npz_from(io::Cursor::new(&valid), valid.len() as u64, path).is_ok());
        let mut failures = 0;
        for _ in 0..5000 {
            let mut bytes = valid.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bytes.len());
                bytes[at] = rng.below(256) as u8;
            }
            let cut = if rng.below(4) == 0 { rng.below(bytes.len() + 1) } else { bytes.len() };
            let bytes = &bytes[..cut];
            failures += usize::from(
                read_npz_from(io::Cursor::new(bytes), bytes.len() as u64, path).is_err(),
            );
        }
        assert!(failures > 1000, "most damage is noticed: {failures} of 5000");
    }

    /// Changes random bytes of valid files and parses them without the panic guard: any
    /// panic fails the test. A small, seeded stand-in for the fuzzing the readers will get.
    #[test]
    fn mutated_files_give_errors_not_panics() {
        let mut rng = DataRng::new(11, Stream::Split);
        let tensors = [
            Tensor::from_slice(&[1.5f32, -2.0, 3.0, 4.0, 5.0, 6.0]).reshape([2, 3]),
            Tensor::from_slice(&[1i64, 0, 3]),
            Tensor::from_slice(&[true, false]),
        ];
        for tensor in &tensors {
            let valid = npy_bytes(tensor).unwrap();
            assert!(parse_npy(&valid, &place()).is_ok());
            for _ in 0..3000 {
                let mut bytes = valid.clone();
                for _ in 0..1 + rng.below(4) {
                    let at = rng.below(bytes.len());
                    bytes[at] = rng.below(256) as u8;
                }
                let cut = if rng.below(4) == 0 { rng.below(bytes.len() + 1) } else { bytes.len() };
                let _ = parse_npy(&bytes[..cut], &place());
            }
        }
    }
}
