//! The JSON form of a genotype, the one the host writes beside a search's checkpoints.
//!
//! ```json
//! {
//!   "normal": {
//!     "edges": [{ "primitive": "conv2d:sep_conv_3x3", "input": 0 }, ...],
//!     "concat": [2, 3, 4, 5]
//!   },
//!   "reduce": { "edges": [...], "concat": [2, 3, 4, 5] }
//! }
//! ```
//!
//! `reduce` is left out for a genotype without a reduction cell (and read as absent when it
//! is `null`). Unknown keys are refused, so a misspelt key is not silently ignored.

use super::cell::Genotype;
use super::error::{GenotypeError, Result};

impl Genotype {
    /// The genotype as pretty-printed JSON, primitive names exactly as stored.
    pub fn to_json(&self) -> String {
        // Plain structs of strings and integers always serialize; there are no maps with
        // non-string keys and no fallible `Serialize` implementations.
        serde_json::to_string_pretty(self).expect("a genotype always serializes to JSON")
    }

    /// Reads a genotype from JSON and checks it with [`Genotype::validate`].
    ///
    /// A malformed document gives [`GenotypeError::Json`] with serde_json's line and column;
    /// a well-formed but invalid genotype gives [`GenotypeError::Invalid`] with every problem.
    pub fn from_json(text: &str) -> Result<Genotype> {
        let genotype: Genotype = serde_json::from_str(text).map_err(|error| {
            let (line, column) = (error.line(), error.column());

            // serde_json ends its message with the place; it is kept in fields instead.
            let full = error.to_string();
            let suffix = format!(" at line {line} column {column}");
            let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
            GenotypeError::Json { line, column, message }
        })?;
        genotype.validate()?;
        Ok(genotype)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_key_is_refused_with_its_place() {
        let text = "{\n  \"normal\": {\"edges\": [], \"concat\": []},\n  \"reduction\": null\n}";
        let error = Genotype::from_json(text).unwrap_err();
        let GenotypeError::Json { line, message, .. } = &error else {
            panic!("expected a JSON error, got {error:?}");
        };
        assert_eq!(*line, 3);
        assert!(message.contains("unknown field `reduction`"), "{message}");
        assert!(!message.contains(" at line "), "the place is repeated: {message}");
    }
}
