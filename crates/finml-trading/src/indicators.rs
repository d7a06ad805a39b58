//! Indicators computed once over the whole series, as backtesting.py's `Strategy.I` does.
//! Each value at bar i uses only bars up to i.

use crate::compat::pandas_rolling_mean;

/// Simple moving average of `period` bars, NaN until `period` values are in the window
/// (pandas `rolling(period).mean()`, bit for bit).
pub fn sma(values: &[f64], period: usize) -> Vec<f64> {
    pandas_rolling_mean(values, period)
}

/// Whether `a` crossed above `b` at bar `bar`: `a` was strictly below `b` on the previous bar
/// and is strictly above it now (backtesting.py's `crossover`; NaN never crosses).
pub fn crossed_above(a: &[f64], b: &[f64], bar: usize) -> bool {
    bar >= 1 && a[bar - 1] < b[bar - 1] && a[bar] > b[bar]
}

/// The warm-up an indicator imposes: the index of its first defined value. As in
/// backtesting.py (numpy's `argmin` of `isnan`), an indicator that is never defined gives 0.
pub fn warmup(indicator: &[f64]) -> usize {
    indicator
        .iter()
        .position(|value| !value.is_nan())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_needs_strict_inequalities_on_both_bars() {
        let rising = [1.0, 2.0, 3.0];
        let flat = [2.0, 2.0, 2.0];
        assert!(
            !crossed_above(&rising, &flat, 1),
            "touching is not crossing"
        );
        assert!(
            !crossed_above(&rising, &flat, 2),
            "it was not strictly below on bar 1"
        );
        assert!(crossed_above(&[1.0, 3.0], &flat, 1));
        assert!(!crossed_above(&[f64::NAN, 3.0], &flat, 1));
        assert!(
            !crossed_above(&rising, &flat, 0),
            "bar 0 has no previous bar"
        );
    }

    #[test]
    fn warmup_is_the_first_defined_bar() {
        assert_eq!(warmup(&sma(&[1.0, 2.0, 3.0, 4.0], 3)), 2);
        assert_eq!(warmup(&sma(&[1.0, 2.0], 3)), 0);
    }
}
