//! The built-in `motifs` data set: a generated sequence task with two output heads.
//!
//! In the spirit of CANDLE's P3B5 benchmark, which classifies pathology-report text with
//! several heads, each sample is a sequence of symbols from a small vocabulary, one-hot
//! encoded as channels. Short patterns, motifs, are planted at random positions in uniform
//! random background:
//!
//! - task `motif` (4 classes): which of four class motifs is planted. All four are
//!   arrangements of the same symbols 0-3, so the symbol counts say nothing about the class;
//!   only their order does, which a 1-D convolution sees and a linear model on counts does
//!   not.
//! - task `count` (2 classes): whether the marker motif `4 5 6 7` occurs once (class 0) or
//!   twice (class 1). When it occurs once, a decoy made of the same four symbols in another
//!   order takes the second place, so again the counts are the same for both classes.
//!
//! The background is redrawn until the sequence holds exactly the planted occurrences of
//! every pattern, so the labels are never wrong. Everything follows from the seed.

use darts_plugin_api::Layout;
use tch::Tensor;

use super::dataset::{Dataset, Task};
use super::error::{DataError, Result};
use super::rng::{DataRng, Stream};

/// Symbols in the vocabulary, the channels of the one-hot input.
pub const MOTIFS_VOCABULARY: usize = 8;

/// The four class motifs of task `motif`: the symbols 0-3 in four orders that share no two
/// adjacent symbols, so each is told apart by any pair of neighbours.
const CLASS_MOTIFS: [[u8; 4]; 4] = [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]];

/// The marker motif that task `count` counts.
const MARKER: [u8; 4] = [4, 5, 6, 7];

/// The marker's symbols in another order, filling the marker's second place when it occurs
/// once.
const DECOY: [u8; 4] = [5, 7, 4, 6];

/// Symbols per motif.
const MOTIF_LENGTH: usize = 4;

/// How many samples and how long: the size of the generated data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MotifsConfig {
    /// Sequences to generate.
    pub samples: usize,
    /// Symbols per sequence; at least 16, so the three planted motifs leave room for
    /// background.
    pub length: usize,
}

impl Default for MotifsConfig {
    fn default() -> Self {
        MotifsConfig { samples: 2000, length: 32 }
    }
}

/// The `motifs` data set: inputs `[samples, 8, length]` (one-hot symbols), tasks `motif`
/// (4 classes) and `count` (2 classes).
pub fn motifs(config: &MotifsConfig, seed: u64) -> Result<Dataset> {
    if config.samples == 0 || config.length < 16 {
        return Err(DataError::Invalid {
            dataset: "motifs".to_string(),
            reason: format!("{config:?} asks for no samples or sequences shorter than 16 symbols"),
        });
    }

    let mut rng = DataRng::new(seed, Stream::Motifs);
    let mut symbols = Vec::with_capacity(config.samples * config.length);
    let mut motif_labels = Vec::with_capacity(config.samples);
    let mut count_labels = Vec::with_capacity(config.samples);
    for _ in 0..config.samples {
        let motif = rng.below(CLASS_MOTIFS.len());
        let twice = rng.below(2) == 1;
        symbols.extend(sequence(&mut rng, config.length, motif, twice));
        motif_labels.push(motif as i64);
        count_labels.push(i64::from(twice));
    }

    // One-hot: [samples, length] symbols -> [samples, length, 8] -> [samples, 8, length].
    let symbols =
        Tensor::from_slice(&symbols).reshape([config.samples as i64, config.length as i64]);
    let inputs = symbols
        .to_kind(tch::Kind::Int64)
        .one_hot(MOTIFS_VOCABULARY as i64)
        .permute([0, 2, 1])
        .to_kind(tch::Kind::Float)
        .contiguous();

    Dataset::new(
        "motifs",
        Layout::Sequence,
        inputs,
        vec![Task::classification("motif", CLASS_MOTIFS.len()), Task::classification("count", 2)],
        vec![Tensor::from_slice(&motif_labels), Tensor::from_slice(&count_labels)],
    )
}

/// One sequence of `length` symbols with the class motif `motif`, the marker, and the marker
/// again or the decoy, at random non-overlapping places.
fn sequence(rng: &mut DataRng, length: usize, motif: usize, twice: bool) -> Vec<u8> {
    let mut planted = [CLASS_MOTIFS[motif], MARKER, if twice { MARKER } else { DECOY }];
    rng.shuffle(&mut planted);

    let free = length - planted.len() * MOTIF_LENGTH;
    loop {
        // Three cut points in the free space, sorted, give the gaps before each motif.
        let mut cuts = [rng.below(free + 1), rng.below(free + 1), rng.below(free + 1)];
        cuts.sort_unstable();
        let starts = cuts.iter().enumerate().map(|(index, cut)| cut + index * MOTIF_LENGTH);

        let mut symbols: Vec<u8> =
            (0..length).map(|_| rng.below(MOTIFS_VOCABULARY) as u8).collect();
        for (start, pattern) in starts.zip(&planted) {
            symbols[start..start + MOTIF_LENGTH].copy_from_slice(pattern);
        }

        // The background may form a pattern by chance, alone or across a motif's edge; then
        // both are drawn again, so no arrangement can make the loop endless.
        let classes_clean = CLASS_MOTIFS
            .iter()
            .enumerate()
            .all(|(class, pattern)| occurrences(&symbols, pattern) == usize::from(class == motif));
        let marker_clean = occurrences(&symbols, &MARKER) == 1 + usize::from(twice);
        let decoy_clean = occurrences(&symbols, &DECOY) == usize::from(!twice);
        if classes_clean && marker_clean && decoy_clean {
            return symbols;
        }
    }
}

/// How many times `pattern` occurs in `symbols`.
fn occurrences(symbols: &[u8], pattern: &[u8; MOTIF_LENGTH]) -> usize {
    symbols.windows(MOTIF_LENGTH).filter(|window| window == pattern).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_motifs_have_the_same_symbols_and_no_shared_neighbours() {
        let mut pairs = std::collections::HashSet::new();
        for motif in CLASS_MOTIFS {
            let mut sorted = motif;
            sorted.sort_unstable();
            assert_eq!(sorted, [0, 1, 2, 3]);
            for pair in motif.windows(2) {
                assert!(pairs.insert(pair.to_vec()), "neighbours {pair:?} repeat");
            }
        }
        let (mut marker, mut decoy) = (MARKER, DECOY);
        marker.sort_unstable();
        decoy.sort_unstable();
        assert_eq!(marker, decoy);
    }

    #[test]
    fn every_sequence_holds_exactly_its_planted_motifs() {
        let mut rng = DataRng::new(5, Stream::Motifs);
        for round in 0..200 {
            let (motif, twice) = (round % 4, round % 3 == 0);
            let symbols = sequence(&mut rng, 16, motif, twice);
            assert_eq!(symbols.len(), 16);
            assert_eq!(occurrences(&symbols, &CLASS_MOTIFS[motif]), 1);
            assert_eq!(occurrences(&symbols, &MARKER), 1 + usize::from(twice));
            assert_eq!(occurrences(&symbols, &DECOY), usize::from(!twice));
        }
    }
}
