//! Scoring applications handed over in memory gives the same bits as scoring the same rows
//! from a CSV file: records and Arrow batches are one more source of a table.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use finml_credit::{CreditModel, DataSource, ModelKind, ModelSpec, train};
use finml_data::{
    ColumnKind, MissingTarget, ReadOptions, Record, SchemaRequest, Source, Table, Value,
};
use proptest::prelude::*;

fn bundled(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/credit")
        .join(name)
}

fn trained(name: &str, target: &str) -> (CreditModel, Table) {
    let path = bundled(name);
    let source = DataSource {
        path: &path,
        read: ReadOptions::default(),
        schema: SchemaRequest {
            target: Some(target.into()),
            ..Default::default()
        },
        missing_target: MissingTarget::Error,
    };
    let (model, _) = train(
        &source,
        &ModelSpec::new(ModelKind::Logistic),
        0.2,
        1,
        &mut |_| {},
    )
    .unwrap();
    (model, Table::read(&path, ReadOptions::default()).unwrap())
}

/// The rows as a JSON client would send them: numbers as numbers, text as text, missing
/// values as null.
fn records(model: &CreditModel, table: &Table, rows: &[usize]) -> Vec<Record> {
    rows.iter()
        .map(|&row| {
            model
                .schema
                .features
                .iter()
                .map(|feature| {
                    let cell = table.cell(row, table.column_index(&feature.name).unwrap());
                    let value = if finml_data::is_missing(cell) {
                        Value::Missing
                    } else if feature.kind == ColumnKind::Numeric {
                        Value::Number(cell.parse().unwrap())
                    } else {
                        Value::Text(cell.to_string())
                    };
                    (feature.name.clone(), value)
                })
                .collect()
        })
        .collect()
}

/// The rows as an Arrow batch of text columns, nulls for missing values.
fn batch(table: &Table, rows: &[usize]) -> RecordBatch {
    let columns: Vec<(String, ArrayRef)> = table
        .headers
        .iter()
        .enumerate()
        .map(|(column, name)| {
            let cells: Vec<Option<&str>> = rows
                .iter()
                .map(|&row| Some(table.cell(row, column)).filter(|c| !c.is_empty()))
                .collect();
            (name.clone(), Arc::new(StringArray::from(cells)) as ArrayRef)
        })
        .collect();
    RecordBatch::try_from_iter(columns).unwrap()
}

fn bits(scores: &[f64]) -> Vec<u64> {
    scores.iter().map(|s| s.to_bits()).collect()
}

fn check_same_scores(model: &CreditModel, table: &Table, rows: &[usize]) {
    let expected = model
        .score(&model.features(table).unwrap().select(rows))
        .unwrap();
    let records = records(model, table, rows);
    let from_records = Table::from_records(Source::Records("request".into()), &records).unwrap();
    let scored = model
        .score(&model.features(&from_records).unwrap())
        .unwrap();
    assert_eq!(bits(&scored), bits(&expected), "records, rows {rows:?}");
    let from_batch = Table::from_batch(Source::Batch("batch".into()), &batch(table, rows)).unwrap();
    let scored = model.score(&model.features(&from_batch).unwrap()).unwrap();
    assert_eq!(bits(&scored), bits(&expected), "batch, rows {rows:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn records_score_as_the_same_csv_rows(
        german in proptest::collection::vec(0usize..1000, 1..40),
        credit_data in proptest::collection::vec(0usize..4454, 1..40),
    ) {
        thread_local! {
            static MODELS: [(CreditModel, Table); 2] = [
                trained("german.csv", "creditability"),
                trained("credit_data.csv", "Status"),
            ];
        }
        MODELS.with(|models| {
            check_same_scores(&models[0].0, &models[0].1, &german);
            check_same_scores(&models[1].0, &models[1].1, &credit_data);
        });
    }
}
