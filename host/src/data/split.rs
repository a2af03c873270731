//! Splitting a data set into training, validation and test sets.
//!
//! DARTS trains the network weights on one part and the architecture (alpha) on another,
//! and the final genotype is judged on a third that neither saw; the split is drawn from a
//! seed so a search can be repeated exactly.

use std::fmt;

use super::dataset::Dataset;
use super::error::{DataError, Result};
use super::rng::{DataRng, Stream};

/// The fractions of the samples that go to each part; they add up to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Splits {
    /// The part that trains the network weights.
    pub train: f64,
    /// The part that trains alpha during the search, and picks the best epoch afterwards.
    pub valid: f64,
    /// The part held out to report the final result.
    pub test: f64,
}

impl Splits {
    /// Fractions for training, validation and test.
    pub fn new(train: f64, valid: f64, test: f64) -> Splits {
        Splits { train, valid, test }
    }

    /// How many of `samples` go to each part, after checking the fractions.
    ///
    /// Training and validation counts are rounded to the nearest sample and the test set
    /// takes the rest, so the three always add up to `samples`.
    fn counts(&self, samples: usize) -> Result<[usize; 3]> {
        let fractions = [self.train, self.valid, self.test];
        let bad = |detail: &str| DataError::BadFractions {
            fractions: self.to_string(),
            detail: detail.to_string(),
        };
        if fractions.iter().any(|fraction| !fraction.is_finite() || *fraction < 0.0) {
            return Err(bad("each must be a number from 0 to 1"));
        }
        if (fractions.iter().sum::<f64>() - 1.0).abs() > 1e-6 {
            return Err(bad("they must add up to 1"));
        }

        // The test count is fixed first, from its own fraction, so that any two splits of a
        // data set with the same seed and test fraction hold out the same examples: a
        // search's test set is the test set of the training run that follows it.
        let test = ((self.test * samples as f64).round() as usize).min(samples);
        let valid = ((self.valid * samples as f64).round() as usize).min(samples - test);
        Ok([samples - test - valid, valid, test])
    }
}

impl fmt::Display for Splits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "train {}, valid {}, test {}", self.train, self.valid, self.test)
    }
}

impl Dataset {
    /// Shuffles the samples with `seed` and cuts them into training, validation and test
    /// sets, in that order.
    ///
    /// The same data set, fractions and seed give the same split on every run and machine
    /// (the shuffle is ChaCha8-based and independent of torch's generator). The three parts
    /// are disjoint and together hold every sample once. A split that would leave a part
    /// empty is refused rather than handed to a search that would divide by zero later.
    pub fn split(&self, fractions: Splits, seed: u64) -> Result<(Dataset, Dataset, Dataset)> {
        let samples = self.len();
        let counts = fractions.counts(samples)?;
        let parts = ["training", "validation", "test"];
        if let Some(empty) = counts.iter().position(|&count| count == 0) {
            return Err(DataError::EmptySplit {
                dataset: self.name.clone(),
                samples,
                part: parts[empty],
                fractions: fractions.to_string(),
            });
        }

        let mut order: Vec<i64> = (0..samples as i64).collect();
        DataRng::new(seed, Stream::Split).shuffle(&mut order);

        let (train, rest) = order.split_at(counts[0]);
        let (valid, test) = rest.split_at(counts[1]);
        Ok((self.subset(train), self.subset(valid), self.subset(test)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_and_round() {
        assert_eq!(Splits::new(0.5, 0.25, 0.25).counts(10).unwrap(), [4, 3, 3]);
        assert_eq!(Splits::new(0.8, 0.1, 0.1).counts(1797).unwrap(), [1437, 180, 180]);
        assert_eq!(Splits::new(1.0, 0.0, 0.0).counts(3).unwrap(), [3, 0, 0]);
    }

    #[test]
    fn the_test_count_depends_on_the_test_fraction_alone() {
        for samples in [10, 569, 1797, 2000, 3000] {
            let search = Splits::new(0.4, 0.4, 0.2).counts(samples).unwrap();
            let training = Splits::new(0.72, 0.08, 0.2).counts(samples).unwrap();
            assert_eq!(search[2], training[2], "{samples} samples");
        }
    }

    #[test]
    fn bad_fractions_are_refused() {
        let message = Splits::new(0.5, 0.5, 0.5).counts(10).unwrap_err().to_string();
        assert!(message.contains("add up to 1"), "{message}");
        let message = Splits::new(1.5, -0.5, 0.0).counts(10).unwrap_err().to_string();
        assert!(message.contains("from 0 to 1"), "{message}");
        assert!(Splits::new(f64::NAN, 0.5, 0.5).counts(10).is_err());
    }
}
