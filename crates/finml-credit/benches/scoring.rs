//! Latency of scoring one application in-process, for every model kind, through the same
//! `CreditModel::score` that `predict`, `evaluate` and the service use: once from features
//! already typed, and once from the request's record (table, typing, preprocessing, model),
//! which is what a service pays per call.
//!
//! `cargo bench -p finml-credit --bench scoring` fits each model on the bundled German data
//! first, with short training for the networks (the weights do not change the cost of a
//! forward pass).

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};

use criterion::{Criterion, criterion_group, criterion_main};
use finml_credit::{CreditModel, DataSource, ModelConfig, ModelKind, ModelSpec, train};
use finml_data::{MissingTarget, ReadOptions, Record, SchemaRequest, Source, Table, Value};

fn german() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/credit/german.csv")
}

fn fitted(kind: ModelKind) -> CreditModel {
    let data = german();
    let source = DataSource {
        path: &data,
        read: ReadOptions::default(),
        schema: SchemaRequest {
            target: Some("creditability".into()),
            ..Default::default()
        },
        missing_target: MissingTarget::Error,
    };
    let mut spec = ModelSpec::new(kind);
    spec.config.for_each_mut(&mut |config| match config {
        ModelConfig::SeedCnn(settings) => settings.training.epochs = 1,
        ModelConfig::Mlp(deep) => deep.training.epochs = 3,
        ModelConfig::FtTransformer(deep) => deep.training.epochs = 3,
        _ => {}
    });
    train(&source, &spec, 0.2, 2, &mut |_| {})
        .expect("training on bundled data")
        .0
}

/// An applicant of the file as a JSON client would send it.
fn application(model: &CreditModel, table: &Table, row: usize) -> Record {
    model
        .schema
        .features
        .iter()
        .map(|feature| {
            let cell = table.cell(row, table.column_index(&feature.name).unwrap());
            let value = match cell.parse::<f64>() {
                Ok(number) => Value::Number(number),
                Err(_) => Value::Text(cell.to_string()),
            };
            (feature.name.clone(), value)
        })
        .collect()
}

fn one_application(c: &mut Criterion) {
    let table = Table::read(&german(), ReadOptions::default()).expect("bundled data");
    for kind in ModelKind::ALL {
        let model = fitted(kind);
        let features = model.features(&table).expect("bundled data").select(&[0]);
        c.bench_function(&format!("{kind}: score one application"), |b| {
            b.iter(|| model.score(&features).unwrap())
        });
        let record = application(&model, &table, 0);
        c.bench_function(&format!("{kind}: score one record"), |b| {
            b.iter(|| {
                let request = Source::Records("request".into());
                let table = Table::from_records(request, [&record]).unwrap();
                model.score(&model.features(&table).unwrap()).unwrap()
            })
        });
    }
}

/// The table as Arrow columns, as pandas or Spark would hand it over: numbers as `Float64`,
/// text as `Utf8`.
fn arrow_batch(table: &Table) -> RecordBatch {
    let columns: Vec<(String, ArrayRef)> = table
        .headers
        .iter()
        .enumerate()
        .map(|(column, name)| {
            let cells: Vec<&str> = table.column(column).collect();
            let numbers: Option<Vec<f64>> = cells.iter().map(|c| c.parse().ok()).collect();
            let array: ArrayRef = match numbers {
                Some(numbers) => Arc::new(Float64Array::from(numbers)),
                None => Arc::new(StringArray::from(cells)),
            };
            (name.clone(), array)
        })
        .collect();
    RecordBatch::try_from_iter(columns).expect("columns of equal length")
}

/// 100,000 applications (the German file's rows, repeated) scored from a CSV file, from an
/// Arrow batch and from records in memory, each path including the building of its table.
fn hundred_thousand(c: &mut Criterion) {
    const ROWS: usize = 100_000;
    let text = std::fs::read_to_string(german()).expect("bundled data");
    let mut lines = text.lines();
    let header = lines.next().expect("a header");
    let rows: Vec<&str> = lines.collect();
    let mut csv = format!("{header}\n");
    for i in 0..ROWS {
        csv += rows[i % rows.len()];
        csv.push('\n');
    }
    let path = std::env::temp_dir().join("finml-bench-100k.csv");
    std::fs::write(&path, csv).expect("a temporary file");
    let table = Table::read(&path, ReadOptions::default()).expect("the written file");
    let mut group = c.benchmark_group("100k applications");
    group.sample_size(10);
    for kind in [ModelKind::Logistic, ModelKind::Gbdt] {
        let model = fitted(kind);
        let records: Vec<Record> = (0..ROWS)
            .map(|row| application(&model, &table, row))
            .collect();
        group.bench_function(format!("{kind}: from a CSV file"), |b| {
            b.iter(|| {
                let table = Table::read(&path, ReadOptions::default()).unwrap();
                model.score(&model.features(&table).unwrap()).unwrap()
            })
        });
        let batch = arrow_batch(&table);
        group.bench_function(format!("{kind}: from an Arrow batch"), |b| {
            b.iter(|| {
                let table = Table::from_batch(Source::Batch("batch".into()), &batch).unwrap();
                model.score(&model.features(&table).unwrap()).unwrap()
            })
        });
        group.bench_function(format!("{kind}: from records"), |b| {
            b.iter(|| {
                let request = Source::Records("request".into());
                let table = Table::from_records(request, &records).unwrap();
                model.score(&model.features(&table).unwrap()).unwrap()
            })
        });
    }
    group.finish();
    let _ = std::fs::remove_file(path);
}

criterion_group!(benches, one_application, hundred_thousand);
criterion_main!(benches);
