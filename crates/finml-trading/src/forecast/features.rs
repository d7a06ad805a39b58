//! Model inputs and targets from bars, with no look-ahead: the features of bar t use bars t−1
//! and t only, and are standardised with statistics of the training bars only.

use serde::{Deserialize, Serialize};

use crate::bars::Bars;

/// Values per bar: log return, range over close, log volume change.
pub const FEATURES: usize = 3;

/// Per bar: ln(Cₜ/Cₜ₋₁), (Hₜ − Lₜ)/Cₜ and ln((Vₜ + 1)/(Vₜ₋₁ + 1)); the "+ 1" keeps a day without
/// trades finite, and data without volume gets 0. Bar 0 has no previous bar, so its return and
/// volume change are 0.
pub fn bar_features(bars: &Bars) -> Vec<[f64; FEATURES]> {
    let returns = log_returns(bars.close());
    let volume_change = |t: usize| match bars.volume() {
        Some(volume) if t > 0 => ((volume[t] + 1.0) / (volume[t - 1] + 1.0)).ln(),
        _ => 0.0,
    };
    (0..bars.len())
        .map(|t| {
            let range = (bars.high()[t] - bars.low()[t]) / bars.close()[t];
            [returns[t], range, volume_change(t)]
        })
        .collect()
}

/// ln(Cₜ/Cₜ₋₁) per bar, 0 on the first.
pub fn log_returns(close: &[f64]) -> Vec<f64> {
    std::iter::once(0.0)
        .chain(close.windows(2).map(|pair| (pair[1] / pair[0]).ln()))
        .collect()
}

/// √Σⱼ₌₁..ₖ rₜ₊ⱼ²: realised volatility of the `horizon` bars after bar t, where they exist.
pub fn future_volatility(returns: &[f64], t: usize, horizon: usize) -> Option<f64> {
    let next = returns.get(t + 1..=t + horizon)?;
    Some(next.iter().map(|r| r * r).sum::<f64>().sqrt())
}

/// √Σⱼ₌₀..ₖ₋₁ rₜ₋ⱼ²: realised volatility of the `horizon` bars up to and including bar t, the
/// naive forecast of the next `horizon` bars' volatility. Needs t ≥ horizon (bar 0 has no return).
pub fn past_volatility(returns: &[f64], t: usize, horizon: usize) -> Option<f64> {
    let first = (t + 1).checked_sub(horizon).filter(|first| *first >= 1)?;
    let past = returns.get(first..=t)?;
    Some(past.iter().map(|r| r * r).sum::<f64>().sqrt())
}

/// Mean and standard deviation of each feature over the training bars.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    pub mean: [f64; FEATURES],
    pub std: [f64; FEATURES],
}

impl Standardizer {
    /// Fitted on bars 1..end (bar 0 has no return); a constant feature gets a deviation of 1 so
    /// that it standardises to 0 rather than to NaN.
    pub fn fit(features: &[[f64; FEATURES]], end: usize) -> Self {
        let rows = &features[1.min(end)..end];
        let count = rows.len().max(1) as f64;
        let mut mean = [0.0; FEATURES];
        let mut std = [0.0; FEATURES];
        for j in 0..FEATURES {
            mean[j] = rows.iter().map(|row| row[j]).sum::<f64>() / count;
            let variance = rows
                .iter()
                .map(|row| (row[j] - mean[j]).powi(2))
                .sum::<f64>()
                / count;
            std[j] = if variance > 0.0 { variance.sqrt() } else { 1.0 };
        }
        Self { mean, std }
    }

    /// The standardised window of `window` bars ending at bar `t`, oldest first, as one flat
    /// row. Needs t + 1 ≥ window.
    pub fn window(&self, features: &[[f64; FEATURES]], t: usize, window: usize) -> Vec<f32> {
        features[t + 1 - window..=t]
            .iter()
            .flat_map(|row| (0..FEATURES).map(|j| ((row[j] - self.mean[j]) / self.std[j]) as f32))
            .collect()
    }
}
