//! Latency of scoring one application in-process with a saved seed-cnn package, through the
//! same `CreditModel::score` that `predict` and `evaluate` use.
//!
//! `cargo bench -p finml-credit --bench scoring` trains a one-epoch model on the bundled German
//! data first (the weights do not change the cost of a forward pass).

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use finml_credit::{DataSource, ModelKind, ModelSpec, train};
use finml_data::{MissingTarget, ReadOptions, Schema, SchemaRequest, Table, read_features};

fn one_application(c: &mut Criterion) {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/credit/german.csv");
    let source = DataSource {
        path: &data,
        read: ReadOptions::default(),
        schema: SchemaRequest {
            target: Some("creditability".into()),
            ..Default::default()
        },
        missing_target: MissingTarget::Error,
    };
    let mut spec = ModelSpec::new(ModelKind::SeedCnn);
    spec.training.epochs = 1;
    let (model, _) = train(&source, &spec, 0.2, 2, &mut |_| {}).expect("training on bundled data");
    let table = Table::read(&data, ReadOptions::default()).expect("bundled data");
    let schema: &Schema = &model.schema;
    let features = read_features(&table, schema)
        .expect("bundled data")
        .select(&[0]);
    c.bench_function("seed-cnn: score one application", |b| {
        b.iter(|| model.score(&features).unwrap())
    });
}

criterion_group!(benches, one_application);
criterion_main!(benches);
