//! The bodies of the fuzz targets in `fuzz/`: one function per input parser, taking raw bytes.
//!
//! The cargo-fuzz targets call these, and `tests/fuzz_corpus.rs` feeds them every committed
//! seed of `fuzz/corpus/<target>/`, so the stable test suite checks the same calls the fuzzer
//! makes. Each function must return normally for any bytes: a parser may answer with an
//! error, never with a panic. Where a parser accepts an input, the function also takes the
//! path the program takes next (validating, writing the value back out and reading that
//! again), and asserts what must hold there.

use std::io::{Cursor, Write};

use zip::write::FileOptions;
use zip::{CompressionMethod, ZipWriter};

use darts_host::data::{read_csv_bytes, read_inputs_npy_bytes, read_npz_bytes, CsvOptions};
use darts_host::genotype::Genotype;
use darts_host::search::SearchConfig;
use darts_host::train::TrainConfig;

/// The body of a fuzz target: feeds one input to a parser.
pub type Feed = fn(&[u8]);

/// Every target: its name (the folder of its seeds under `fuzz/corpus/`) and its body.
pub const TARGETS: [(&str, Feed); 6] = [
    ("genotype_text", genotype_text),
    ("genotype_json", genotype_json),
    ("config", config),
    ("csv", csv),
    ("npy", npy),
    ("npz", npz),
];

/// The genotype text reader; an accepted genotype must print to text and to JSON that read
/// back to the same genotype.
pub fn genotype_text(data: &[u8]) {
    // Lossy, so that bytes which are not UTF-8 still reach the reader, as replacement
    // characters (multi-byte ones, which test its care for character boundaries).
    let text = String::from_utf8_lossy(data);
    if let Ok(genotype) = Genotype::from_text(&text) {
        round_trip(&genotype);
    }
}

/// The genotype JSON reader, with the round trips of [`genotype_text`].
pub fn genotype_json(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(genotype) = Genotype::from_json(&text) {
        round_trip(&genotype);
    }
}

/// Asserts that a genotype reads back unchanged from both of its written forms.
fn round_trip(genotype: &Genotype) {
    let text = genotype.to_text();
    match Genotype::from_text(&text) {
        Ok(again) => assert_eq!(&again, genotype, "the text {text:?} reads back differently"),
        Err(error) => panic!("the text {text:?} of a valid genotype does not read: {error}"),
    }
    let json = genotype.to_json();
    match Genotype::from_json(&json) {
        Ok(again) => assert_eq!(&again, genotype, "the JSON {json} reads back differently"),
        Err(error) => panic!("the JSON {json} of a valid genotype does not read: {error}"),
    }
}

/// The search and the training config readers, both on the same text (each refuses the
/// other's keys), then, as a run does, validation and writing the config out as TOML, which
/// must read back.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        // `from_file` refuses such a file before the TOML reader sees it.
        return;
    };
    if let Ok(config) = SearchConfig::from_toml(text) {
        let _ = config.validate();
        let written = config.to_toml();
        if let Err(error) = SearchConfig::from_toml(&written) {
            panic!("the written search config {written:?} does not read: {error}");
        }
    }
    if let Ok(config) = TrainConfig::from_toml(text) {
        let _ = config.validate();
        let written = config.to_toml();
        if let Err(error) = TrainConfig::from_toml(&written) {
            panic!("the written train config {written:?} does not read: {error}");
        }
    }
}

/// The CSV reader. The first two bytes choose the options and the rest is the file:
///
/// - byte 0, bits 0 to 5: which of the last six header columns are targets (bit `i` is the
///   `i`-th column from the end); bit 7: also name a target column missing from the header;
/// - byte 1, bits 0 to 5: which of the chosen targets, in order, are class labels; bit 7:
///   also name a class-label column that is not a target.
///
/// Bit 6 of both is ignored, so printable letters serve as the control bytes of a seed: `@`
/// chooses nothing, `A` the first, `B` the second, `C` the first two.
pub fn csv(data: &[u8]) {
    let [target_bits, class_bits, bytes @ ..] = data else {
        return;
    };

    // The header as the reader will probably see it; quoted names are not unquoted, so
    // those simply fail to match, which reaches the missing-column path.
    let first_line = bytes.split(|&byte| byte == b'\n').next().unwrap_or_default();
    let first_line = String::from_utf8_lossy(first_line);
    let header: Vec<&str> =
        first_line.trim_start_matches('\u{feff}').split(',').map(str::trim).collect();

    let mut targets: Vec<String> = (0..6)
        .filter(|bit| target_bits & (1 << bit) != 0)
        .filter_map(|bit| header.len().checked_sub(bit + 1).map(|index| header[index]))
        .map(str::to_string)
        .collect();
    if target_bits & 0x80 != 0 {
        targets.push("no such column".to_string());
    }
    let mut classification: Vec<String> = targets
        .iter()
        .take(6)
        .enumerate()
        .filter(|(bit, _)| class_bits & (1 << bit) != 0)
        .map(|(_, name)| name.clone())
        .collect();
    if class_bits & 0x80 != 0 {
        classification.push("not a target".to_string());
    }

    let _ = read_csv_bytes(bytes, "fuzz.csv", &CsvOptions { targets, classification });
}

/// The NPY reader of a prediction's inputs.
pub fn npy(data: &[u8]) {
    let _ = read_inputs_npy_bytes(data, "fuzz.npy");
}

/// The NPZ reader of a data set, on the bytes as they are or, when they start with the NPY
/// magic string, on an archive made of them.
///
/// A zip archive checks a CRC-32 of every entry, so nearly every mutation of an NPY file
/// inside one is refused before the reader sees the array. Bytes that start with the NPY
/// magic are instead cut before each occurrence of it and stored, with correct checksums, as
/// the entries `x`, `y`, `y_second`, `ignored` and then `y_<n>`: the mutations then reach
/// the checks of the arrays and targets.
pub fn npz(data: &[u8]) {
    if data.starts_with(NPY_MAGIC) {
        let _ = read_npz_bytes(&zip_of_npy_files(data), "fuzz.npz");
    } else {
        let _ = read_npz_bytes(data, "fuzz.npz");
    }
}

/// The first bytes of every NPY file.
const NPY_MAGIC: &[u8] = b"\x93NUMPY";

/// An uncompressed zip archive of `data` cut before each NPY magic string, one entry a part.
fn zip_of_npy_files(data: &[u8]) -> Vec<u8> {
    let mut starts: Vec<usize> =
        (0..data.len()).filter(|&at| data[at..].starts_with(NPY_MAGIC)).collect();
    starts.push(data.len());
    let names = ["x", "y", "y_second", "ignored"];

    let stored = FileOptions::default().compression_method(CompressionMethod::Stored);
    let mut archive = ZipWriter::new(Cursor::new(Vec::new()));
    for (index, part) in starts.windows(2).map(|pair| &data[pair[0]..pair[1]]).enumerate() {
        let name = match names.get(index) {
            Some(name) => format!("{name}.npy"),
            None => format!("y_{index}.npy"),
        };
        archive.start_file(name, stored).expect("an entry starts in memory");
        archive.write_all(part).expect("an entry writes to memory");
    }
    archive.finish().expect("an archive finishes in memory").into_inner()
}
