//! The model package and the scoring path: a saved model scores exactly as it did when
//! trained, training is reproducible, and the inputs are checked before any work is done.

mod common;

use std::path::{Path, PathBuf};

use common::source;
use finml_credit::{CreditModel, ModelConfig, ModelKind, ModelSpec, predict, train};
use finml_data::ReadOptions;

/// A small synthetic loan file whose default rate rises with `debt` and depends on `home`.
fn loans(dir: &Path, rows: usize) -> PathBuf {
    let mut text = String::from("id,debt,income,home,bad\n");
    for i in 0..rows {
        let debt = (i * 37 % 101) as f64;
        let income = if i % 13 == 0 {
            String::new()
        } else {
            ((i * 53) % 97).to_string()
        };
        let home = ["own", "rent", "mortgage"][i % 3];
        let bad = u8::from(debt + if home == "rent" { 30.0 } else { 0.0 } > 75.0);
        text += &format!("A{i},{debt},{income},{home},{bad}\n");
    }
    let path = dir.join("loans.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn quick_spec() -> ModelSpec {
    let mut spec = ModelSpec::new(ModelKind::SeedCnn);
    if let ModelConfig::SeedCnn(settings) = &mut spec.config {
        settings.training.epochs = 2;
    }
    spec
}

#[test]
fn a_loaded_package_reproduces_the_training_scores_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let data = loans(dir.path(), 160);
    let (model, metadata) = train(&source(&data), &quick_spec(), 0.25, 2, &mut |_| {}).unwrap();
    let before = predict(&model, &data, ReadOptions::default()).unwrap();
    let package = dir.path().join("model");
    let written = model.save(&package, &metadata).unwrap();
    let (loaded, loaded_metadata) = CreditModel::load(&package).unwrap();
    let after = predict(&loaded, &data, ReadOptions::default()).unwrap();
    assert_eq!(before.ids, after.ids);
    let before = before.probabilities;
    assert_eq!(
        before.iter().map(|s| s.to_bits()).collect::<Vec<_>>(),
        after
            .probabilities
            .iter()
            .map(|s| s.to_bits())
            .collect::<Vec<_>>()
    );
    assert_eq!(loaded_metadata, written);
    // schema, preprocessing, weights and the settings
    assert_eq!(written.files.len(), 4);
    assert_eq!(metadata.data.train_rows + metadata.data.test_rows, 160);
    assert_eq!(metadata.data.sha256.len(), 64);
    assert_eq!(metadata.epoch_losses.len(), 2);
    assert!(before.iter().all(|p| (0.0..=1.0).contains(p)));
}

#[test]
fn a_row_scores_the_same_alone_as_in_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = loans(dir.path(), 120);
    let (model, _) = train(&source(&data), &quick_spec(), 0.0, 1, &mut |_| {}).unwrap();
    let all = predict(&model, &data, ReadOptions::default())
        .unwrap()
        .probabilities;
    let text = std::fs::read_to_string(&data).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for row in [0, 57, 119] {
        let one = dir.path().join("one.csv");
        std::fs::write(&one, format!("{}\n{}\n", lines[0], lines[row + 1])).unwrap();
        let alone = predict(&model, &one, ReadOptions::default())
            .unwrap()
            .probabilities;
        assert_eq!(alone[0].to_bits(), all[row].to_bits(), "row {row}");
    }
}

#[test]
fn training_is_bit_identical_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let data = loans(dir.path(), 100);
    let scores = |threads| {
        let (model, _) = train(&source(&data), &quick_spec(), 0.2, threads, &mut |_| {}).unwrap();
        predict(&model, &data, ReadOptions::default())
            .unwrap()
            .probabilities
    };
    let one = scores(1);
    assert_eq!(one, scores(2));
    let mut other_seed = quick_spec();
    other_seed.seed = 7;
    let (model, _) = train(&source(&data), &other_seed, 0.2, 1, &mut |_| {}).unwrap();
    assert_ne!(
        one,
        predict(&model, &data, ReadOptions::default())
            .unwrap()
            .probabilities,
        "the seed must matter"
    );
}

#[test]
fn more_inputs_than_pixels_is_an_error_that_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("code,bad\n");
    for i in 0..800 {
        text += &format!("c{i},{}\n", i % 2);
    }
    let path = dir.path().join("wide.csv");
    std::fs::write(&path, text).unwrap();
    let mut src = source(&path);
    src.schema.file = Default::default();
    let err = train(&src, &quick_spec(), 0.0, 1, &mut |_| {})
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("801 inputs"), "{err}");
}

#[test]
fn a_directory_that_is_not_a_package_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = CreditModel::load(dir.path()).err().unwrap().to_string();
    assert!(
        err.contains("metadata.json") && err.contains("cannot read"),
        "{err}"
    );
}

/// Scores `score.csv` with the package a finml of an earlier format wrote in
/// `tests/data/FIXTURE/pkg` and compares, bit for bit, with the scores that finml gave it
/// (`scores.csv`, written by that finml's `credit predict`).
fn check_scores_as_written(fixture: &str, format: u32) -> ModelSpec {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(fixture);
    let (model, metadata) = CreditModel::load(&fixture.join("pkg")).unwrap();
    assert_eq!(metadata.format_version, format);
    let scored = predict(&model, &fixture.join("score.csv"), ReadOptions::default()).unwrap();
    let written = std::fs::read_to_string(fixture.join("scores.csv")).unwrap();
    let expected: Vec<(String, f64)> = written
        .lines()
        .skip(1)
        .map(|line| {
            let (id, score) = line.split_once(',').unwrap();
            (id.to_string(), score.parse().unwrap())
        })
        .collect();
    assert_eq!(
        scored.ids,
        Some(expected.iter().map(|(id, _)| id.clone()).collect())
    );
    assert_eq!(
        scored
            .probabilities
            .iter()
            .map(|s| s.to_bits())
            .collect::<Vec<_>>(),
        expected
            .iter()
            .map(|(_, s)| s.to_bits())
            .collect::<Vec<_>>()
    );
    metadata.model
}

/// A logistic package written by finml before format 2, with the scores that finml gave its
/// `score.csv` (one level of each categorical column unseen in training, one missing). Format
/// 2 moved the unseen-level inputs after all levels; read with the new layout, this package's
/// weights would land on the wrong inputs.
#[test]
fn a_format_1_package_scores_as_it_did_when_it_was_written() {
    let spec = check_scores_as_written("format1", 1);
    assert_eq!(spec.kind(), ModelKind::Logistic);
    assert_eq!(spec.seed, 42);
}

/// An ensemble of logistic regression and a scorecard written by format 2, which kept every
/// family's settings in one bag: read into today's settings, its members keep theirs
/// (`--members logistic,scorecard --c-grid 0.1,1 --min-iv 0`), and it scores as it did (rows
/// with unseen levels and missing values among them).
#[test]
fn a_format_2_package_scores_as_it_did_when_it_was_written() {
    let spec = check_scores_as_written("format2", 2);
    let ModelConfig::Ensemble(blend) = &spec.config else {
        panic!("an ensemble, not {:?}", spec.config);
    };
    match blend.members.as_slice() {
        [
            ModelConfig::Logistic(logistic),
            ModelConfig::Scorecard(card),
        ] => {
            assert_eq!(logistic.c_grid, [0.1, 1.0]);
            assert_eq!(card.min_iv, 0.0);
        }
        members => panic!("members {members:?}"),
    }
}

/// An old package saved again is written in today's format, and loads and scores as before.
#[test]
fn an_old_package_saved_again_is_a_current_one() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let dir = tempfile::tempdir().unwrap();
    for fixture in ["format1", "format2"] {
        let (model, metadata) = CreditModel::load(&fixtures.join(fixture).join("pkg")).unwrap();
        let copy = dir.path().join(fixture);
        let written = model.save(&copy, &metadata).unwrap();
        assert_eq!(written.format_version, finml_credit::FORMAT_VERSION);
        let (again, _) = CreditModel::load(&copy).unwrap();
        let score = |m: &CreditModel| {
            let scores = predict(
                m,
                &fixtures.join(fixture).join("score.csv"),
                ReadOptions::default(),
            );
            scores.unwrap().probabilities
        };
        assert_eq!(score(&again), score(&model), "{fixture}");
    }
}

/// An ensemble blends table models; an old package claiming a blend of blends is refused
/// instead of read without end.
#[test]
fn an_old_ensemble_of_ensembles_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let package = dir.path().join("pkg");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/format2/pkg"),
        &package,
    );
    let metadata = package.join("metadata.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&metadata).unwrap()).unwrap();
    json["model"]["ensemble"]["members"] = serde_json::json!(["ensemble"]);
    std::fs::write(&metadata, json.to_string()).unwrap();
    let err = CreditModel::load(&package).err().unwrap().to_string();
    assert!(
        err.contains("an ensemble member must be a table model, not ensemble"),
        "{err}"
    );
}

#[test]
fn a_package_of_a_later_format_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let package = dir.path().join("pkg");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/format1/pkg"),
        &package,
    );
    let metadata = package.join("metadata.json");
    let text = std::fs::read_to_string(&metadata).unwrap();
    std::fs::write(
        &metadata,
        text.replace("\"format_version\": 1", "\"format_version\": 99"),
    )
    .unwrap();
    let err = CreditModel::load(&package).err().unwrap().to_string();
    assert!(err.contains("format version 99"), "{err}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}
