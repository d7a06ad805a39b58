//! The 10,000-loan reference portfolio: exact expected loss and ASRF figures, Monte-Carlo VaR
//! and ES against the reference run, reproducibility across thread counts, and convergence to
//! the Vasicek quantile for a large homogeneous portfolio.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use finml_risk::portfolio::{Loan, Portfolio};
use finml_risk::simulation::{SimulationSettings, simulate_losses};
use finml_risk::vasicek::asrf_loss;
use serde_json::Value;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn reference_portfolio() -> &'static Portfolio {
    static PORTFOLIO: OnceLock<Portfolio> = OnceLock::new();
    PORTFOLIO.get_or_init(|| Portfolio::read_csv(&data("credit_portfolio_10k.csv")).unwrap())
}

fn summary(path: &[&str]) -> Value {
    static SUMMARY: OnceLock<Value> = OnceLock::new();
    let root = SUMMARY.get_or_init(|| {
        let text = std::fs::read_to_string(data("credit_summary.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    });
    path.iter()
        .fold(root.clone(), |value, key| value[key].clone())
}

fn summary_number(path: &[&str]) -> f64 {
    summary(path)
        .as_f64()
        .unwrap_or_else(|| panic!("no number at {path:?}"))
}

fn check_relative(what: &str, actual: f64, expected: f64, tolerance: f64) {
    let error = ((actual - expected) / expected).abs();
    assert!(
        error <= tolerance,
        "{what}: {actual} vs {expected}, relative error {error:e}"
    );
}

#[test]
fn analytic_figures_match_the_exact_reference() {
    let portfolio = reference_portfolio();
    assert_eq!(portfolio.loans().len(), 10_000);
    check_relative(
        "total EAD",
        portfolio.total_exposure(),
        summary_number(&["portfolio", "total_EAD"]),
        1e-12,
    );
    check_relative(
        "EL",
        portfolio.expected_loss(),
        summary_number(&["portfolio", "EL_exact"]),
        1e-9,
    );
    check_relative(
        "ASRF quantile",
        portfolio.asrf_quantile(0.999).unwrap(),
        summary_number(&["portfolio", "ASRF_quantile_999"]),
        1e-9,
    );
    check_relative(
        "IRB capital",
        portfolio.asrf_capital(0.999).unwrap(),
        summary_number(&["portfolio", "IRB_capital_sum_K_times_EAD_M1"]),
        1e-9,
    );
}

#[test]
fn monte_carlo_matches_the_reference_run() {
    // The configuration: 100,000 scenarios at 99.9%.
    let settings = SimulationSettings {
        scenarios: 100_000,
        seed: 1,
        threads: None,
    };
    let losses = simulate_losses(reference_portfolio(), &settings).unwrap();
    let reference = |key: &str| summary_number(&["mc_main", "threads2", key]);

    let expected_loss = losses.expected_loss();
    let combined_error = expected_loss
        .standard_error
        .hypot(reference("EL_MC_stderr"));
    assert!(
        (expected_loss.value - reference("EL_MC")).abs() <= 1.96 * combined_error,
        "{expected_loss:?}"
    );
    let exact = reference_portfolio().expected_loss();
    assert!((expected_loss.value - exact).abs() <= 3.0 * expected_loss.standard_error);

    let tail = losses.tail_risk(0.999).unwrap();
    let interval = summary(&["mc_main", "threads2", "VaR_999_rank_CI95"]);
    let (low, high) = (interval[0].as_f64().unwrap(), interval[1].as_f64().unwrap());
    assert!(
        low <= tail.value_at_risk && tail.value_at_risk <= high,
        "VaR {} outside [{low}, {high}]",
        tail.value_at_risk
    );

    // The reference gives no interval for ES: both estimates carry the same standard error, so
    // their difference must lie within 1.96·√2 of it.
    let shortfall = tail.expected_shortfall;
    let difference = (shortfall.value - reference("ES_999")).abs();
    assert!(
        difference <= 1.96 * 2f64.sqrt() * shortfall.standard_error,
        "ES {shortfall:?} vs {}",
        reference("ES_999")
    );
    assert!(reference("ES_999") >= shortfall.value - 1.96 * shortfall.standard_error);
}

#[test]
fn losses_are_bit_identical_across_thread_counts() {
    let on = |threads| SimulationSettings {
        scenarios: 20_000,
        seed: 2024,
        threads: Some(threads),
    };
    let single = simulate_losses(reference_portfolio(), &on(1)).unwrap();
    let double = simulate_losses(reference_portfolio(), &on(2)).unwrap();
    let bits = |losses: &[f64]| losses.iter().map(|loss| loss.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(single.sorted_losses()), bits(double.sorted_losses()));
    let other_seed = SimulationSettings {
        seed: 2025,
        ..on(2)
    };
    assert_ne!(
        single,
        simulate_losses(reference_portfolio(), &other_seed).unwrap()
    );
}

#[test]
fn large_homogeneous_portfolio_converges_to_the_vasicek_quantile() {
    let convergence = |key: &str| summary_number(&["convergence", key]);
    let (pd, lgd, rho, q) = (
        convergence("PD"),
        convergence("LGD"),
        convergence("rho"),
        convergence("q"),
    );
    let vasicek = asrf_loss(pd, rho, lgd, q).unwrap();
    check_relative(
        "Vasicek quantile",
        vasicek.quantile,
        convergence("vasicek_quantile"),
        1e-12,
    );
    check_relative(
        "Vasicek ES",
        vasicek.expected_shortfall,
        convergence("vasicek_ES"),
        1e-9,
    );

    let loans = 10_000;
    let portfolio = Portfolio::new(
        (0..loans)
            .map(|i| Loan {
                id: i.to_string(),
                pd,
                lgd,
                ead: 1.0 / loans as f64,
                rho,
                grade: None,
            })
            .collect(),
    )
    .unwrap();
    let settings = SimulationSettings {
        scenarios: 100_000,
        seed: 1,
        threads: None,
    };
    let tail = simulate_losses(&portfolio, &settings)
        .unwrap()
        .tail_risk(q)
        .unwrap();
    let (low, high) = tail.value_at_risk_interval;
    assert!(
        low <= vasicek.quantile && vasicek.quantile <= high,
        "Vasicek {} outside [{low}, {high}]",
        vasicek.quantile
    );
    // The tail mean of 100 scenarios is far from normal: a 99% band (2.58 standard errors).
    let shortfall = tail.expected_shortfall;
    assert!(
        (shortfall.value - vasicek.expected_shortfall).abs() <= 2.58 * shortfall.standard_error,
        "ES {shortfall:?} vs Vasicek {}",
        vasicek.expected_shortfall
    );
}
