//! Drift through a credit model: both samples scored by the model, the PSI of its scores and
//! the CSI of its input columns only.

mod common;

use std::path::{Path, PathBuf};

use common::source;
use finml_credit::{CreditModel, ModelKind, ModelSpec, drift_through_model, train};
use finml_risk::drift::{DriftOptions, MODEL_SCORE, Status, Thresholds};

/// A loan file whose risk rises with `debt`, scaled by `debt_factor`.
fn loans(dir: &Path, name: &str, debt_factor: f64) -> PathBuf {
    let mut text = String::from("id,debt,home,bad\n");
    for i in 0..400 {
        let debt = (i * 37 % 101) as f64;
        let home = ["own", "rent"][i % 2];
        let bad = u8::from(debt + (i * 7919 % 100) as f64 * 0.5 > 85.0);
        text += &format!("A{i},{},{home},{bad}\n", debt * debt_factor);
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn logistic(data: &Path) -> CreditModel {
    let spec = ModelSpec::new(ModelKind::Logistic);
    train(&source(data), &spec, 0.0, 1, &mut |_| {}).unwrap().0
}

#[test]
fn drift_covers_the_model_s_score_and_inputs_only() {
    let dir = tempfile::tempdir().unwrap();
    let reference = loans(dir.path(), "reference.csv", 1.0);
    let shifted = loans(dir.path(), "shifted.csv", 3.0);
    let model = logistic(&reference);
    let options = DriftOptions::default();

    let same = drift_through_model(&model, &reference, &reference, &options).unwrap();
    let score = same.score.as_ref().unwrap();
    assert_eq!((score.column.as_str(), score.index), (MODEL_SCORE, 0.0));
    let columns: Vec<&str> = same
        .characteristics
        .iter()
        .map(|column| column.column.as_str())
        .collect();
    assert_eq!(columns, ["debt", "home"], "not the ID nor the target");

    let moved = drift_through_model(&model, &reference, &shifted, &options).unwrap();
    assert_eq!(moved.score.as_ref().unwrap().status, Status::Red);
    assert_eq!(moved.characteristics[0].status, Status::Red);
    assert_eq!(moved.characteristics[1].status, Status::Green);
}

#[test]
fn bad_thresholds_are_refused_before_scoring() {
    let dir = tempfile::tempdir().unwrap();
    let reference = loans(dir.path(), "reference.csv", 1.0);
    let model = logistic(&reference);
    let options = DriftOptions {
        thresholds: Thresholds {
            amber: 0.3,
            red: 0.2,
        },
        ..DriftOptions::default()
    };
    let absent = dir.path().join("absent.csv");
    let error = drift_through_model(&model, &absent, &absent, &options).unwrap_err();
    assert_eq!(
        error.to_string(),
        "red threshold = 0.2: expected a finite index ≥ the amber threshold 0.3"
    );
}
