//! The built-in data sets by name, and the default one for each layout.

use darts_plugin_api::Layout;

use super::breast_cancer::breast_cancer;
use super::dataset::Dataset;
use super::digits::digits;
use super::error::{DataError, Result};
use super::motifs::{motifs, MotifsConfig};
use super::uno::{uno, UnoConfig};

/// The names [`builtin`] accepts, in the order listings show them.
const BUILTIN_NAMES: [&str; 4] = ["digits", "breast-cancer", "motifs", "uno"];

/// The names of the built-in data sets: `digits` (image), `breast-cancer` (flat), `motifs`
/// (sequence) and `uno` (flat).
pub fn builtin_names() -> &'static [&'static str] {
    &BUILTIN_NAMES
}

/// The built-in data set `name`, needing no file from the user.
///
/// `digits` and `breast-cancer` are fixed tables compiled into the binary and ignore the
/// seed; `motifs` and `uno` are generated at their default sizes from `seed`, the same on
/// every machine.
pub fn builtin(name: &str, seed: u64) -> Result<Dataset> {
    match name {
        "digits" => digits(),
        "breast-cancer" => breast_cancer(),
        "motifs" => motifs(&MotifsConfig::default(), seed),
        "uno" => uno(&UnoConfig::default(), seed),
        _ => Err(DataError::UnknownBuiltin {
            name: name.to_string(),
            known: BUILTIN_NAMES.join(", "),
        }),
    }
}

/// The built-in data set a search over primitives of `layout` uses when none is given:
/// `digits` for images, `motifs` for sequences, `uno` for flat inputs.
pub fn default_for(layout: Layout) -> &'static str {
    match layout {
        Layout::Image => "digits",
        Layout::Sequence => "motifs",
        Layout::Flat => "uno",
    }
}
