//! The seeded random numbers behind generated data sets and splits.
//!
//! Everything here is built from ChaCha8's output with integer arithmetic and IEEE additions
//! and multiplications only, which every platform rounds the same way. No `ln`, `cos` or
//! `exp` from the platform's maths library is involved, so a seed gives the same bytes on
//! every machine, not merely similar ones. The global torch generator is never touched: a
//! data set must not change because a model was initialized first.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Independent streams of one seed, so that, say, the split of a data set does not depend
/// on how many numbers its generator drew.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    /// Shuffling a data set into training, validation and test sets.
    Split = 1,
    /// Generating the `motifs` data set.
    Motifs = 2,
    /// Generating the `uno` data set.
    Uno = 3,
}

/// A deterministic random number generator for data.
pub(crate) struct DataRng {
    inner: ChaCha8Rng,
}

impl DataRng {
    /// The generator for `seed` on `stream`.
    pub(crate) fn new(seed: u64, stream: Stream) -> DataRng {
        // The seed goes into the key directly rather than through `seed_from_u64`, so the
        // stream depends on the ChaCha8 algorithm alone and not on rand_core's seed expansion.
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        let mut inner = ChaCha8Rng::from_seed(key);
        inner.set_stream(stream as u64);
        DataRng { inner }
    }

    /// A uniform integer in `0..n`; `n` must be positive.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0, "below(0) has no value to return");
        let n = n as u64;

        // Rejecting the top partial block of the u64 range keeps every value equally likely.
        let zone = u64::MAX - (u64::MAX % n + 1) % n;
        loop {
            let draw = self.inner.next_u64();
            if draw <= zone {
                return (draw % n) as usize;
            }
        }
    }

    /// A uniform float in `[0, 1)` with 53 random bits.
    pub(crate) fn uniform(&mut self) -> f64 {
        (self.inner.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// An approximately standard normal float: the Irwin-Hall sum of twelve uniforms, less 6.
    ///
    /// Its mean is 0, its variance 1 and its tails end at +-6, which is all synthetic data
    /// needs, and unlike Box-Muller it needs no transcendental function (see the module).
    pub(crate) fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.uniform()).sum::<f64>() - 6.0
    }

    /// Shuffles `items` in place (Fisher-Yates).
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for last in (1..items.len()).rev() {
            let other = self.below(last + 1);
            items.swap(last, other);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_numbers_and_streams_differ() {
        let draw = |seed, stream| {
            let mut rng = DataRng::new(seed, stream);
            (0..8).map(|_| rng.below(1000)).collect::<Vec<_>>()
        };
        assert_eq!(draw(7, Stream::Split), draw(7, Stream::Split));
        assert_ne!(draw(7, Stream::Split), draw(8, Stream::Split));
        assert_ne!(draw(7, Stream::Split), draw(7, Stream::Motifs));
    }

    #[test]
    fn below_is_in_range_and_hits_every_value() {
        let mut rng = DataRng::new(0, Stream::Split);
        let mut seen = [0usize; 5];
        for _ in 0..1000 {
            seen[rng.below(5)] += 1;
        }
        // 200 expected per value; 150 is more than six standard deviations below.
        assert!(seen.iter().all(|&count| count > 150), "{seen:?}");
    }

    #[test]
    fn normal_has_mean_zero_and_unit_variance() {
        let mut rng = DataRng::new(3, Stream::Uno);
        let draws: Vec<f64> = (0..20_000).map(|_| rng.normal()).collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let variance = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / draws.len() as f64;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((variance - 1.0).abs() < 0.05, "variance {variance}");
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut rng = DataRng::new(1, Stream::Split);
        let mut items: Vec<usize> = (0..100).collect();
        rng.shuffle(&mut items);
        assert_ne!(items, (0..100).collect::<Vec<_>>());
        items.sort_unstable();
        assert_eq!(items, (0..100).collect::<Vec<_>>());
    }
}
