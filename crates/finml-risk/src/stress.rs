//! Stress tests: the portfolio with its PDs scaled or shifted, for all loans or by grade, and the
//! change in expected loss, capital and tail risk.
//!
//! The stressed PD of a loan is min(1, PD·m·m_grade + s), with m the multiplier for all loans,
//! m_grade the multiplier of its grade (1 when none is given) and s the shift. Correlations are
//! kept as given. Base and stressed simulations use the same seed, hence the same systematic
//! factors, so that the change in VaR reflects the stress rather than Monte-Carlo noise.

use serde::Serialize;

use crate::error::{Result, RiskError};
use crate::irb::REGULATORY_CONFIDENCE;
use crate::portfolio::{Loan, Portfolio, accurate_sum};
use crate::simulation::{SimulationSettings, simulate_losses};

/// How PDs are stressed.
#[derive(Debug, Clone, PartialEq)]
pub struct PdStress {
    /// Factor applied to every PD.
    pub multiplier: f64,
    /// Amount added to every PD after the multipliers (absolute, e.g. 0.005 for +50 bp).
    pub shift: f64,
    /// Extra factors for the loans of a grade.
    pub grade_multipliers: Vec<(String, f64)>,
}

impl Default for PdStress {
    fn default() -> Self {
        PdStress {
            multiplier: 1.0,
            shift: 0.0,
            grade_multipliers: Vec::new(),
        }
    }
}

impl PdStress {
    /// The stressed portfolio. Fails on a negative or non-finite factor, on a grade no loan
    /// has, and on a shift that takes a PD to zero or below.
    pub fn apply(&self, portfolio: &Portfolio) -> Result<Portfolio> {
        check_factor("PD multiplier", self.multiplier)?;
        if !self.shift.is_finite() {
            return Err(RiskError::invalid(
                "PD shift",
                self.shift,
                "a finite change of PD",
            ));
        }
        for (grade, factor) in &self.grade_multipliers {
            check_factor(&format!("PD multiplier of grade {grade}"), *factor)?;
            check_grade_exists(portfolio, grade)?;
        }
        portfolio.with_pds(|loan| self.stressed_pd(loan))
    }

    fn stressed_pd(&self, loan: &Loan) -> f64 {
        let grade_factor = self
            .grade_multipliers
            .iter()
            .find(|(grade, _)| loan.grade.as_deref() == Some(grade.as_str()))
            .map_or(1.0, |(_, factor)| *factor);
        (loan.pd * self.multiplier * grade_factor + self.shift).min(1.0)
    }
}

/// Grades the loans by a master scale of PD boundaries b₁ < … < bₙ in (0, 1): grade k (from
/// 1) holds the PDs in (bₖ₋₁, bₖ], grade n + 1 those above bₙ. Banks stress by the grades of
/// their master scale, and most loan files carry only a PD. A file's own grades take
/// precedence over a scale, so giving both is refused.
///
/// ```
/// use finml_risk::portfolio::{Loan, Portfolio};
/// use finml_risk::stress::grade_by_master_scale;
///
/// let loan = |id: &str, pd: f64| Loan {
///     id: id.into(), pd, lgd: 0.45, ead: 100.0, rho: 0.12, grade: None,
/// };
/// let book = Portfolio::new(vec![loan("a", 0.002), loan("b", 0.01), loan("c", 0.2)])?;
/// let graded = grade_by_master_scale(&book, &[0.005, 0.01, 0.05])?;
/// let grades: Vec<_> = graded.loans().iter().map(|l| l.grade.clone().unwrap()).collect();
/// assert_eq!(grades, ["1", "2", "4"]);
/// # Ok::<(), finml_risk::RiskError>(())
/// ```
pub fn grade_by_master_scale(portfolio: &Portfolio, boundaries: &[f64]) -> Result<Portfolio> {
    let increasing = boundaries.windows(2).all(|pair| pair[0] < pair[1]);
    let in_unit = boundaries.iter().all(|b| *b > 0.0 && *b < 1.0);
    if boundaries.is_empty() || !increasing || !in_unit {
        let listed: Vec<String> = boundaries.iter().map(f64::to_string).collect();
        return Err(RiskError::invalid(
            "master scale",
            listed.join(","),
            "one or more strictly increasing PD boundaries in (0, 1)",
        ));
    }
    if let Some(loan) = portfolio.loans().iter().find(|loan| loan.grade.is_some()) {
        return Err(RiskError::invalid(
            &format!("grade of loan {}", loan.id),
            loan.grade.as_deref().unwrap_or_default(),
            "no grade column when a master scale assigns the grades",
        ));
    }
    let loans = portfolio
        .loans()
        .iter()
        .map(|loan| {
            let grade = boundaries.partition_point(|boundary| *boundary < loan.pd) + 1;
            Loan {
                grade: Some(grade.to_string()),
                ..loan.clone()
            }
        })
        .collect();
    Portfolio::new(loans)
}

fn check_factor(name: &str, factor: f64) -> Result<()> {
    if factor.is_finite() && factor >= 0.0 {
        Ok(())
    } else {
        Err(RiskError::invalid(name, factor, "a finite factor ≥ 0"))
    }
}

fn check_grade_exists(portfolio: &Portfolio, grade: &str) -> Result<()> {
    let loans = portfolio.loans();
    if loans
        .iter()
        .any(|loan| loan.grade.as_deref() == Some(grade))
    {
        return Ok(());
    }
    let expected = if loans.iter().all(|loan| loan.grade.is_none()) {
        "a grade of the portfolio, but the loan file has no grade column".to_owned()
    } else {
        let mut grades: Vec<&str> = loans
            .iter()
            .filter_map(|loan| loan.grade.as_deref())
            .collect();
        grades.sort_unstable();
        grades.dedup();
        format!("one of the portfolio's grades: {}", grades.join(", "))
    };
    Err(RiskError::invalid("grade", grade, &expected))
}

/// One measure before and after the stress.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StressLine {
    pub measure: String,
    pub base: f64,
    pub stressed: f64,
    pub change: f64,
    /// Relative change in percent; `None` when the base is zero.
    pub change_percent: Option<f64>,
}

impl StressLine {
    fn new(measure: String, base: f64, stressed: f64) -> Self {
        let change = stressed - base;
        StressLine {
            measure,
            base,
            stressed,
            change,
            change_percent: (base != 0.0).then(|| 100.0 * change / base),
        }
    }
}

/// Compares the portfolio before and after `stress`: EAD-weighted PD, expected loss, the IRB
/// capital (ASRF unexpected loss at 99.9% with M = 1), and the Monte-Carlo VaR and expected
/// shortfall at `confidence`.
pub fn stress_test(
    portfolio: &Portfolio,
    stress: &PdStress,
    settings: &SimulationSettings,
    confidence: f64,
) -> Result<Vec<StressLine>> {
    let stressed = stress.apply(portfolio)?;
    let base_measures = measures(portfolio, settings, confidence)?;
    let stressed_measures = measures(&stressed, settings, confidence)?;
    Ok(base_measures
        .into_iter()
        .zip(stressed_measures)
        .map(|((measure, base), (_, stressed))| StressLine::new(measure, base, stressed))
        .collect())
}

fn measures(
    portfolio: &Portfolio,
    settings: &SimulationSettings,
    confidence: f64,
) -> Result<Vec<(String, f64)>> {
    let losses = simulate_losses(portfolio, settings)?;
    let tail = losses.tail_risk(confidence)?;
    let percent = 100.0 * confidence;
    Ok(vec![
        (
            "EAD-weighted PD".to_owned(),
            exposure_weighted_pd(portfolio),
        ),
        ("EL".to_owned(), portfolio.expected_loss()),
        (
            "IRB capital (ASRF 99.9%, M=1)".to_owned(),
            portfolio.asrf_capital(REGULATORY_CONFIDENCE)?,
        ),
        (format!("VaR {percent}% (MC)"), tail.value_at_risk),
        (format!("ES {percent}% (MC)"), tail.expected_shortfall.value),
    ])
}

fn exposure_weighted_pd(portfolio: &Portfolio) -> f64 {
    let total = portfolio.total_exposure();
    if total == 0.0 {
        return 0.0;
    }
    accurate_sum(portfolio.loans().iter().map(|loan| loan.pd * loan.ead)) / total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn portfolio(grades: &[Option<&str>]) -> Portfolio {
        let loans = grades
            .iter()
            .enumerate()
            .map(|(i, grade)| Loan {
                id: i.to_string(),
                pd: 0.02,
                lgd: 0.5,
                ead: 100.0,
                rho: 0.1,
                grade: grade.map(str::to_owned),
            })
            .collect();
        Portfolio::new(loans).unwrap()
    }

    fn pds(portfolio: &Portfolio) -> Vec<f64> {
        portfolio.loans().iter().map(|loan| loan.pd).collect()
    }

    #[test]
    fn multipliers_compose_and_cap_at_one() {
        let base = portfolio(&[Some("A"), Some("B"), None]);
        let stress = PdStress {
            multiplier: 2.0,
            shift: 0.01,
            grade_multipliers: vec![("B".to_owned(), 30.0)],
        };
        assert_eq!(pds(&stress.apply(&base).unwrap()), vec![0.05, 1.0, 0.05]);
    }

    #[test]
    fn errors_name_the_problem() {
        let message = |stress: PdStress, grades: &[Option<&str>]| {
            stress.apply(&portfolio(grades)).unwrap_err().to_string()
        };
        let by_grade = |grade: &str| PdStress {
            grade_multipliers: vec![(grade.to_owned(), 1.5)],
            ..PdStress::default()
        };
        assert_eq!(
            message(by_grade("C"), &[Some("A"), Some("B")]),
            "grade = C: expected one of the portfolio's grades: A, B"
        );
        assert_eq!(
            message(by_grade("C"), &[None]),
            "grade = C: expected a grade of the portfolio, but the loan file has no grade column"
        );
        let shift = PdStress {
            shift: -0.5,
            ..PdStress::default()
        };
        assert_eq!(
            message(shift, &[None]),
            "PD of loan 0 = -0.48: expected a probability in (0, 1]"
        );
        let negative = PdStress {
            multiplier: -1.0,
            ..PdStress::default()
        };
        assert_eq!(
            message(negative, &[None]),
            "PD multiplier = -1: expected a finite factor ≥ 0"
        );
    }

    #[test]
    fn master_scale_grades_by_pd_and_refuses_bad_scales() {
        let with_pds = |pds: &[f64]| {
            let base = portfolio(&vec![None; pds.len()]);
            base.with_pds(|loan| pds[loan.id.parse::<usize>().unwrap()])
                .unwrap()
        };
        let graded = grade_by_master_scale(&with_pds(&[0.01, 0.0101, 0.5, 1.0]), &[0.01, 0.1]);
        let grades: Vec<String> = graded
            .unwrap()
            .loans()
            .iter()
            .map(|loan| loan.grade.clone().unwrap())
            .collect();
        assert_eq!(
            grades,
            ["1", "2", "3", "3"],
            "a boundary PD stays in the lower grade"
        );
        let refused = |scale: &[f64], book: &Portfolio| {
            grade_by_master_scale(book, scale).unwrap_err().to_string()
        };
        let book = with_pds(&[0.02]);
        assert_eq!(
            refused(&[0.1, 0.01], &book),
            "master scale = 0.1,0.01: expected one or more strictly increasing PD boundaries in (0, 1)"
        );
        assert!(refused(&[0.01, 1.0], &book).contains("in (0, 1)"));
        assert!(refused(&[], &book).contains("master scale"));
        assert_eq!(
            refused(&[0.01], &portfolio(&[Some("A")])),
            "grade of loan 0 = A: expected no grade column when a master scale assigns the grades"
        );
        let stressed = PdStress {
            grade_multipliers: vec![("2".to_owned(), 2.0)],
            ..PdStress::default()
        }
        .apply(&grade_by_master_scale(&with_pds(&[0.005, 0.02]), &[0.01]).unwrap())
        .unwrap();
        assert_eq!(pds(&stressed), [0.005, 0.04]);
    }

    #[test]
    fn stress_raises_every_measure() {
        let base = portfolio(&[None; 200]);
        let stress = PdStress {
            multiplier: 1.5,
            ..PdStress::default()
        };
        let settings = SimulationSettings {
            scenarios: 5_000,
            seed: 11,
            threads: Some(1),
        };
        let lines = stress_test(&base, &stress, &settings, 0.99).unwrap();
        assert_eq!(lines.len(), 5);
        assert!((lines[1].change_percent.unwrap() - 50.0).abs() < 1e-9);
        for line in &lines {
            assert!(line.stressed > line.base, "{line:?}");
        }
    }
}
