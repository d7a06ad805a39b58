//! Drift between two samples of the reference portfolio: a fresh random split is stable, a
//! sample shifted on purpose is flagged on the shifted columns only.

use std::path::{Path, PathBuf};

use finml_data::{ReadOptions, Table};
use finml_risk::drift::{Binning, ColumnKind, DriftOptions, DriftReport, Status, compare_files};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

/// A row of the portfolio file with a categorical `segment` column added.
struct Row {
    cells: Vec<String>,
    segment: &'static str,
}

/// The portfolio split at random into two halves of 5,000 loans.
fn random_halves() -> (Vec<Row>, Vec<Row>) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/credit_portfolio_10k.csv");
    let table = Table::read(&file, ReadOptions::default()).unwrap();
    let ead = table.column_index("EAD").unwrap();
    let mut rows: Vec<Row> = (0..table.len())
        .map(|row| {
            let large = table.cell(row, ead).parse::<f64>().unwrap() > 150_000.0;
            Row {
                cells: (0..table.headers.len())
                    .map(|column| table.cell(row, column).to_owned())
                    .collect(),
                segment: if large { "corporate" } else { "sme" },
            }
        })
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    for i in (1..rows.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        rows.swap(i, j);
    }
    let current = rows.split_off(rows.len() / 2);
    (rows, current)
}

fn write_sample(directory: &Path, name: &str, rows: &[Row]) -> PathBuf {
    let mut text = String::from("loan_id,PD,LGD,EAD,rho,segment\n");
    for row in rows {
        text.push_str(&format!("{},{}\n", row.cells.join(","), row.segment));
    }
    let path = directory.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn compare(reference: &[Row], current: &[Row], options: &DriftOptions) -> DriftReport {
    let directory = tempfile::tempdir().unwrap();
    let reference = write_sample(directory.path(), "reference.csv", reference);
    let current = write_sample(directory.path(), "current.csv", current);
    compare_files(&reference, &current, options).unwrap()
}

fn score_options(binning: Binning) -> DriftOptions {
    DriftOptions {
        score_column: Some("PD".to_owned()),
        score_binning: binning,
        ..DriftOptions::default()
    }
}

/// The status of every column, the score first.
fn statuses(report: &DriftReport) -> Vec<(String, Status)> {
    report
        .score
        .iter()
        .chain(&report.characteristics)
        .map(|column| (column.column.clone(), column.status))
        .collect()
}

#[test]
fn fresh_split_is_stable() {
    let (reference, current) = random_halves();
    for binning in [
        Binning::ReferenceQuantiles(10),
        Binning::Boundaries(vec![0.001, 0.005, 0.01, 0.03, 0.1]),
    ] {
        let report = compare(&reference, &current, &score_options(binning));
        let score = report.score.as_ref().unwrap();
        assert!(score.index < 0.01, "PSI {}", score.index);
        assert_eq!(
            report.overall_status(),
            Status::Green,
            "{:?}",
            statuses(&report)
        );
        let kinds: Vec<ColumnKind> = report
            .characteristics
            .iter()
            .map(|column| column.kind)
            .collect();
        use ColumnKind::{Categorical, Numeric};
        assert_eq!(kinds, [Numeric, Numeric, Numeric, Numeric, Categorical]);
    }
}

#[test]
fn shifted_sample_is_flagged_on_the_shifted_columns() {
    let (reference, mut current) = random_halves();
    for (i, row) in current.iter_mut().enumerate() {
        let pd: f64 = row.cells[1].parse().unwrap();
        row.cells[1] = (pd * 1.5).min(1.0).to_string();
        if i % 4 == 0 {
            row.segment = "fintech";
        }
    }
    let report = compare(
        &reference,
        &current,
        &score_options(Binning::ReferenceQuantiles(10)),
    );
    let flagged: Vec<String> = statuses(&report)
        .into_iter()
        .filter(|(_, status)| *status != Status::Green)
        .map(|(column, _)| column)
        .collect();
    assert_eq!(flagged, ["PD", "segment"]);
    let score = report.score.as_ref().unwrap();
    assert!(score.index > 0.1, "PSI {}", score.index);
    let segment = report
        .characteristics
        .iter()
        .find(|column| column.column == "segment")
        .unwrap();
    assert_eq!(segment.unseen_categories, ["fintech"]);
    let json = serde_json::to_string(&report).unwrap();
    assert!(
        !json.contains("NaN") && !json.contains("null,") && json.contains("\"status\":\"red\"")
    );
}

#[test]
fn excluded_columns_and_columns_in_one_sample_only() {
    let (reference, current) = random_halves();
    let directory = tempfile::tempdir().unwrap();
    let reference_file = write_sample(directory.path(), "reference.csv", &reference);
    let current_file = directory.path().join("current.csv");
    let text =
        std::fs::read_to_string(write_sample(directory.path(), "current.csv", &current)).unwrap();
    std::fs::write(&current_file, text.replacen("segment", "channel", 1)).unwrap();
    let options = DriftOptions {
        excluded_columns: vec!["loan_id".to_owned()],
        ..DriftOptions::default()
    };
    let report = compare_files(&reference_file, &current_file, &options).unwrap();
    let names: Vec<&str> = report
        .characteristics
        .iter()
        .map(|column| column.column.as_str())
        .collect();
    assert_eq!(names, ["PD", "LGD", "EAD", "rho"]);
    assert_eq!(report.only_in_reference, ["segment"]);
    assert_eq!(report.only_in_current, ["channel"]);
}

#[test]
fn non_numeric_score_is_reported_with_its_line() {
    let directory = tempfile::tempdir().unwrap();
    let reference = directory.path().join("reference.csv");
    let current = directory.path().join("current.csv");
    std::fs::write(&reference, "score,x\n0.1,a\n0.2,b\n").unwrap();
    std::fs::write(&current, "score,x\n0.1,a\nhigh,b\n").unwrap();
    let options = DriftOptions {
        score_column: Some("score".to_owned()),
        ..DriftOptions::default()
    };
    let message = compare_files(&reference, &current, &options)
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        format!(
            "{}, line 3, column 'score': found `high`, expected a numeric score or a missing value",
            current.display()
        )
    );
}

/// Writes `reference` and `current` and compares them with the default options.
fn compare_texts(reference: &str, current: &str) -> DriftReport {
    let directory = tempfile::tempdir().unwrap();
    let [reference_file, current_file] =
        ["reference.csv", "current.csv"].map(|name| directory.path().join(name));
    std::fs::write(&reference_file, reference).unwrap();
    std::fs::write(&current_file, current).unwrap();
    compare_files(&reference_file, &current_file, &DriftOptions::default()).unwrap()
}

/// `none` and `None` are missing values, as everywhere finml reads a file: the column stays
/// numeric, with a bin of missing values.
#[test]
fn none_is_a_missing_value() {
    let report = compare_texts(
        "income\n100\n200\nnone\n300\n",
        "income\n100\nNone\n200\n300\n",
    );
    let income = &report.characteristics[0];
    assert_eq!(income.kind, ColumnKind::Numeric);
    let missing = income.bins.last().unwrap();
    assert_eq!(missing.label, "missing");
    assert_eq!((missing.reference_count, missing.current_count), (1, 1));
}

/// Headers are read as finml-data reads them: names padded with spaces or no-break spaces
/// (as spreadsheets export them) are the same column in both samples.
#[test]
fn padded_header_names_are_the_same_columns() {
    let report = compare_texts(
        "income,home\n100,rent\n200,own\n",
        "\u{a0}income\u{a0}, home \n100,rent\n200,own\n",
    );
    let names: Vec<&str> = report
        .characteristics
        .iter()
        .map(|column| column.column.as_str())
        .collect();
    assert_eq!(names, ["income", "home"]);
    assert!(report.only_in_reference.is_empty() && report.only_in_current.is_empty());
}
