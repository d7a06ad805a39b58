//! `finml risk drift --model` as a user runs it: a credit model watching its population.

mod common;

use std::path::Path;

use common::{bundled, check_error, finml, path, stdout};
use serde_json::Value;

/// Writes a sample of german.csv: the even or the odd data rows (the file is ordered, so
/// interleaving gives two samples of one population), with `change` applied to each record.
fn write_sample(file: &Path, parity: usize, change: impl Fn(&mut Vec<String>, &csv::StringRecord)) {
    let mut reader = csv::Reader::from_path(bundled("credit/german.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let mut writer = csv::Writer::from_path(file).unwrap();
    writer.write_record(&headers).unwrap();
    for record in reader.records().skip(parity).step_by(2) {
        let mut cells: Vec<String> = record.unwrap().iter().map(str::to_owned).collect();
        change(&mut cells, &headers);
        writer.write_record(&cells).unwrap();
    }
    writer.flush().unwrap();
}

/// Multiplies the numeric column `name` by `factor`.
fn scale(cells: &mut [String], headers: &csv::StringRecord, name: &str, factor: f64) {
    let index = headers.iter().position(|header| header == name).unwrap();
    let value: f64 = cells[index].parse().unwrap();
    cells[index] = (value * factor).to_string();
}

fn drift(model: &str, reference: &str, current: &str) -> Value {
    serde_json::from_str(&stdout(&finml(&[
        "risk",
        "drift",
        "--model",
        model,
        "--reference",
        reference,
        "--current",
        current,
        "--json",
    ])))
    .unwrap()
}

fn status_of<'a>(report: &'a Value, column: &str) -> &'a str {
    report["characteristics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|line| line["column"] == column)
        .unwrap_or_else(|| panic!("no line for {column} in {report}"))["status"]
        .as_str()
        .unwrap()
}

/// Trains a credit model of `kind` on german.csv into `dir/model`, with `options` added.
fn train(dir: &Path, kind: &str, options: &[&str]) -> String {
    let model = path(dir, "model");
    let german = bundled("credit/german.csv");
    let mut args = vec![
        "credit",
        "train",
        "--data",
        &german,
        "--target",
        "creditability",
        "--model",
        kind,
        "--quiet",
        "--out",
        &model,
    ];
    args.extend(options);
    stdout(&finml(&args));
    model
}

/// Two samples of one population (reference, fresh) and the fresh one with credit_amount
/// tripled and duration_in_month doubled (shifted).
fn samples(dir: &Path) -> [String; 3] {
    let [reference, fresh, shifted] =
        ["reference.csv", "fresh.csv", "shifted.csv"].map(|f| path(dir, f));
    write_sample(Path::new(&reference), 0, |_, _| {});
    write_sample(Path::new(&fresh), 1, |_, _| {});
    write_sample(Path::new(&shifted), 1, |cells, headers| {
        scale(cells, headers, "credit_amount", 3.0);
        scale(cells, headers, "duration_in_month", 2.0);
    });
    [reference, fresh, shifted]
}

/// A logistic model, whose score surely follows the two shifted columns: the seed-cnn on
/// german barely uses them (its score's PSI is about 0.07 with or without the shift).
#[test]
fn drift_of_a_credit_model_flags_a_shifted_population_only() {
    let dir = tempfile::tempdir().unwrap();
    let model = train(dir.path(), "logistic", &[]);
    let [reference, fresh, shifted] = samples(dir.path());

    let stable = drift(&model, &reference, &fresh);
    assert_eq!(stable["score"]["column"], "model score");
    let stable_psi = stable["score"]["index"].as_f64().unwrap();
    assert!(stable_psi < 0.1, "{stable}");
    assert_eq!(status_of(&stable, "credit_amount"), "green");
    let columns = stable["characteristics"].as_array().unwrap();
    assert_eq!(columns.len(), 20, "the model's 20 inputs, not the target");

    let moved = drift(&model, &reference, &shifted);
    assert!(moved["score"]["index"].as_f64().unwrap() > 0.25, "{moved}");
    assert_eq!(moved["score"]["status"], "red");
    assert_eq!(status_of(&moved, "credit_amount"), "red");
    assert_eq!(status_of(&moved, "duration_in_month"), "red");
    assert_eq!(status_of(&moved, "purpose"), "green");
}

/// The spec's CNN through the same path: both samples scored, every applicant in a score bin.
#[test]
fn drift_through_the_seed_cnn_scores_every_applicant_of_both_samples() {
    let dir = tempfile::tempdir().unwrap();
    let model = train(dir.path(), "seed-cnn", &["--epochs", "1"]);
    let [reference, _, shifted] = samples(dir.path());
    let moved = drift(&model, &reference, &shifted);
    let bins = moved["score"]["bins"].as_array().unwrap();
    for side in ["reference_count", "current_count"] {
        let counted: u64 = bins.iter().map(|bin| bin[side].as_u64().unwrap()).sum();
        assert_eq!(counted, 500, "{side} in {moved}");
    }
    assert_eq!(status_of(&moved, "credit_amount"), "red");
}

#[test]
fn drift_with_a_model_refuses_what_it_cannot_score() {
    let dir = tempfile::tempdir().unwrap();
    let german = bundled("credit/german.csv");
    check_error(
        &[
            "risk",
            "drift",
            "--model",
            &path(dir.path(), "absent"),
            "--reference",
            &german,
            "--current",
            &german,
        ],
        &["absent"],
    );
    check_error(
        &[
            "risk",
            "drift",
            "--model",
            &path(dir.path(), "absent"),
            "--score-column",
            "score",
            "--reference",
            &german,
            "--current",
            &german,
        ],
        &["cannot be used with"],
    );
}
