//! The one-factor Vasicek / asymptotic single risk factor (ASRF) model of an infinitely granular
//! homogeneous portfolio.
//!
//! Each borrower defaults when √ρ·Z + √(1 − ρ)·ε < Φ⁻¹(PD), with Z the systematic factor and ε
//! idiosyncratic. In an infinitely granular portfolio the idiosyncratic part diversifies away and
//! the loss fraction is L(Z) = LGD·Φ((Φ⁻¹(PD) − √ρ·Z) / √(1 − ρ)) (Vasicek, O., "The distribution
//! of loan portfolio value", Risk, December 2002), so that
//!
//! - the q-quantile is LGD·Φ((Φ⁻¹(PD) + √ρ·Φ⁻¹(q)) / √(1 − ρ)) (Gordy, M., "A risk-factor model
//!   foundation for ratings-based bank capital rules", J. Financial Intermediation 12, 2003);
//! - the expected shortfall, the mean loss beyond the q-quantile, is
//!   LGD·Φ₂(Φ⁻¹(PD), −Φ⁻¹(q); √ρ) / (1 − q), with Φ₂ the bivariate normal distribution function:
//!   averaging L(Z) over the worst 1 − q of Z is the probability that a borrower's latent variable
//!   (correlated √ρ with Z) is below Φ⁻¹(PD) while Z is below Φ⁻¹(1 − q).

use serde::Serialize;

use crate::error::{Result, RiskError};
use crate::irb::{check_probability, conditional_default_probability};
use crate::normal;

/// The loss of an ASRF portfolio as fractions of its exposure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AsrfLoss {
    /// Expected loss PD·LGD.
    #[serde(rename = "EL")]
    pub expected_loss: f64,
    /// The loss quantile at the confidence level (the value at risk of the loss).
    #[serde(rename = "quantile")]
    pub quantile: f64,
    /// The mean loss in the worst 1 − q of outcomes.
    #[serde(rename = "ES")]
    pub expected_shortfall: f64,
}

/// EL, loss quantile and expected shortfall of a granular portfolio with default probability
/// `pd` in (0, 1], asset correlation `rho` in [0, 1), loss given default `lgd` in [0, 1] and
/// `confidence` in (0, 1).
///
/// ```
/// let loss = finml_risk::vasicek::asrf_loss(0.01, 0.24, 1.0, 0.999)?;
/// assert!((loss.quantile - 0.17568289253012934).abs() < 1e-14);
/// # Ok::<(), finml_risk::RiskError>(())
/// ```
pub fn asrf_loss(pd: f64, rho: f64, lgd: f64, confidence: f64) -> Result<AsrfLoss> {
    check_probability("PD", pd)?;
    check_correlation(rho)?;
    check_confidence(confidence)?;
    if !(0.0..=1.0).contains(&lgd) {
        return Err(RiskError::invalid("LGD", lgd, "a fraction in [0, 1]"));
    }
    let tail_probability = normal::bivariate_cdf(
        normal::inverse_cdf(pd),
        -normal::inverse_cdf(confidence),
        rho.sqrt(),
    );
    Ok(AsrfLoss {
        expected_loss: pd * lgd,
        quantile: lgd * conditional_default_probability(pd, rho, confidence),
        expected_shortfall: lgd * tail_probability / (1.0 - confidence),
    })
}

/// Checks that an asset correlation lies in [0, 1).
pub(crate) fn check_correlation(rho: f64) -> Result<()> {
    if (0.0..1.0).contains(&rho) {
        Ok(())
    } else {
        Err(RiskError::invalid(
            "rho",
            rho,
            "an asset correlation in [0, 1)",
        ))
    }
}

/// Checks that a confidence level lies in (0, 1).
pub(crate) fn check_confidence(confidence: f64) -> Result<()> {
    if confidence > 0.0 && confidence < 1.0 {
        Ok(())
    } else {
        Err(RiskError::invalid(
            "confidence",
            confidence,
            "a level in (0, 1), such as 0.999",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_correlation_leaves_only_the_expected_loss() {
        let loss = asrf_loss(0.02, 0.0, 0.5, 0.999).unwrap();
        assert!((loss.quantile - 0.01).abs() < 1e-16);
        assert!((loss.expected_shortfall - 0.01).abs() < 1e-15);
    }

    #[test]
    fn certain_default_loses_the_lgd_everywhere() {
        let loss = asrf_loss(1.0, 0.2, 0.4, 0.99).unwrap();
        assert_eq!(loss.quantile, 0.4);
        assert!((loss.expected_shortfall - 0.4).abs() < 1e-15);
    }

    #[test]
    fn expected_shortfall_is_the_mean_of_the_quantiles_beyond() {
        // ES = (1/(1-q)) ∫_q^1 quantile(u) du, by the midpoint rule on u = 1 - (1-q)·t².
        let (pd, rho, lgd, q) = (0.02, 0.15, 0.45, 0.99);
        let steps = 200_000;
        let mut integral = 0.0;
        for step in 0..steps {
            let t = (step as f64 + 0.5) / steps as f64;
            let u = 1.0 - (1.0 - q) * t * t;
            integral += 2.0 * t * asrf_loss(pd, rho, lgd, u).unwrap().quantile / steps as f64;
        }
        let loss = asrf_loss(pd, rho, lgd, q).unwrap();
        assert!(((loss.expected_shortfall - integral) / integral).abs() < 1e-8);
    }

    #[test]
    fn rejects_parameters_outside_their_domain() {
        let message = |result: Result<AsrfLoss>| result.unwrap_err().to_string();
        assert_eq!(
            message(asrf_loss(0.01, 1.0, 0.45, 0.999)),
            "rho = 1: expected an asset correlation in [0, 1)"
        );
        assert_eq!(
            message(asrf_loss(0.01, 0.1, 0.45, 1.0)),
            "confidence = 1: expected a level in (0, 1), such as 0.999"
        );
        assert_eq!(
            message(asrf_loss(0.01, 0.1, -0.5, 0.9)),
            "LGD = -0.5: expected a fraction in [0, 1]"
        );
    }
}
