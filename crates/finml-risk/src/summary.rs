//! The summary of a portfolio loss simulation that a report gives: expected loss, VaR and
//! expected shortfall with their standard errors and 95% intervals, and the ASRF quantile, at
//! every confidence level asked for.
//!
//! Fields are declared in the order of their JSON keys, which is byte order: the summary was
//! first written as a JSON map, whose keys serde_json sorts, and its output keeps that order.

use serde::Serialize;

use crate::error::{Result, RiskError};
use crate::portfolio::Portfolio;
use crate::simulation::{LossSample, TailRisk};

/// The normal quantile of the summary's 95% intervals of EL and ES: the rounded 1.96 they have
/// always been reported with, so that reports stay comparable. VaR's distribution-free
/// interval comes from [`TailRisk`].
const Z_95_ROUNDED: f64 = 1.96;

/// VaR, expected shortfall and the ASRF quantile at one confidence level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LevelSummary {
    /// The loss quantile of an infinitely granular portfolio with the same loans.
    #[serde(rename = "ASRF_quantile")]
    pub asrf_quantile: f64,
    #[serde(rename = "ES")]
    pub expected_shortfall: f64,
    #[serde(rename = "ES_CI95")]
    pub expected_shortfall_interval: [f64; 2],
    #[serde(rename = "ES_stderr")]
    pub expected_shortfall_error: f64,
    #[serde(rename = "VaR")]
    pub value_at_risk: f64,
    #[serde(rename = "VaR_CI95")]
    pub value_at_risk_interval: [f64; 2],
    pub confidence: f64,
}

impl LevelSummary {
    fn new(tail: &TailRisk, asrf_quantile: f64) -> Self {
        let shortfall = tail.expected_shortfall;
        let (low, high) = tail.value_at_risk_interval;
        LevelSummary {
            asrf_quantile,
            expected_shortfall: shortfall.value,
            expected_shortfall_interval: interval(shortfall.value, shortfall.standard_error),
            expected_shortfall_error: shortfall.standard_error,
            value_at_risk: tail.value_at_risk,
            value_at_risk_interval: [low, high],
            confidence: tail.confidence,
        }
    }
}

/// A simulated portfolio's losses in currency. The first confidence level is the headline:
/// its figures stand at the top as well as first under `levels`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortfolioSummary {
    #[serde(rename = "ASRF_quantile")]
    pub asrf_quantile: f64,
    /// The Monte-Carlo expected loss.
    #[serde(rename = "EL")]
    pub expected_loss: f64,
    #[serde(rename = "EL_CI95")]
    pub expected_loss_interval: [f64; 2],
    /// Σ PD·LGD·EAD.
    #[serde(rename = "EL_exact")]
    pub exact_expected_loss: f64,
    #[serde(rename = "EL_stderr")]
    pub expected_loss_error: f64,
    #[serde(rename = "ES")]
    pub expected_shortfall: f64,
    #[serde(rename = "ES_CI95")]
    pub expected_shortfall_interval: [f64; 2],
    #[serde(rename = "ES_stderr")]
    pub expected_shortfall_error: f64,
    #[serde(rename = "VaR")]
    pub value_at_risk: f64,
    #[serde(rename = "VaR_CI95")]
    pub value_at_risk_interval: [f64; 2],
    pub confidence: f64,
    pub levels: Vec<LevelSummary>,
    pub loans: usize,
    #[serde(rename = "loss_std")]
    pub loss_standard_deviation: f64,
    pub scenarios: usize,
    /// How long the simulation took, as the caller timed it.
    pub seconds: f64,
    pub seed: u64,
    #[serde(rename = "total_EAD")]
    pub total_exposure: f64,
}

impl PortfolioSummary {
    /// Summarises `losses`, simulated for `portfolio` with `seed` in `seconds`, at each of the
    /// `confidences` (at least one; the first is the headline).
    ///
    /// ```
    /// use finml_risk::portfolio::{Loan, Portfolio};
    /// use finml_risk::simulation::{simulate_losses, SimulationSettings};
    /// use finml_risk::summary::PortfolioSummary;
    ///
    /// let loans = (0..100)
    ///     .map(|i| Loan { id: i.to_string(), pd: 0.02, lgd: 0.45, ead: 1e4, rho: 0.15, grade: None })
    ///     .collect();
    /// let portfolio = Portfolio::new(loans)?;
    /// let settings = SimulationSettings { scenarios: 20_000, seed: 7, threads: Some(2) };
    /// let losses = simulate_losses(&portfolio, &settings)?;
    /// let summary = PortfolioSummary::new(&portfolio, &losses, 7, &[0.999, 0.99], 0.1)?;
    /// assert_eq!(summary.value_at_risk, summary.levels[0].value_at_risk);
    /// assert!(summary.levels[1].value_at_risk <= summary.value_at_risk);
    /// # Ok::<(), finml_risk::RiskError>(())
    /// ```
    pub fn new(
        portfolio: &Portfolio,
        losses: &LossSample,
        seed: u64,
        confidences: &[f64],
        seconds: f64,
    ) -> Result<Self> {
        let levels = confidences
            .iter()
            .map(|&confidence| {
                let tail = losses.tail_risk(confidence)?;
                Ok(LevelSummary::new(
                    &tail,
                    portfolio.asrf_quantile(confidence)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        let Some(&headline) = levels.first() else {
            return Err(RiskError::invalid(
                "confidence levels",
                "none",
                "at least one level, such as 0.999",
            ));
        };
        let expected_loss = losses.expected_loss();
        Ok(PortfolioSummary {
            asrf_quantile: headline.asrf_quantile,
            expected_loss: expected_loss.value,
            expected_loss_interval: interval(expected_loss.value, expected_loss.standard_error),
            exact_expected_loss: portfolio.expected_loss(),
            expected_loss_error: expected_loss.standard_error,
            expected_shortfall: headline.expected_shortfall,
            expected_shortfall_interval: headline.expected_shortfall_interval,
            expected_shortfall_error: headline.expected_shortfall_error,
            value_at_risk: headline.value_at_risk,
            value_at_risk_interval: headline.value_at_risk_interval,
            confidence: headline.confidence,
            levels,
            loans: portfolio.loans().len(),
            loss_standard_deviation: losses.standard_deviation(),
            scenarios: losses.scenarios(),
            seconds,
            seed,
            total_exposure: portfolio.total_exposure(),
        })
    }
}

fn interval(value: f64, standard_error: f64) -> [f64; 2] {
    let margin = Z_95_ROUNDED * standard_error;
    [value - margin, value + margin]
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::portfolio::Loan;
    use crate::simulation::{SimulationSettings, simulate_losses};

    /// The summary as `finml risk portfolio --json` built it by hand before it was typed: the
    /// typed summary must print the same bytes.
    fn untyped_summary(
        portfolio: &Portfolio,
        losses: &LossSample,
        seed: u64,
        confidences: &[f64],
        seconds: f64,
    ) -> Value {
        let level_json = |confidence: f64| {
            let tail = losses.tail_risk(confidence).unwrap();
            let shortfall = tail.expected_shortfall;
            let margin = 1.96 * shortfall.standard_error;
            json!({
                "confidence": tail.confidence,
                "VaR": tail.value_at_risk,
                "VaR_CI95": [tail.value_at_risk_interval.0, tail.value_at_risk_interval.1],
                "ES": shortfall.value,
                "ES_stderr": shortfall.standard_error,
                "ES_CI95": [shortfall.value - margin, shortfall.value + margin],
                "ASRF_quantile": portfolio.asrf_quantile(confidence).unwrap(),
            })
        };
        let expected_loss = losses.expected_loss();
        let margin = 1.96 * expected_loss.standard_error;
        let mut summary = level_json(confidences[0]);
        let extra = json!({
            "loans": portfolio.loans().len(),
            "total_EAD": portfolio.total_exposure(),
            "scenarios": losses.scenarios(),
            "seed": seed,
            "EL_exact": portfolio.expected_loss(),
            "EL": expected_loss.value,
            "EL_stderr": expected_loss.standard_error,
            "EL_CI95": [expected_loss.value - margin, expected_loss.value + margin],
            "loss_std": losses.standard_deviation(),
            "levels": confidences.iter().map(|&c| level_json(c)).collect::<Vec<_>>(),
            "seconds": seconds,
        });
        if let (Value::Object(summary), Value::Object(extra)) = (&mut summary, extra) {
            summary.extend(extra);
        }
        summary
    }

    #[test]
    fn json_is_the_hand_built_summary_byte_for_byte() {
        let loans = (0..300)
            .map(|i| Loan {
                id: i.to_string(),
                pd: 0.005 + 0.0001 * f64::from(i),
                lgd: 0.45,
                ead: 1000.0 + f64::from(i),
                rho: 0.12,
                grade: None,
            })
            .collect();
        let portfolio = Portfolio::new(loans).unwrap();
        let settings = SimulationSettings {
            scenarios: 5_000,
            seed: 3,
            threads: Some(1),
        };
        let losses = simulate_losses(&portfolio, &settings).unwrap();
        let confidences = [0.999, 0.99, 0.95];
        let summary = PortfolioSummary::new(&portfolio, &losses, 3, &confidences, 0.25).unwrap();
        let expected = untyped_summary(&portfolio, &losses, 3, &confidences, 0.25);
        assert_eq!(
            serde_json::to_string_pretty(&summary).unwrap(),
            serde_json::to_string_pretty(&expected).unwrap()
        );
    }

    #[test]
    fn needs_a_confidence_level() {
        let loan = Loan {
            id: "a".to_owned(),
            pd: 0.01,
            lgd: 0.45,
            ead: 1.0,
            rho: 0.12,
            grade: None,
        };
        let portfolio = Portfolio::new(vec![loan]).unwrap();
        let settings = SimulationSettings {
            scenarios: 10,
            seed: 1,
            threads: Some(1),
        };
        let losses = simulate_losses(&portfolio, &settings).unwrap();
        assert_eq!(
            PortfolioSummary::new(&portfolio, &losses, 1, &[], 0.0)
                .unwrap_err()
                .to_string(),
            "confidence levels = none: expected at least one level, such as 0.999"
        );
    }
}
