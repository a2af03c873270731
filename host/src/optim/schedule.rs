//! Learning-rate schedules.

use std::f64::consts::PI;

/// Cosine annealing from `max` to `min` over `epochs`, as `CosineAnnealingLR` stepped once
/// per epoch: `min + (max - min) * (1 + cos(pi * epoch / epochs)) / 2`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CosineSchedule {
    /// The rate at epoch 0.
    pub max: f64,
    /// The rate approached at the last epoch.
    pub min: f64,
    /// The number of epochs of the run.
    pub epochs: usize,
}

impl CosineSchedule {
    /// The learning rate during `epoch` (0-based).
    pub fn at(&self, epoch: usize) -> f64 {
        let progress = epoch as f64 / self.epochs.max(1) as f64;
        self.min + (self.max - self.min) * (1.0 + (PI * progress).cos()) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::CosineSchedule;

    #[test]
    fn starts_at_max_and_falls_to_min() {
        let schedule = CosineSchedule { max: 0.025, min: 0.001, epochs: 50 };
        assert!((schedule.at(0) - 0.025).abs() < 1e-12);
        assert!((schedule.at(25) - 0.013).abs() < 1e-12);
        assert!((schedule.at(50) - 0.001).abs() < 1e-12);
        assert!(schedule.at(10) > schedule.at(11));
    }
}
