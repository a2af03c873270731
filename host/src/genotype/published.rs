//! Genotypes published by the DARTS authors, from their `genotypes.py`.
//!
//! The genotypes are kept as the authors' text and read with [`Genotype::from_text`], so the
//! constants here are byte for byte what the paper's code holds and every use exercises the
//! reader. Primitive names are bare names of the `conv2d` plugin; qualify them with
//! [`Genotype::try_map_primitives`] when the caller works with qualified names.

use super::cell::Genotype;

/// DARTS (first order) on CIFAR-10, as the authors' `genotypes.py` writes it.
pub const DARTS_V1_TEXT: &str = "DARTS_V1 = Genotype(normal=[('sep_conv_3x3', 1), \
('sep_conv_3x3', 0), ('skip_connect', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), \
('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 2)], normal_concat=[2, 3, 4, 5], \
reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), \
('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)], \
reduce_concat=[2, 3, 4, 5])";

/// DARTS (second order) on CIFAR-10, the paper's main result, as `genotypes.py` writes it.
pub const DARTS_V2_TEXT: &str = "DARTS_V2 = Genotype(normal=[('sep_conv_3x3', 0), \
('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), \
('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], \
reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), \
('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], \
reduce_concat=[2, 3, 4, 5])";

/// The names [`by_name`] knows; `DARTS` is the authors' alias for `DARTS_V2`.
pub const NAMES: [&str; 3] = ["DARTS_V1", "DARTS_V2", "DARTS"];

/// The cells DARTS found with the first-order architecture gradient.
pub fn darts_v1() -> Genotype {
    read(DARTS_V1_TEXT)
}

/// The cells DARTS found with the second-order (unrolled) architecture gradient.
pub fn darts_v2() -> Genotype {
    read(DARTS_V2_TEXT)
}

/// A published genotype by its name in `genotypes.py` (see [`NAMES`]), or `None`.
pub fn by_name(name: &str) -> Option<Genotype> {
    match name {
        "DARTS_V1" => Some(darts_v1()),
        "DARTS_V2" | "DARTS" => Some(darts_v2()),
        _ => None,
    }
}

/// Reads one of the constant texts above, which the tests below show to be valid.
fn read(text: &str) -> Genotype {
    Genotype::from_text(text).expect("a published genotype text reads and is valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_published_name_reads_to_a_valid_genotype() {
        for name in NAMES {
            let genotype = by_name(name).expect("a listed name");
            assert_eq!(genotype.validate(), Ok(()), "{name}");
            assert!(genotype.reduce.is_some(), "{name}");
        }
        assert_eq!(by_name("DARTS"), Some(darts_v2()));
        assert_eq!(by_name("darts_v2"), None);
    }
}
