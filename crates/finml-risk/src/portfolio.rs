//! A loan portfolio and its analytic loss measures: expected loss and the ASRF (Basel) loss
//! quantile and capital.

use std::path::Path;

use finml_data::{ReadOptions, Table};

use crate::error::{Result, RiskError};
use crate::input::{locate, number};
use crate::irb::{check_probability, conditional_default_probability};
use crate::vasicek::{check_confidence, check_correlation};

/// One loan of a portfolio.
#[derive(Debug, Clone, PartialEq)]
pub struct Loan {
    pub id: String,
    /// One-year probability of default, in (0, 1].
    pub pd: f64,
    /// Loss given default, in [0, 1].
    pub lgd: f64,
    /// Exposure at default, ≥ 0.
    pub ead: f64,
    /// Correlation of the borrower's asset value with the systematic factor, in [0, 1).
    pub rho: f64,
    /// Rating grade, for stress tests by grade.
    pub grade: Option<String>,
}

impl Loan {
    /// Checks that every parameter lies in its domain.
    pub fn validate(&self) -> Result<()> {
        check_probability("PD", self.pd)?;
        check_correlation(self.rho)?;
        if !(0.0..=1.0).contains(&self.lgd) {
            return Err(RiskError::invalid("LGD", self.lgd, "a fraction in [0, 1]"));
        }
        if !(self.ead.is_finite() && self.ead >= 0.0) {
            return Err(RiskError::invalid("EAD", self.ead, "a finite amount ≥ 0"));
        }
        Ok(())
    }

    /// The loss if the loan defaults, LGD·EAD.
    pub fn loss_given_default(&self) -> f64 {
        self.lgd * self.ead
    }
}

/// A non-empty set of valid loans.
#[derive(Debug, Clone, PartialEq)]
pub struct Portfolio {
    loans: Vec<Loan>,
}

impl Portfolio {
    /// Validates the loans; an invalid loan is named in the error.
    pub fn new(loans: Vec<Loan>) -> Result<Self> {
        if loans.is_empty() {
            return Err(RiskError::invalid(
                "loans",
                "none",
                "a portfolio of at least one loan",
            ));
        }
        for loan in &loans {
            loan.validate()
                .map_err(|error| name_loan(error, &loan.id))?;
        }
        Ok(Portfolio { loans })
    }

    /// Reads a loan file with the columns `loan_id,PD,LGD,EAD,rho` and optionally `grade`, as
    /// finml-data reads a file (CSV, or Parquet by its extension).
    pub fn read_csv(file: &Path) -> Result<Self> {
        let table = Table::read(file, ReadOptions::default())?;
        let columns = LoanColumns {
            id: table.column_index_any_case("loan_id")?,
            pd: table.column_index_any_case("PD")?,
            lgd: table.column_index_any_case("LGD")?,
            ead: table.column_index_any_case("EAD")?,
            rho: table.column_index_any_case("rho")?,
            grade: table.column_index_any_case("grade").ok(),
        };
        let loans = (0..table.len())
            .map(|row| read_loan(&table, row, &columns))
            .collect::<Result<_>>()?;
        Ok(Portfolio { loans })
    }

    /// The loans in input order.
    pub fn loans(&self) -> &[Loan] {
        &self.loans
    }

    /// Total exposure at default.
    pub fn total_exposure(&self) -> f64 {
        accurate_sum(self.loans.iter().map(|loan| loan.ead))
    }

    /// Expected loss Σ PD·LGD·EAD.
    pub fn expected_loss(&self) -> f64 {
        accurate_sum(
            self.loans
                .iter()
                .map(|loan| loan.pd * loan.loss_given_default()),
        )
    }

    /// The ASRF loss quantile Σ LGD·EAD·Φ((Φ⁻¹(PD) + √ρ·Φ⁻¹(q)) / √(1 − ρ)): the loss at the
    /// `confidence` quantile of the systematic factor once idiosyncratic risk is diversified
    /// away (Gordy 2003), the basis of the Basel IRB formula.
    pub fn asrf_quantile(&self, confidence: f64) -> Result<f64> {
        check_confidence(confidence)?;
        Ok(accurate_sum(self.loans.iter().map(|loan| {
            loan.loss_given_default()
                * conditional_default_probability(loan.pd, loan.rho, confidence)
        })))
    }

    /// The ASRF unexpected loss, quantile minus expected loss: the Basel IRB capital Σ K·EAD of
    /// the portfolio with the loans' own correlations and a one-year maturity (MA = 1).
    pub fn asrf_capital(&self, confidence: f64) -> Result<f64> {
        Ok(self.asrf_quantile(confidence)? - self.expected_loss())
    }

    /// A portfolio with the PD of each loan replaced by `new_pd(loan)`, validated again.
    pub fn with_pds(&self, new_pd: impl Fn(&Loan) -> f64) -> Result<Self> {
        let loans = self
            .loans
            .iter()
            .map(|loan| Loan {
                pd: new_pd(loan),
                ..loan.clone()
            })
            .collect();
        Portfolio::new(loans)
    }
}

/// Positions of the columns read.
struct LoanColumns {
    id: usize,
    pd: usize,
    lgd: usize,
    ead: usize,
    rho: usize,
    grade: Option<usize>,
}

fn read_loan(table: &Table, row: usize, columns: &LoanColumns) -> Result<Loan> {
    let loan = Loan {
        id: table.cell(row, columns.id).to_owned(),
        pd: number(table, row, columns.pd, "a probability of default in (0, 1]")?,
        lgd: number(table, row, columns.lgd, "a loss given default in [0, 1]")?,
        ead: number(table, row, columns.ead, "an exposure at default ≥ 0")?,
        rho: number(table, row, columns.rho, "an asset correlation in [0, 1)")?,
        grade: columns
            .grade
            .map(|column| table.cell(row, column).to_owned()),
    };
    loan.validate().map_err(|error| locate(table, row, error))?;
    Ok(loan)
}

fn name_loan(error: RiskError, id: &str) -> RiskError {
    match error {
        RiskError::InvalidValue {
            name,
            value,
            expected,
        } => RiskError::InvalidValue {
            name: format!("{name} of loan {id}"),
            value,
            expected,
        },
        other => other,
    }
}

/// Neumaier's compensated sum: portfolio totals add ten thousand terms of different sizes, and
/// the reference values are exact.
pub(crate) fn accurate_sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut sum = 0.0_f64;
    let mut compensation = 0.0;
    for value in values {
        let total = sum + value;
        compensation += if sum.abs() >= value.abs() {
            (sum - total) + value
        } else {
            (value - total) + sum
        };
        sum = total;
    }
    sum + compensation
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loan(id: &str, pd: f64) -> Loan {
        Loan {
            id: id.to_owned(),
            pd,
            lgd: 0.5,
            ead: 100.0,
            rho: 0.2,
            grade: None,
        }
    }

    #[test]
    fn accurate_sum_keeps_small_terms() {
        assert_eq!(accurate_sum([1e16, 1.0, -1e16]), 1.0);
        assert_eq!(accurate_sum([]), 0.0);
    }

    #[test]
    fn new_names_the_invalid_loan() {
        let error = Portfolio::new(vec![loan("a", 0.01), loan("b", 2.0)]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "PD of loan b = 2: expected a probability in (0, 1]"
        );
        let error = Portfolio::new(Vec::new()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "loans = none: expected a portfolio of at least one loan"
        );
    }

    #[test]
    fn capital_is_quantile_minus_expected_loss() {
        let portfolio = Portfolio::new(vec![loan("a", 0.01), loan("b", 0.05)]).unwrap();
        assert!((portfolio.expected_loss() - 3.0).abs() < 1e-12);
        let capital = portfolio.asrf_capital(0.999).unwrap();
        let quantile = portfolio.asrf_quantile(0.999).unwrap();
        assert!((quantile - capital - portfolio.expected_loss()).abs() < 1e-12);
    }
}
