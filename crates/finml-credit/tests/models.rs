//! Logistic regression, the WoE scorecard and gradient-boosted trees: packages reload bit for bit,
//! the outer test fold never reaches a fit, and the exported scorecard reproduces the model.

mod common;

use std::path::{Path, PathBuf};

use common::source;
use finml_credit::logistic::LogisticConfig;
use finml_credit::scorecard::BinRule;
use finml_credit::{
    CreditModel, DeepConfig, ModelConfig, ModelKind, ModelSpec, fit_fold, predict, train,
};
use finml_data::{ColumnValues, Folds, ReadOptions, SchemaRequest, read_features};

/// A synthetic loan file: risk rises with `debt`, `home` = rent adds risk, `bureau` holds the
/// special code -9999 for "no record", and `income` is sometimes missing.
fn loans(dir: &Path, rows: usize) -> PathBuf {
    let mut text = String::from("id,debt,income,home,bureau,bad\n");
    for i in 0..rows {
        let debt = (i * 37 % 101) as f64;
        let income = if i % 13 == 0 {
            String::new()
        } else {
            ((i * 53) % 97).to_string()
        };
        let home = ["own", "rent", "mortgage"][i % 3];
        let bureau = if i % 7 == 0 {
            -9999
        } else {
            (i * 11 % 50) as i64
        };
        let noise = (i * 7919 % 100) as f64;
        let risk = debt + if home == "rent" { 30.0 } else { 0.0 } + noise * 0.5;
        let bad = u8::from(risk > 85.0 || (bureau == -9999 && i % 2 == 0));
        text += &format!("A{i},{debt},{income},{home},{bureau},{bad}\n");
    }
    let path = dir.join("loans.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// Every model stored as parameters: all but the seed-cnn.
const TABLE_MODELS: [ModelKind; 6] = [
    ModelKind::Logistic,
    ModelKind::Scorecard,
    ModelKind::Gbdt,
    ModelKind::Ensemble,
    ModelKind::Mlp,
    ModelKind::FtTransformer,
];

/// The defaults, with the deep nets' epoch budget cut to keep the tests quick and two
/// networks per deep model, so that the averaging is exercised.
fn spec(kind: ModelKind) -> ModelSpec {
    let mut spec = ModelSpec::new(kind);
    spec.config.for_each_mut(&mut |config| match config {
        ModelConfig::Scorecard(card) => card.special_values = vec![-9999.0],
        ModelConfig::Mlp(deep) => quick(deep),
        ModelConfig::FtTransformer(deep) => quick(deep),
        _ => {}
    });
    spec
}

fn quick<A>(deep: &mut DeepConfig<A>) {
    deep.training.epochs = 6;
    deep.members = 2;
}

/// The settings of a model fitted alone.
fn settings<T>(
    spec: &mut ModelSpec,
    of: impl FnOnce(&mut ModelConfig) -> Option<&mut T>,
) -> &mut T {
    of(&mut spec.config).expect("the spec of that family")
}

fn bits(scores: &[f64]) -> Vec<u64> {
    scores.iter().map(|s| s.to_bits()).collect()
}

#[test]
fn packages_of_every_table_model_reload_their_scores_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let data = loans(dir.path(), 400);
    for kind in TABLE_MODELS {
        let (model, metadata) = train(&source(&data), &spec(kind), 0.25, 1, &mut |_| {}).unwrap();
        let package = dir.path().join(kind.name());
        let written = model.save(&package, &metadata).unwrap();
        assert!(package.join("parameters.json").is_file(), "{kind}");
        assert!(!package.join("weights.bpk").exists(), "{kind}");
        let (loaded, loaded_metadata) = CreditModel::load(&package).unwrap();
        assert_eq!(loaded_metadata, written, "{kind}");
        assert_eq!(loaded.parameters(), model.parameters(), "{kind}");
        let before = predict(&model, &data, ReadOptions::default())
            .unwrap()
            .probabilities;
        let after = predict(&loaded, &data, ReadOptions::default())
            .unwrap()
            .probabilities;
        assert_eq!(bits(&before), bits(&after), "{kind}");
        let auc = metadata.test_metrics.unwrap().auc;
        assert!(auc > 0.8, "{kind}: test AUC {auc}");
    }
}

#[test]
fn fits_are_reproducible_and_follow_the_seed() {
    let dir = tempfile::tempdir().unwrap();
    let data = loans(dir.path(), 300);
    for kind in TABLE_MODELS {
        let fit = |seed| {
            let mut s = spec(kind);
            s.seed = seed;
            train(&source(&data), &s, 0.2, 1, &mut |_| {})
                .unwrap()
                .0
                .parameters()
        };
        assert_eq!(fit(3), fit(3), "{kind}");
        // Another seed draws another train/test split, hence another fit.
        assert_ne!(fit(3), fit(4), "{kind}");
    }
}

/// Changes every label and value of the rows at `rows`.
fn scramble(dataset: &mut finml_data::Dataset, rows: &[usize]) {
    for &i in rows {
        dataset.labels[i] = 1 - dataset.labels[i];
        for column in &mut dataset.features.columns {
            match &mut column.values {
                ColumnValues::Numeric(v) => v[i] = Some(-v[i].unwrap_or(1.0) * 3.0 + 1.0),
                ColumnValues::Categorical(v) => v[i] = Some("scrambled".into()),
            }
        }
    }
}

#[test]
fn the_test_fold_never_reaches_the_fit_or_the_choice_of_hyper_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let data = loans(dir.path(), 500);
    let (schema, dataset, _) = source(&data).load().unwrap();
    let folds = Folds::from_assignment((0..dataset.len()).map(|i| i * 7 % 5).collect());
    let (test_rows, train_rows): (Vec<usize>, Vec<usize>) =
        (0..dataset.len()).partition(|&i| i * 7 % 5 == 2);
    for kind in TABLE_MODELS {
        let fit = |d: &finml_data::Dataset| {
            fit_fold(&schema, d, &folds, 2, &spec(kind), 1)
                .unwrap()
                .0
                .parameters()
                .unwrap()
        };
        let original = fit(&dataset);
        let mut test_scrambled = dataset.clone();
        scramble(&mut test_scrambled, &test_rows);
        assert_eq!(
            fit(&test_scrambled),
            original,
            "{kind}: the test fold leaked"
        );
        // The same change to training rows must show, or the check above proves nothing.
        let mut train_scrambled = dataset.clone();
        scramble(&mut train_scrambled, &train_rows[..test_rows.len()]);
        assert_ne!(fit(&train_scrambled), original, "{kind}");
    }
    // The chosen C is part of what stayed equal: it was chosen on inner folds.
    let logistic = fit_fold(&schema, &dataset, &folds, 2, &spec(ModelKind::Logistic), 1)
        .unwrap()
        .0
        .parameters()
        .unwrap();
    assert_eq!(
        logistic["inner_log_loss"].as_array().unwrap().len(),
        LogisticConfig::default().c_grid.len()
    );
}

#[test]
fn scorecard_bins_follow_the_trend_the_share_and_the_special_values() {
    let dir = tempfile::tempdir().unwrap();
    let data = loans(dir.path(), 600);
    let mut s = spec(ModelKind::Scorecard);
    settings(&mut s, |c| match c {
        ModelConfig::Scorecard(card) => Some(card),
        _ => None,
    })
    .min_iv = 0.0;
    let (model, _) = train(&source(&data), &s, 0.0, 1, &mut |_| {}).unwrap();
    let card = model.scorecard().unwrap();
    let variable = |name: &str| card.variables.iter().find(|v| v.column == name).unwrap();
    let debt = variable("debt");
    let ranges: Vec<_> = debt
        .bins
        .iter()
        .filter(|b| matches!(b.rule, BinRule::Range { .. }))
        .collect();
    assert!(ranges.len() >= 3, "{ranges:?}");
    for pair in ranges.windows(2) {
        let rate = |b: &finml_credit::scorecard::Bin| b.bads as f64 / b.rows as f64;
        assert!(
            rate(pair[0]) < rate(pair[1]),
            "debt's default rate must rise"
        );
    }
    assert!(ranges.iter().all(|b| b.rows >= 30), "5% of 600 rows");
    let bureau = variable("bureau");
    let special = &bureau.bins[1];
    assert_eq!(special.rule, BinRule::Special { value: -9999.0 });
    assert_eq!(special.rows, 600usize.div_ceil(7));
    let missing = &variable("income").bins[0];
    assert_eq!(
        (missing.rule.clone(), missing.rows),
        (BinRule::Missing, 600usize.div_ceil(13))
    );
    // Every coefficient is sound, so points rise with WoE (the share of goods) in each column.
    for v in &card.variables {
        assert!(v.coefficient <= 0.0, "{}: {}", v.column, v.coefficient);
        let mut by_woe: Vec<_> = v.bins.iter().map(|b| (b.woe, b.points)).collect();
        by_woe.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert!(by_woe.windows(2).all(|w| w[0].1 <= w[1].1), "{}", v.column);
    }
    // points = offset / k - factor * (intercept / k + coefficient * WoE), rounded
    let factor = 20.0 / std::f64::consts::LN_2;
    assert!((card.factor - factor).abs() < 1e-12);
    assert!((card.offset - (600.0 - factor * 50f64.ln())).abs() < 1e-9);
    let k = card.variables.len() as f64;
    for v in &card.variables {
        for b in &v.bins {
            let exact =
                (card.offset - factor * card.intercept) / k - factor * v.coefficient * b.woe;
            assert!(
                (b.points - exact).abs() <= 5e-5,
                "{} {:?}",
                v.column,
                b.rule
            );
        }
    }
}

fn credit_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/credit/credit_data.csv")
}

/// Loads every row of a file into SQLite, missing values as NULL, and runs the exported SQL.
fn sql_scores(model: &CreditModel, path: &Path, sql: &str) -> Vec<f64> {
    let table = finml_data::Table::read(path, ReadOptions::default()).unwrap();
    let features = read_features(&table, &model.schema).unwrap();
    let db = rusqlite::Connection::open_in_memory().unwrap();
    let names: Vec<String> = features
        .columns
        .iter()
        .map(|c| format!("\"{}\"", c.name))
        .collect();
    db.execute(&format!("CREATE TABLE loans ({})", names.join(", ")), [])
        .unwrap();
    let slots = vec!["?"; names.len()].join(", ");
    let mut insert = db
        .prepare(&format!("INSERT INTO loans VALUES ({slots})"))
        .unwrap();
    for row in 0..features.len() {
        let values: Vec<rusqlite::types::Value> = features
            .columns
            .iter()
            .map(|c| match &c.values {
                ColumnValues::Numeric(v) => v[row].map_or(rusqlite::types::Value::Null, Into::into),
                ColumnValues::Categorical(v) => v[row]
                    .clone()
                    .map_or(rusqlite::types::Value::Null, Into::into),
            })
            .collect();
        insert.execute(rusqlite::params_from_iter(values)).unwrap();
    }
    let mut query = db
        .prepare(&format!("SELECT {sql} FROM loans ORDER BY rowid"))
        .unwrap();
    query
        .query_map([], |r| r.get::<_, f64>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn the_exported_sql_gives_finml_s_points_and_scores_on_every_row_of_credit_data() {
    let data = credit_data();
    let mut source = source(&data);
    source.schema = SchemaRequest {
        target: Some("Status".into()),
        ..Default::default()
    };
    let (model, _) = train(&source, &spec(ModelKind::Scorecard), 0.2, 1, &mut |_| {}).unwrap();
    let card = model.scorecard().unwrap();
    let table = finml_data::Table::read(&data, ReadOptions::default()).unwrap();
    let features = read_features(&table, &model.schema).unwrap();
    let points = card.scores(&features).unwrap();
    let from_sql = sql_scores(&model, &data, &card.to_sql());
    assert_eq!(from_sql.len(), table.len());
    assert_eq!(bits(&from_sql), bits(&points));
    let probabilities: Vec<f64> = from_sql.iter().map(|&s| card.probability(s)).collect();
    let scored = predict(&model, &data, ReadOptions::default())
        .unwrap()
        .probabilities;
    assert_eq!(bits(&probabilities), bits(&scored));
    // The table's rows are the bins, and each row's points are one of the table's.
    let table_points: Vec<f64> = card.table().iter().map(|r| r.points).collect();
    let per_variable = card.points(&features).unwrap();
    assert!(
        per_variable
            .iter()
            .flatten()
            .all(|p| table_points.contains(p))
    );
}

#[test]
fn a_grid_of_one_c_fixes_it_without_inner_folds() {
    let dir = tempfile::tempdir().unwrap();
    let data = loans(dir.path(), 200);
    let mut fixed = spec(ModelKind::Logistic);
    settings(&mut fixed, |c| match c {
        ModelConfig::Logistic(logistic) => Some(logistic),
        _ => None,
    })
    .c_grid = vec![0.5];
    let (model, _) = train(&source(&data), &fixed, 0.2, 1, &mut |_| {}).unwrap();
    let parameters = model.parameters().unwrap();
    assert_eq!(parameters["c"], 0.5);
    assert_eq!(parameters["inner_log_loss"], serde_json::json!([]));
}

#[test]
fn a_deep_model_needs_both_classes_among_its_early_stopping_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,debt,bad\n");
    for i in 0..40 {
        text += &format!("A{i},{},{}\n", i % 9, u8::from(i < 2));
    }
    let data = dir.path().join("rare.csv");
    std::fs::write(&data, text).unwrap();
    for kind in [ModelKind::Mlp, ModelKind::FtTransformer] {
        let error = train(&source(&data), &spec(kind), 0.0, 1, &mut |_| {})
            .err()
            .unwrap()
            .to_string();
        assert!(
            error.contains("held out for early stopping have no defaulting applicant"),
            "{kind}: {error}"
        );
    }
}

#[test]
fn a_deep_model_says_when_the_training_rows_are_too_few_to_hold_any_out() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("tiny.csv");
    std::fs::write(&data, "id,debt,bad\nA0,1,0\nA1,5,1\nA2,3,0\n").unwrap();
    let error = train(&source(&data), &spec(ModelKind::Mlp), 0.0, 1, &mut |_| {})
        .err()
        .unwrap()
        .to_string();
    assert!(
        error.contains("too few training rows: none could be held out for early stopping"),
        "{error}"
    );
}
