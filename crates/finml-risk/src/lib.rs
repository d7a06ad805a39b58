//! Credit risk for a lender's monthly risk report:
//!
//! - [`irb`] and [`exposures`]: Basel IRB capital (correlation, maturity adjustment, K, risk
//!   weight, RWA, EL) for corporate (with the SME adjustment) and retail exposures;
//! - [`vasicek`]: the one-factor ASRF loss quantile and expected shortfall of a granular portfolio;
//! - [`portfolio`] and [`simulation`]: expected loss and a multi-threaded, reproducible
//!   Monte-Carlo simulation of a finite portfolio under the one-factor Gaussian copula, with VaR
//!   and expected shortfall and their Monte-Carlo errors;
//! - [`summary`]: a simulation's figures at every confidence level, as a report gives them;
//! - [`stress`]: PDs scaled or shifted, and the change in EL, capital, VaR and ES;
//! - [`drift`]: population and characteristic stability indices (PSI, CSI) with traffic lights;
//! - [`plot`]: SVG charts of the loss distribution and of the stability indices.
//!
//! ```
//! use finml_risk::portfolio::{Loan, Portfolio};
//! use finml_risk::simulation::{simulate_losses, SimulationSettings};
//!
//! let loans = (0..1000)
//!     .map(|i| Loan { id: i.to_string(), pd: 0.01, lgd: 0.45, ead: 1.0, rho: 0.12, grade: None })
//!     .collect();
//! let portfolio = Portfolio::new(loans)?;
//! assert!((portfolio.expected_loss() - 4.5).abs() < 1e-9);
//!
//! // The same seed gives the same losses on one thread or on two.
//! let on = |threads| SimulationSettings { scenarios: 10_000, seed: 42, threads: Some(threads) };
//! let single = simulate_losses(&portfolio, &on(1))?;
//! assert_eq!(single, simulate_losses(&portfolio, &on(2))?);
//!
//! let tail = single.tail_risk(0.999)?;
//! let asrf = portfolio.asrf_quantile(0.999)?;
//! assert!(tail.value_at_risk_interval.0 <= asrf * 1.3 && asrf <= tail.value_at_risk_interval.1 * 1.3);
//! # Ok::<(), finml_risk::RiskError>(())
//! ```

pub mod drift;
pub mod error;
pub mod exposures;
mod input;
pub mod irb;
pub mod normal;
pub mod plot;
pub mod portfolio;
pub mod simulation;
pub mod stress;
pub mod summary;
pub mod vasicek;

pub use error::{Result, RiskError};
