//! Monte-Carlo loss distribution of a finite portfolio under the one-factor Gaussian copula.
//!
//! Loan i defaults when √ρᵢ·Z + √(1 − ρᵢ)·εᵢ < Φ⁻¹(PDᵢ), with one standard normal systematic
//! factor Z per scenario and independent standard normal εᵢ; a default loses LGDᵢ·EADᵢ.
//!
//! Given Z the defaults are independent with probabilities pᵢ(Z) = Φ((Φ⁻¹(PDᵢ) − √ρᵢ·Z) /
//! √(1 − ρᵢ)), so a scenario needs only Z and, for each loan, one Bernoulli(pᵢ(Z)) draw. Drawing
//! them one by one costs a normal distribution function per loan and scenario; instead the loans
//! are sorted into buckets of nearly equal default thresholds, each with a bound p̄(Z) ≥ pᵢ(Z),
//! and each scenario finds a bucket's candidates by geometric jumps at rate p̄ and keeps each
//! with probability pᵢ/p̄ (thinning). That is the same distribution as drawing every εᵢ, at a
//! cost that grows with the number of buckets and of defaults rather than with the number of
//! loans; loans sharing (PD, ρ) form exact buckets, where every candidate defaults.
//!
//! Scenarios are cut into fixed blocks of [`BLOCK_SCENARIOS`]; block b draws Z from the ChaCha8
//! stream 2b and the idiosyncratic jumps from stream 2b + 1 of the seed's key. Blocks are shared
//! out among threads, but what a block draws depends only on the seed and its index, so the
//! losses are bit-identical whatever the thread count, and Z is the same in two runs of one seed
//! on different portfolios (common random numbers for stress tests).

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Result, RiskError};
use crate::normal;
use crate::portfolio::{Portfolio, accurate_sum};
use crate::vasicek::check_confidence;

/// Scenarios per block of random numbers: large enough to amortise a block's set-up, small
/// enough to balance 100,000 scenarios over many threads.
pub const BLOCK_SCENARIOS: usize = 1024;

/// The two-sided normal quantile of 95% confidence intervals.
const Z_95: f64 = 1.959_963_984_540_054;

/// How to run a simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimulationSettings {
    /// Number of scenarios, ≥ 1.
    pub scenarios: usize,
    /// Seed of the random numbers.
    pub seed: u64,
    /// Worker threads; `None` uses rayon's global pool (one per core).
    pub threads: Option<usize>,
}

/// The simulated portfolio losses, one per scenario, sorted ascending. Memory is that of the
/// losses: 8 bytes per scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct LossSample {
    sorted_losses: Vec<f64>,
}

/// A Monte-Carlo estimate with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub value: f64,
    pub standard_error: f64,
}

/// Value at risk and expected shortfall of the loss at one confidence level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TailRisk {
    pub confidence: f64,
    /// The empirical q-quantile of the loss: the smallest simulated loss L with F(L) ≥ q.
    pub value_at_risk: f64,
    /// A distribution-free 95% interval for the quantile, from the order statistics whose
    /// ranks are N·q ± 1.96·√(N·q·(1 − q)).
    pub value_at_risk_interval: (f64, f64),
    /// The mean of the worst ⌈N·(1 − q)⌉ losses, with the asymptotic standard error
    /// √((Var(L | tail) + q·(ES − VaR)²) / (N·(1 − q))) (Manistre and Hancock, "Variance of
    /// the CTE estimator", North American Actuarial Journal 9(2), 2005).
    pub expected_shortfall: Estimate,
}

/// Loss histogram: `counts[i]` losses in [lower + i·width, lower + (i + 1)·width), the last bin
/// closed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram {
    pub lower: f64,
    pub width: f64,
    pub counts: Vec<u64>,
}

/// Simulates the portfolio loss in `settings.scenarios` scenarios.
///
/// ```
/// use finml_risk::portfolio::{Loan, Portfolio};
/// use finml_risk::simulation::{simulate_losses, SimulationSettings};
///
/// let loans = (0..100)
///     .map(|i| Loan { id: i.to_string(), pd: 0.02, lgd: 0.45, ead: 1e4, rho: 0.15, grade: None })
///     .collect();
/// let portfolio = Portfolio::new(loans)?;
/// let settings = SimulationSettings { scenarios: 20_000, seed: 7, threads: Some(2) };
/// let losses = simulate_losses(&portfolio, &settings)?;
/// let tail = losses.tail_risk(0.99)?;
/// assert!(tail.expected_shortfall.value >= tail.value_at_risk);
/// assert!((losses.expected_loss().value - portfolio.expected_loss()).abs() < 4.0 * losses.expected_loss().standard_error);
/// # Ok::<(), finml_risk::RiskError>(())
/// ```
pub fn simulate_losses(portfolio: &Portfolio, settings: &SimulationSettings) -> Result<LossSample> {
    if settings.scenarios == 0 {
        return Err(RiskError::invalid("scenarios", 0, "at least one scenario"));
    }
    let buckets = loan_buckets(portfolio);
    let mut losses = Vec::new();
    if losses.try_reserve_exact(settings.scenarios).is_err() {
        return Err(RiskError::invalid(
            "scenarios",
            settings.scenarios,
            "as many scenarios as memory holds at 8 bytes each",
        ));
    }
    losses.resize(settings.scenarios, 0.0);
    let seed = settings.seed;
    in_thread_pool(settings.threads, || {
        losses
            .par_chunks_mut(BLOCK_SCENARIOS)
            .enumerate()
            .for_each(|(block, block_losses)| {
                simulate_block(&buckets, seed, block as u64, block_losses)
            });
    })?;
    losses.sort_unstable_by(f64::total_cmp);
    Ok(LossSample {
        sorted_losses: losses,
    })
}

/// Runs `job` on `threads` worker threads, or on rayon's global pool.
fn in_thread_pool(threads: Option<usize>, job: impl FnOnce() + Send) -> Result<()> {
    let Some(threads) = threads else {
        job();
        return Ok(());
    };
    if threads == 0 {
        return Err(RiskError::invalid("threads", 0, "at least one thread"));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|error| RiskError::ThreadPool {
            threads,
            message: error.to_string(),
        })?;
    pool.install(job);
    Ok(())
}

/// How far apart, in standard deviations of the latent variable, the thresholds of two loans of
/// one bucket may lie. The wider the bucket, the looser its bound on the conditional PD and the
/// more candidates are drawn and rejected: 0.02 keeps the excess near 10–20% in the tail.
const BUCKET_WIDTH: f64 = 0.02;

/// Loans whose conditional default thresholds tᵢ(Z) = interceptᵢ − slopeᵢ·Z stay close for every
/// Z, so that one bound p̄(Z) = Φ(max intercept − slope·Z) (the largest slope for Z < 0, the
/// smallest for Z ≥ 0) covers all their conditional PDs.
struct LoanBucket {
    intercepts: Vec<f64>,
    slopes: Vec<f64>,
    losses_given_default: Vec<f64>,
    max_intercept: f64,
    min_slope: f64,
    max_slope: f64,
    /// All loans share (PD, ρ), so every candidate defaults: no acceptance test.
    identical: bool,
}

impl LoanBucket {
    fn new(loans: &[LatentLoan]) -> Self {
        let intercepts: Vec<f64> = loans.iter().map(|loan| loan.intercept).collect();
        let slopes: Vec<f64> = loans.iter().map(|loan| loan.slope).collect();
        let first = loans[0];
        LoanBucket {
            max_intercept: intercepts.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            min_slope: slopes.iter().copied().fold(f64::INFINITY, f64::min),
            max_slope: slopes.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            identical: loans
                .iter()
                .all(|loan| loan.intercept == first.intercept && loan.slope == first.slope),
            losses_given_default: loans.iter().map(|loan| loan.loss_given_default).collect(),
            intercepts,
            slopes,
        }
    }

    /// The loss of the bucket's defaulters given the factor, by thinning: loans become
    /// candidates with the bound probability p̄, found by geometric jumps (⌊ln U / ln(1 − p̄)⌋
    /// non-candidates precede each candidate), and a candidate defaults with probability
    /// pᵢ / p̄. Each loan thus defaults with probability pᵢ, independently of the others.
    fn scenario_loss(&self, factor: f64, rng: &mut ChaCha8Rng) -> f64 {
        let slope = if factor < 0.0 {
            self.max_slope
        } else {
            self.min_slope
        };
        let bound = normal::cdf(self.max_intercept - slope * factor);
        if bound <= 0.0 {
            return 0.0;
        }
        let log_survival = (-bound).ln_1p();
        let count = self.losses_given_default.len();
        let mut loss = 0.0;
        let mut next = 0;
        loop {
            let skipped = (open_unit_interval(rng).ln() / log_survival).floor();
            if skipped >= (count - next) as f64 {
                return loss;
            }
            next += skipped as usize;
            if self.identical || self.accepts(next, factor, bound, rng) {
                loss += self.losses_given_default[next];
            }
            next += 1;
        }
    }

    fn accepts(&self, loan: usize, factor: f64, bound: f64, rng: &mut ChaCha8Rng) -> bool {
        let pd = normal::cdf(self.intercepts[loan] - self.slopes[loan] * factor);
        open_unit_interval(rng) * bound < pd
    }
}

/// A loan's default threshold in units of its idiosyncratic noise: it defaults when
/// εᵢ < intercept − slope·Z, with intercept = Φ⁻¹(PD)/√(1 − ρ) and slope = √ρ/√(1 − ρ).
#[derive(Clone, Copy)]
struct LatentLoan {
    intercept: f64,
    slope: f64,
    loss_given_default: f64,
}

/// Sorts the loans by threshold and cuts them into buckets no wider than [`BUCKET_WIDTH`] in
/// intercept and slope; loans sharing (PD, ρ) always share a bucket.
fn loan_buckets(portfolio: &Portfolio) -> Vec<LoanBucket> {
    let mut loans: Vec<LatentLoan> = portfolio
        .loans()
        .iter()
        .map(|loan| {
            let scale = (1.0 - loan.rho).sqrt();
            LatentLoan {
                intercept: normal::inverse_cdf(loan.pd) / scale,
                slope: loan.rho.sqrt() / scale,
                loss_given_default: loan.loss_given_default(),
            }
        })
        .collect();
    loans.sort_by(|a, b| {
        a.intercept
            .total_cmp(&b.intercept)
            .then(a.slope.total_cmp(&b.slope))
    });
    let mut buckets = Vec::new();
    let mut start = 0;
    for end in 1..=loans.len() {
        if end == loans.len() || !close(&loans[start], &loans[end]) {
            buckets.push(LoanBucket::new(&loans[start..end]));
            start = end;
        }
    }
    buckets
}

fn close(first: &LatentLoan, other: &LatentLoan) -> bool {
    let near = |a: f64, b: f64| a == b || (a - b).abs() <= BUCKET_WIDTH;
    near(first.intercept, other.intercept) && near(first.slope, other.slope)
}

fn simulate_block(buckets: &[LoanBucket], seed: u64, block: u64, losses: &mut [f64]) {
    let mut systematic = ChaCha8Rng::seed_from_u64(seed);
    systematic.set_stream(2 * block);
    let mut idiosyncratic = ChaCha8Rng::seed_from_u64(seed);
    idiosyncratic.set_stream(2 * block + 1);
    for loss in losses {
        let factor = normal::inverse_cdf(open_unit_interval(&mut systematic));
        *loss = buckets
            .iter()
            .map(|bucket| bucket.scenario_loss(factor, &mut idiosyncratic))
            .sum();
    }
}

/// A uniform number in the open interval (0, 1): the midpoints of 2⁵³ equal cells, so that
/// neither the logarithm nor the normal quantile ever sees 0 or 1.
fn open_unit_interval(rng: &mut ChaCha8Rng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

impl LossSample {
    /// The losses, sorted ascending.
    pub fn sorted_losses(&self) -> &[f64] {
        &self.sorted_losses
    }

    /// The number of scenarios.
    pub fn scenarios(&self) -> usize {
        self.sorted_losses.len()
    }

    /// The mean loss with its standard error.
    pub fn expected_loss(&self) -> Estimate {
        mean_with_standard_error(&self.sorted_losses)
    }

    /// The standard deviation of the loss.
    pub fn standard_deviation(&self) -> f64 {
        self.expected_loss().standard_error * (self.scenarios() as f64).sqrt()
    }

    /// Value at risk and expected shortfall at `confidence` in (0, 1).
    pub fn tail_risk(&self, confidence: f64) -> Result<TailRisk> {
        check_confidence(confidence)?;
        let count = self.scenarios();
        let rank = count as f64 * confidence;
        let value_at_risk = self.order_statistic(ceil_ignoring_rounding(rank));
        let spread = Z_95 * (rank * (1.0 - confidence)).sqrt();
        let interval = (
            self.order_statistic((rank - spread).floor()),
            self.order_statistic((rank + spread).ceil()),
        );
        let tail_count = (ceil_ignoring_rounding(count as f64 - rank) as usize).clamp(1, count);
        let tail = &self.sorted_losses[count - tail_count..];
        let tail_moments = mean_with_standard_error(tail);
        let tail_variance = tail_moments.standard_error.powi(2) * tail_count as f64;
        let shortfall = tail_moments.value;
        let standard_error = ((tail_variance + confidence * (shortfall - value_at_risk).powi(2))
            / (count as f64 * (1.0 - confidence)))
            .sqrt();
        Ok(TailRisk {
            confidence,
            value_at_risk,
            value_at_risk_interval: interval,
            expected_shortfall: Estimate {
                value: shortfall,
                standard_error,
            },
        })
    }

    /// The loss of 1-based rank `rank`, clamped to the sample.
    fn order_statistic(&self, rank: f64) -> f64 {
        let last = self.sorted_losses.len() - 1;
        let index = (rank.max(1.0) as usize - 1).min(last);
        self.sorted_losses[index]
    }

    /// A histogram of the losses with `bins` equal bins from the smallest to the largest loss.
    pub fn histogram(&self, bins: usize) -> Histogram {
        let bins = bins.max(1);
        let lower = self.sorted_losses[0];
        let upper = self.sorted_losses[self.sorted_losses.len() - 1];
        let width = if upper > lower {
            (upper - lower) / bins as f64
        } else {
            1.0
        };
        let mut counts = vec![0; bins];
        for &loss in &self.sorted_losses {
            let bin = (((loss - lower) / width) as usize).min(bins - 1);
            counts[bin] += 1;
        }
        Histogram {
            lower,
            width,
            counts,
        }
    }
}

/// ⌈x⌉, except that an x within rounding error of an integer is that integer: 1000 × 0.99 must
/// count 990 scenarios below the quantile and 10 beyond, not 11.
fn ceil_ignoring_rounding(x: f64) -> f64 {
    let nearest = x.round();
    if (x - nearest).abs() <= 1e-9 * nearest.abs().max(1.0) {
        nearest
    } else {
        x.ceil()
    }
}

/// The sample mean and its standard error, from the unbiased variance.
fn mean_with_standard_error(values: &[f64]) -> Estimate {
    let count = values.len() as f64;
    let mean = accurate_sum(values.iter().copied()) / count;
    let squared_deviations = accurate_sum(values.iter().map(|value| (value - mean).powi(2)));
    let variance = if values.len() > 1 {
        squared_deviations / (count - 1.0)
    } else {
        0.0
    };
    Estimate {
        value: mean,
        standard_error: (variance / count).sqrt(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portfolio::Loan;

    fn homogeneous(count: usize, pd: f64, rho: f64) -> Portfolio {
        let loans = (0..count)
            .map(|i| Loan {
                id: i.to_string(),
                pd,
                lgd: 1.0,
                ead: 1.0,
                rho,
                grade: None,
            })
            .collect();
        Portfolio::new(loans).unwrap()
    }

    #[test]
    fn independent_defaults_are_binomial() {
        // ρ = 0: the number of defaults among 50 loans of PD 0.1 is Binomial(50, 0.1),
        // mean 5 and variance 4.5.
        let settings = SimulationSettings {
            scenarios: 40_000,
            seed: 3,
            threads: Some(1),
        };
        let losses = simulate_losses(&homogeneous(50, 0.1, 0.0), &settings).unwrap();
        let mean = losses.expected_loss();
        assert!(
            (mean.value - 5.0).abs() < 4.0 * mean.standard_error,
            "{mean:?}"
        );
        assert!((losses.standard_deviation().powi(2) - 4.5).abs() < 0.1);
    }

    #[test]
    fn thinned_defaults_follow_the_copula() {
        // Exposures 1, 2 and 4 with LGD 1: a scenario's loss spells which loans defaulted.
        // Close (PD, ρ) put the three in one bucket, so candidates pass the acceptance test.
        let parameters = [(0.05, 0.2), (0.0505, 0.201), (0.051, 0.202)];
        let loans = parameters
            .iter()
            .enumerate()
            .map(|(i, &(pd, rho))| Loan {
                id: i.to_string(),
                pd,
                lgd: 1.0,
                ead: f64::from(1 << i),
                rho,
                grade: None,
            })
            .collect();
        let portfolio = Portfolio::new(loans).unwrap();
        assert_eq!(loan_buckets(&portfolio).len(), 1);
        let scenarios = 200_000;
        let settings = SimulationSettings {
            scenarios,
            seed: 9,
            threads: None,
        };
        let losses = simulate_losses(&portfolio, &settings).unwrap();
        let frequency = |defaulted: &dyn Fn(u32) -> bool| {
            let hits = losses
                .sorted_losses()
                .iter()
                .filter(|&&loss| defaulted(loss as u32))
                .count();
            hits as f64 / scenarios as f64
        };
        let check = |observed: f64, expected: f64| {
            let standard_error = (expected * (1.0 - expected) / scenarios as f64).sqrt();
            assert!(
                (observed - expected).abs() < 4.0 * standard_error,
                "{observed} vs {expected}"
            );
        };
        for (i, &(pd, _)) in parameters.iter().enumerate() {
            check(frequency(&|pattern| pattern & (1 << i) != 0), pd);
        }
        // Joint defaults: P(εᵢ' < Φ⁻¹(PDᵢ), εⱼ' < Φ⁻¹(PDⱼ)) with latent correlation √(ρᵢρⱼ).
        let (first, second) = (parameters[0], parameters[2]);
        let joint = normal::bivariate_cdf(
            normal::inverse_cdf(first.0),
            normal::inverse_cdf(second.0),
            (first.1 * second.1).sqrt(),
        );
        check(frequency(&|pattern| pattern & 0b101 == 0b101), joint);
    }

    #[test]
    fn certain_and_impossible_defaults() {
        let settings = SimulationSettings {
            scenarios: 10,
            seed: 1,
            threads: None,
        };
        let all = simulate_losses(&homogeneous(7, 1.0, 0.3), &settings).unwrap();
        assert!(all.sorted_losses().iter().all(|&loss| loss == 7.0));
        let rare = simulate_losses(&homogeneous(7, 1e-300, 0.0), &settings).unwrap();
        assert!(rare.sorted_losses().iter().all(|&loss| loss == 0.0));
    }

    #[test]
    fn tail_risk_of_a_known_sample() {
        let sample = LossSample {
            sorted_losses: (1..=1000).map(f64::from).collect(),
        };
        let tail = sample.tail_risk(0.99).unwrap();
        assert_eq!(tail.value_at_risk, 990.0);
        assert_eq!(tail.expected_shortfall.value, 995.5);
        assert!(tail.value_at_risk_interval.0 < 990.0 && tail.value_at_risk_interval.1 > 990.0);
        assert!(sample.tail_risk(1.0).is_err());
    }

    #[test]
    fn histogram_counts_every_loss() {
        let sample = LossSample {
            sorted_losses: vec![0.0, 1.0, 1.0, 2.0, 10.0],
        };
        let histogram = sample.histogram(5);
        assert_eq!(histogram.counts, vec![3, 1, 0, 0, 1]);
        assert_eq!(histogram.width, 2.0);
        let flat = LossSample {
            sorted_losses: vec![3.0; 4],
        };
        assert_eq!(flat.histogram(3).counts, vec![4, 0, 0]);
    }

    #[test]
    fn rejects_zero_scenarios_and_threads() {
        let portfolio = homogeneous(3, 0.1, 0.1);
        let settings = SimulationSettings {
            scenarios: 0,
            seed: 1,
            threads: None,
        };
        assert_eq!(
            simulate_losses(&portfolio, &settings)
                .unwrap_err()
                .to_string(),
            "scenarios = 0: expected at least one scenario"
        );
        let settings = SimulationSettings {
            scenarios: 5,
            seed: 1,
            threads: Some(0),
        };
        assert_eq!(
            simulate_losses(&portfolio, &settings)
                .unwrap_err()
                .to_string(),
            "threads = 0: expected at least one thread"
        );
        let settings = SimulationSettings {
            scenarios: usize::MAX,
            seed: 1,
            threads: None,
        };
        assert!(simulate_losses(&portfolio, &settings).is_err());
    }
}
