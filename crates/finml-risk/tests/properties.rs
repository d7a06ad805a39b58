//! Properties over random inputs: every valid input gives finite results in their domain, and
//! the stability indices never produce a NaN whatever the samples.

use finml_risk::drift::{Binning, categorical_stability, numeric_stability};
use finml_risk::irb::{AssetClass, Exposure, IrbOptions, irb_capital};
use finml_risk::normal;
use finml_risk::vasicek::asrf_loss;
use proptest::prelude::*;

fn asset_class() -> impl Strategy<Value = AssetClass> {
    prop_oneof![
        Just(AssetClass::Corporate),
        Just(AssetClass::RetailMortgage),
        Just(AssetClass::RetailQrre),
        Just(AssetClass::RetailOther),
    ]
}

proptest! {
    // Failures are reported in the test output; no regression files are written into the crate.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// In the lower tail Φ keeps its relative precision, so Φ⁻¹ must recover x (the upper tail
    /// is the same by symmetry, but 1 − Φ(x) rounds away there).
    #[test]
    fn quantile_inverts_the_distribution(x in -37.0f64..0.0) {
        let recovered = normal::inverse_cdf(normal::cdf(x));
        prop_assert!((recovered - x).abs() <= 1e-14 * (1.0 + x.abs()), "{x} -> {recovered}");
    }

    #[test]
    fn irb_capital_is_finite_and_non_negative(
        asset_class in asset_class(),
        pd in 1e-6f64..=1.0,
        lgd in 0.0f64..=1.0,
        ead in 0.0f64..1e9,
        maturity in 0.01f64..30.0,
        sales in proptest::option::of(0.0f64..100.0),
    ) {
        let exposure = Exposure { asset_class, pd, lgd, ead, maturity_years: Some(maturity), sales_meur: sales };
        let capital = irb_capital(&exposure, &IrbOptions::default()).unwrap();
        prop_assert!(capital.capital_requirement.is_finite() && capital.capital_requirement >= 0.0, "{capital:?}");
        prop_assert!(capital.conditional_pd >= pd * (1.0 - 1e-12) && capital.conditional_pd <= 1.0);
        prop_assert!(capital.risk_weighted_assets.is_finite());
    }

    #[test]
    fn shortfall_exceeds_quantile_which_exceeds_expected_loss(
        pd in 1e-5f64..0.5,
        rho in 0.0f64..0.95,
        lgd in 0.01f64..=1.0,
        confidence in 0.5f64..0.9999,
    ) {
        let loss = asrf_loss(pd, rho, lgd, confidence).unwrap();
        let slack = 1e-9 * loss.expected_shortfall;
        prop_assert!(loss.expected_shortfall + slack >= loss.quantile, "{loss:?}");
        prop_assert!(loss.expected_shortfall <= lgd * (1.0 + 1e-12));
    }

    #[test]
    fn numeric_index_is_finite_and_non_negative(
        reference in proptest::collection::vec(proptest::option::of(-1e6f64..1e6), 1..200),
        current in proptest::collection::vec(proptest::option::of(-1e6f64..1e6), 1..200),
        bins in 2usize..20,
    ) {
        let index = numeric_stability(&reference, &current, &Binning::ReferenceQuantiles(bins)).unwrap();
        prop_assert!(index.value.is_finite() && index.value >= 0.0);
        prop_assert!(index.bins.iter().all(|bin| bin.contribution.is_finite()));
    }

    #[test]
    fn categorical_index_is_finite_and_non_negative(
        reference in proptest::collection::vec(proptest::option::of("[a-e]"), 1..100),
        current in proptest::collection::vec(proptest::option::of("[a-h]"), 1..100),
    ) {
        let reference: Vec<Option<&str>> = reference.iter().map(|value| value.as_deref()).collect();
        let current: Vec<Option<&str>> = current.iter().map(|value| value.as_deref()).collect();
        let index = categorical_stability(&reference, &current).unwrap();
        prop_assert!(index.value.is_finite() && index.value >= 0.0);
        let counted: usize = index.bins.iter().map(|bin| bin.current_count).sum();
        prop_assert_eq!(counted, current.len());
    }
}
