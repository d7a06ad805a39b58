//! Every metric against the values scikit-learn computed for the same scores
//! (`bench/fixtures/metrics_fixtures.py`).

use finml_metrics::{MetricsError, Summary, roc_auc};
use serde_json::Value;

fn cases() -> Vec<Value> {
    let text = include_str!("fixtures/sklearn_metrics.json");
    let fixtures: Value = serde_json::from_str(text).unwrap();
    fixtures["cases"].as_array().unwrap().clone()
}

fn check(case: &Value) {
    let name = case["name"].as_str().unwrap();
    let scores: Vec<f64> = serde_json::from_value(case["scores"].clone()).unwrap();
    let labels: Vec<u8> = serde_json::from_value(case["labels"].clone()).unwrap();
    let threshold = case["threshold"].as_f64().unwrap();
    let got = Summary::compute(&scores, &labels, threshold).unwrap();
    let close = |metric: &str, value: f64| {
        let expected = case[metric].as_f64().unwrap();
        assert!(
            (value - expected).abs() <= 1e-12,
            "{name} {metric}: {value} != {expected}"
        );
    };
    close("auc", got.auc);
    close("ks", got.ks);
    close("brier", got.brier);
    close("log_loss", got.log_loss);
    close("accuracy", got.accuracy);
    assert!((got.gini - (2.0 * got.auc - 1.0)).abs() < 1e-15);
    let c = &case["confusion"];
    let counts = [
        got.confusion.true_positive,
        got.confusion.false_positive,
        got.confusion.true_negative,
        got.confusion.false_negative,
    ];
    let expected = ["tp", "fp", "tn", "fn"].map(|k| c[k].as_u64().unwrap() as usize);
    assert_eq!(counts, expected, "{name} confusion matrix");
}

#[test]
fn every_metric_matches_scikit_learn() {
    let cases = cases();
    assert!(cases.len() >= 5);
    cases.iter().for_each(check);
}

#[test]
fn auc_of_one_class_is_an_error_not_nan() {
    let err = roc_auc(&[0.2, 0.3], &[1, 1]).unwrap_err();
    assert_eq!(err, MetricsError::OneClass { label: 1, count: 2 });
    assert!(err.to_string().contains("only one class"));
}

#[test]
fn non_finite_scores_are_rejected() {
    let err = roc_auc(&[0.2, f64::NAN], &[0, 1]).unwrap_err();
    assert!(matches!(
        err,
        MetricsError::NotAProbability { index: 1, .. }
    ));
}
