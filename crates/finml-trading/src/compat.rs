//! Arithmetic done in the same order as CPython, numpy and pandas, so that results agree
//! with backtesting.py bit for bit rather than merely closely. Floating-point addition is not
//! associative: a plain left-to-right sum differs from numpy's in the last bits, and such
//! differences can flip a position size or a crossover.

/// CPython's `a // b` for floats, which is not always `(a / b).floor()`: it divides the
/// exact multiple `a - fmod(a, b)` and snaps the quotient to the nearest integer.
pub(crate) fn python_floor_div(a: f64, b: f64) -> f64 {
    let remainder = a % b;
    let mut quotient = (a - remainder) / b;
    // The remainder must take the divisor's sign.
    if remainder != 0.0 && (b < 0.0) != (remainder < 0.0) {
        quotient -= 1.0;
    }
    if quotient == 0.0 {
        return 0.0_f64.copysign(a / b);
    }
    let floored = quotient.floor();
    if quotient - floored > 0.5 {
        floored + 1.0
    } else {
        floored
    }
}

/// `np.sum` of float64 values: pairwise summation in blocks of 128 with eight accumulators.
pub(crate) fn numpy_sum(values: &[f64]) -> f64 {
    0.0 + pairwise_sum(values)
}

fn pairwise_sum(values: &[f64]) -> f64 {
    const BLOCK: usize = 128;
    let n = values.len();
    if n < 8 {
        return values.iter().fold(-0.0, |sum, value| sum + value);
    }
    if n <= BLOCK {
        let mut accumulators = [0.0; 8];
        accumulators.copy_from_slice(&values[..8]);
        let whole = n - n % 8;
        for chunk in values[8..whole].chunks_exact(8) {
            for (accumulator, value) in accumulators.iter_mut().zip(chunk) {
                *accumulator += value;
            }
        }
        let [a, b, c, d, e, f, g, h] = accumulators;
        let block = ((a + b) + (c + d)) + ((e + f) + (g + h));
        return values[whole..].iter().fold(block, |sum, value| sum + value);
    }
    let half = n / 2;
    let split = half - half % 8;
    pairwise_sum(&values[..split]) + pairwise_sum(&values[split..])
}

/// pandas' `Series.mean()` over values where NaN marks a missing entry: missing entries are
/// summed as zeros (which changes numpy's pairing) and left out of the count.
pub(crate) fn pandas_nan_mean(values: &[f64]) -> f64 {
    let present = values.iter().filter(|value| !value.is_nan()).count();
    if present == 0 {
        return f64::NAN;
    }
    let zero_filled: Vec<f64> = values
        .iter()
        .map(|value| if value.is_nan() { 0.0 } else { *value })
        .collect();
    numpy_sum(&zero_filled) / present as f64
}

/// pandas' `Series.mean()` of values with nothing missing (NaN for none).
pub(crate) fn pandas_mean(values: &[f64]) -> f64 {
    numpy_sum(values) / values.len() as f64
}

/// pandas' `Series.var(ddof)`: the two-pass formula with numpy sums.
pub(crate) fn pandas_var(values: &[f64], ddof: usize) -> f64 {
    if values.len() <= ddof {
        return f64::NAN;
    }
    let mean = pandas_mean(values);
    let squares: Vec<f64> = values
        .iter()
        .map(|value| (mean - value) * (mean - value))
        .collect();
    numpy_sum(&squares) / (values.len() - ddof) as f64
}

/// pandas' `Series.rolling(window).mean()`: a running Kahan-compensated sum, with the
/// window's mean replaced by the repeated value when the whole window holds one value.
pub(crate) fn pandas_rolling_mean(values: &[f64], window: usize) -> Vec<f64> {
    let mut window_sum = RollingSum::default();
    let mut means = Vec::with_capacity(values.len());
    for (index, value) in values.iter().enumerate() {
        if index >= window {
            window_sum.remove(values[index - window]);
        }
        window_sum.add(*value);
        means.push(window_sum.mean(window));
    }
    means
}

/// The state of pandas' `roll_mean` over a fixed window.
#[derive(Default)]
struct RollingSum {
    count: usize,
    negatives: usize,
    sum: f64,
    add_compensation: f64,
    remove_compensation: f64,
    same_value_run: usize,
    last_value: Option<f64>,
}

impl RollingSum {
    fn add(&mut self, value: f64) {
        if value.is_nan() {
            return;
        }
        self.count += 1;
        let adjusted = value - self.add_compensation;
        let total = self.sum + adjusted;
        self.add_compensation = total - self.sum - adjusted;
        self.sum = total;
        if value.is_sign_negative() {
            self.negatives += 1;
        }
        // pandas starts the run at the window's first value, so a repeat of it counts.
        let previous = *self.last_value.get_or_insert(value);
        self.same_value_run = if value == previous {
            self.same_value_run + 1
        } else {
            1
        };
        self.last_value = Some(value);
    }

    fn remove(&mut self, value: f64) {
        if value.is_nan() {
            return;
        }
        self.count -= 1;
        let adjusted = -value - self.remove_compensation;
        let total = self.sum + adjusted;
        self.remove_compensation = total - self.sum - adjusted;
        self.sum = total;
        if value.is_sign_negative() {
            self.negatives -= 1;
        }
    }

    fn mean(&self, min_count: usize) -> f64 {
        if self.count < min_count || self.count == 0 {
            return f64::NAN;
        }
        let mean = self.sum / self.count as f64;
        match self.last_value {
            Some(value) if self.same_value_run >= self.count => value,
            _ if self.negatives == 0 && mean < 0.0 => 0.0,
            _ if self.negatives == self.count && mean > 0.0 => 0.0,
            _ => mean,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_division_matches_python() {
        // Values checked in CPython 3.11.
        assert_eq!(python_floor_div(7.0, 2.0), 3.0);
        assert_eq!(python_floor_div(-7.0, 2.0), -4.0);
        assert_eq!(python_floor_div(1.0, 0.1), 9.0);
        assert_eq!(python_floor_div(0.0, 3.0), 0.0);
        assert_eq!(python_floor_div(9999.999999999998, 169.35804), 59.0);
    }

    #[test]
    fn pairwise_sum_differs_from_a_left_fold_as_numpy_does() {
        let values: Vec<f64> = (0..300).map(|index| 0.1 * index as f64 + 1e-3).collect();
        let left_fold: f64 = values.iter().sum();
        let pairwise = numpy_sum(&values);
        // np.sum(0.1 * np.arange(300) + 1e-3) and Python's sum() of the same values.
        assert_eq!(pairwise, 4485.3);
        assert_eq!(left_fold, 4485.300000000003);
    }

    #[test]
    fn rolling_mean_warms_up_with_nan_and_keeps_constant_windows_exact() {
        let means = pandas_rolling_mean(&[1.0, 2.0, 3.0, 0.1, 0.1, 0.1], 3);
        assert!(means[..2].iter().all(|mean| mean.is_nan()));
        assert_eq!(means[2], 2.0);
        assert_eq!(means[5], 0.1);
    }
}
