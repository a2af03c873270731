//! Axis scales: the data range rounded out to "nice" ticks, and the tick labels.
//!
//! A linear scale steps by 1, 2 or 5 times a power of ten and starts and ends on a tick; a
//! logarithmic scale ticks every power of ten (with 2 and 5 times each power in between when
//! the data span few decades).

/// A scale along one axis: where values lie between its ends, and the ticks to draw.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scale {
    /// The value at the start of the axis (the left or bottom end).
    lo: f64,
    /// The value at the end of the axis (the right or top end).
    hi: f64,
    /// Whether positions follow the logarithm of the value.
    log: bool,
    /// The values to tick, ascending, all in `[lo, hi]`.
    ticks: Vec<f64>,
    /// The linear tick step, which sets how many decimals a label needs; 0 on a log scale.
    step: f64,
}

/// How many ticks a linear scale aims for; the nice step gives between about 3 and 9.
const TARGET_TICKS: f64 = 6.0;

impl Scale {
    /// A linear scale covering `min..=max` (finite, `min <= max`) with nice ticks. A range of
    /// one value is widened around it, so that the value sits in the middle of the axis.
    pub(crate) fn linear(min: f64, max: f64) -> Scale {
        let (min, max) = widen(min, max);
        let step = nice_step(max / TARGET_TICKS - min / TARGET_TICKS);
        let lo = (min / step).floor() * step;
        let hi = (max / step).ceil() * step;
        let count = ((hi - lo) / step).round();
        if !(lo.is_finite() && hi.is_finite() && step > 0.0 && (1.0..=100.0).contains(&count)) {
            // Too wide for nice ticks (near the limits of f64): tick the ends only.
            return Scale { lo: min, hi: max, log: false, ticks: vec![min, max], step: max - min };
        }
        let ticks = (0..=count as usize)
            .map(|i| {
                let value = lo + i as f64 * step;
                // Sums of steps land a rounding error off zero; make that tick read "0".
                if value.abs() < step * 1e-9 {
                    0.0
                } else {
                    value
                }
            })
            .collect();
        Scale { lo, hi, log: false, ticks, step }
    }

    /// A linear scale fixed to `lo..=hi` (finite, `lo < hi`) with the given ticks, for axes
    /// whose range is known in advance (weights in `[0, 1]`).
    pub(crate) fn fixed(lo: f64, hi: f64, ticks: &[f64]) -> Scale {
        let step = if ticks.len() > 1 { ticks[1] - ticks[0] } else { hi - lo };
        Scale { lo, hi, log: false, ticks: ticks.to_vec(), step }
    }

    /// A logarithmic scale covering `min..=max` (finite, `0 < min <= max`), from the power of
    /// ten at or below `min` to the one above `max`.
    pub(crate) fn log(min: f64, max: f64) -> Scale {
        let lo_exp = min.log10().floor();
        let mut hi_exp = max.log10().ceil();
        if hi_exp <= lo_exp {
            hi_exp = lo_exp + 1.0;
        }
        let decades = hi_exp - lo_exp;
        let every = (decades / 8.0).ceil().max(1.0);
        let mut ticks = Vec::new();
        let mut exp = lo_exp;
        while exp <= hi_exp {
            let power = 10f64.powf(exp);
            ticks.push(power);
            if decades <= 2.0 && exp < hi_exp {
                ticks.extend([2.0 * power, 5.0 * power]);
            }
            exp += every;
        }
        Scale { lo: 10f64.powf(lo_exp), hi: 10f64.powf(hi_exp), log: true, ticks, step: 0.0 }
    }

    /// Where `value` lies along the axis: 0 at the start, 1 at the end.
    pub(crate) fn fraction(&self, value: f64) -> f64 {
        if self.log {
            (value.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            // Halved, so that a range near the limits of f64 does not overflow.
            (value / 2.0 - self.lo / 2.0) / (self.hi / 2.0 - self.lo / 2.0)
        }
    }

    /// The values to tick, ascending.
    pub(crate) fn ticks(&self) -> &[f64] {
        &self.ticks
    }

    /// The label of tick `value`: as many decimals as the step needs, or scientific notation
    /// for very large or very small values.
    pub(crate) fn label(&self, value: f64) -> String {
        if self.log {
            return log_label(value);
        }
        let largest = self.lo.abs().max(self.hi.abs());
        if largest >= 1e6 || (self.step < 1e-4 && largest > 0.0) {
            let digits = (largest.log10().floor() - self.step.log10().floor()).clamp(0.0, 10.0);
            return format!("{:.*e}", digits as usize, value);
        }
        let decimals = (-self.step.log10().floor()).clamp(0.0, 10.0);
        // A step of 2.5 or 0.25 never happens (steps are 1, 2 or 5 times a power of ten), so
        // the step's own order of magnitude gives enough decimals.
        format!("{:.*}", decimals as usize, value)
    }
}

/// `min..=max` widened when it holds one value, so that a scale has room around it.
fn widen(min: f64, max: f64) -> (f64, f64) {
    if max > min {
        (min, max)
    } else if min == 0.0 {
        (-1.0, 1.0)
    } else {
        let margin = min.abs() * 0.1;
        if (min + margin).is_finite() {
            (min - margin, max + margin)
        } else {
            (min - 2.0 * margin, max)
        }
    }
}

/// The nice step (1, 2 or 5 times a power of ten) nearest above `rough`.
fn nice_step(rough: f64) -> f64 {
    let magnitude = 10f64.powf(rough.log10().floor());
    let residual = rough / magnitude;
    let nice = if residual <= 1.0 {
        1.0
    } else if residual <= 2.0 {
        2.0
    } else if residual <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// The label of a log-scale tick: plain decimals between 0.001 and 100 000, scientific
/// notation outside.
fn log_label(value: f64) -> String {
    let exp = value.log10().floor();
    if (-3.0..=5.0).contains(&exp) {
        format!("{:.*}", (-exp).max(0.0) as usize, value)
    } else {
        let mantissa = (value / 10f64.powf(exp)).round();
        format!("{mantissa}e{exp}")
    }
}

#[cfg(test)]
mod tests {
    use super::Scale;

    #[test]
    fn linear_ticks_are_nice_and_cover_the_data() {
        let scale = Scale::linear(0.13, 2.71);
        assert_eq!(scale.ticks(), &[0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]);
        assert_eq!(scale.label(0.5), "0.5");
        assert_eq!(scale.fraction(0.0), 0.0);
        assert_eq!(scale.fraction(3.0), 1.0);
    }

    #[test]
    fn linear_labels_lose_rounding_noise() {
        let scale = Scale::linear(0.0, 0.7);
        let labels: Vec<_> = scale.ticks().iter().map(|&t| scale.label(t)).collect();
        assert_eq!(labels, ["0.0", "0.2", "0.4", "0.6", "0.8"]);
    }

    #[test]
    fn one_value_is_widened_around_it() {
        let scale = Scale::linear(5.0, 5.0);
        assert!(scale.fraction(5.0) > 0.0 && scale.fraction(5.0) < 1.0);
        let zero = Scale::linear(0.0, 0.0);
        assert_eq!(zero.fraction(0.0), 0.5);
    }

    #[test]
    fn huge_values_get_scientific_labels() {
        let scale = Scale::linear(0.0, 3e7);
        assert_eq!(scale.label(1e7), "1.0e7");
        let tiny = Scale::linear(0.0, 3e-6);
        assert_eq!(tiny.label(1e-6), "1.0e-6");
    }

    #[test]
    fn log_ticks_are_powers_of_ten() {
        let scale = Scale::log(0.003, 40.0);
        assert_eq!(scale.ticks(), &[0.001, 0.01, 0.1, 1.0, 10.0, 100.0]);
        assert_eq!(scale.label(0.001), "0.001");
        assert_eq!(scale.label(100.0), "100");
        assert!((scale.fraction(1.0) - 0.6).abs() < 1e-12);
        let narrow = Scale::log(0.3, 0.8);
        assert_eq!(narrow.ticks(), &[0.1, 0.2, 0.5, 1.0]);
        assert_eq!(Scale::log(1e-8, 1e-7).label(1e-8), "1e-8");
    }

    #[test]
    fn extreme_range_falls_back_to_its_ends() {
        let scale = Scale::linear(-1e308, 1e308);
        assert_eq!(scale.ticks().len(), 2);
        assert!((scale.fraction(0.0) - 0.5).abs() < 1e-9);
        let top = Scale::linear(f64::MAX, f64::MAX);
        assert!(top.ticks().iter().all(|t| t.is_finite()));
        assert!((0.0..=1.0).contains(&top.fraction(f64::MAX)));
    }
}
