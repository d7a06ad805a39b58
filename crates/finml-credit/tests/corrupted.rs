//! A model package is checked whole when it is loaded: a package edited by hand, half-copied
//! or made of files that disagree is refused with a message naming the file, for every model
//! kind, and none of them panics. Training twice gives byte-identical files.

mod common;

use std::path::{Path, PathBuf};

use common::source;
use finml_credit::{CreditModel, ErrorKind, ModelConfig, ModelKind, ModelSpec, train};

/// A small loan file: default rises with `debt` and depends on `home`.
fn loans(dir: &Path) -> PathBuf {
    let mut text = String::from("id,debt,income,home,bad\n");
    for i in 0..240 {
        let debt = (i * 37 % 101) as f64;
        let home = ["own", "rent", "mortgage"][i % 3];
        let bad = u8::from(debt + if home == "rent" { 30.0 } else { 0.0 } > 75.0);
        text += &format!("A{i},{debt},{},{home},{bad}\n", (i * 53) % 97);
    }
    let path = dir.join("loans.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// Every kind, each cut to a quick fit.
fn quick(kind: ModelKind) -> ModelSpec {
    let mut spec = ModelSpec::new(kind);
    spec.config.for_each_mut(&mut |config| match config {
        ModelConfig::SeedCnn(settings) => settings.training.epochs = 1,
        ModelConfig::Mlp(deep) => deep.training.epochs = 2,
        ModelConfig::FtTransformer(deep) => deep.training.epochs = 2,
        ModelConfig::Ensemble(blend) => {
            blend.members = [ModelKind::Logistic, ModelKind::Gbdt]
                .map(ModelConfig::new)
                .to_vec()
        }
        _ => {}
    });
    spec
}

fn save(kind: ModelKind, data: &Path, dir: &Path) -> PathBuf {
    let (model, metadata) = train(&source(data), &quick(kind), 0.25, 1, &mut |_| {}).unwrap();
    let package = dir.join(kind.name());
    model.save(&package, &metadata).unwrap();
    package
}

fn model_file(package: &Path) -> &'static str {
    if package.join("weights.bpk").exists() {
        "weights.bpk"
    } else {
        "parameters.json"
    }
}

/// Rewrites a package file and, when `rehash`, the hash `metadata.json` records for it: a
/// package whose files are consistent with their hashes but not with each other.
fn rewrite(package: &Path, name: &str, change: impl FnOnce(Vec<u8>) -> Vec<u8>, rehash: bool) {
    let path = package.join(name);
    let bytes = change(std::fs::read(&path).unwrap());
    std::fs::write(&path, &bytes).unwrap();
    if rehash {
        let metadata = package.join("metadata.json");
        let mut json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&metadata).unwrap()).unwrap();
        json["files"][name] = finml_data::bytes_sha256(&bytes).into();
        std::fs::write(&metadata, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    }
}

fn replace(from: &str, to: &str) -> impl FnOnce(Vec<u8>) -> Vec<u8> {
    let (from, to) = (from.to_string(), to.to_string());
    move |bytes| {
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains(&from), "no '{from}' to replace");
        text.replacen(&from, &to, 1).into_bytes()
    }
}

/// Loading the corrupted copy fails as a package error whose message holds every `expected`.
fn check_refused(package: &Path, corrupt: impl FnOnce(&Path), expected: &[&str]) {
    let copy = package.with_extension("corrupt");
    let _ = std::fs::remove_dir_all(&copy);
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(package).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
    }
    corrupt(&copy);
    let error = match CreditModel::load(&copy) {
        Ok(_) => panic!("{}: a corrupted package was loaded", package.display()),
        Err(error) => error,
    };
    assert_eq!(error.kind(), ErrorKind::Package, "{error}");
    let message = error.to_string();
    for part in expected {
        assert!(message.contains(part), "'{message}' lacks '{part}'");
    }
}

#[test]
fn a_corrupted_package_of_every_kind_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = loans(dir.path());
    for kind in ModelKind::ALL {
        let package = save(kind, &data, dir.path());
        let stored = model_file(&package);
        let flip_last = |mut bytes: Vec<u8>| {
            let last = bytes.len() - 2;
            bytes[last] ^= 1;
            bytes
        };
        check_refused(
            &package,
            |p| rewrite(p, stored, flip_last, false),
            &[stored, "SHA-256 differs"],
        );
        check_refused(
            &package,
            |p| rewrite(p, "schema.json", replace("\"debt\"", "\"debts\""), false),
            &["schema.json", "SHA-256 differs"],
        );
        check_refused(
            &package,
            |p| std::fs::remove_file(p.join(stored)).unwrap(),
            &[stored, "cannot read"],
        );
        check_refused(
            &package,
            |p| rewrite(p, "metadata.json", |b| b[..b.len() / 2].to_vec(), false),
            &["metadata.json", "not a valid"],
        );
        check_refused(
            &package,
            |p| {
                rewrite(
                    p,
                    "metadata.json",
                    replace("\"seed\": 42", "\"seed\": 43"),
                    false,
                )
            },
            &["metadata.json", "model settings differ"],
        );
        check_refused(
            &package,
            |p| {
                let downgrade = replace("\"format_version\": 3", "\"format_version\": 2");
                rewrite(p, "metadata.json", downgrade, false)
            },
            &["metadata.json", "format 2 records file hashes"],
        );
        // Consistent with their hashes, but not with each other.
        check_refused(
            &package,
            |p| rewrite(p, "schema.json", replace("\"debt\"", "\"debts\""), true),
            &[
                "'debts' (numeric) in schema.json",
                "'debt' (numeric) in preprocessing.json",
            ],
        );
        check_refused(
            &package,
            |p| {
                let kind_of_home = replace(
                    "\"name\": \"home\",\n      \"kind\": \"categorical\"",
                    "\"name\": \"home\",\n      \"kind\": \"numeric\"",
                );
                rewrite(p, "schema.json", kind_of_home, true)
            },
            &["'home' (numeric) in schema.json"],
        );
    }
}

#[test]
fn stored_parameters_that_do_not_fit_the_inputs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = loans(dir.path());
    let logistic = save(ModelKind::Logistic, &data, dir.path());
    check_refused(
        &logistic,
        |p| {
            let drop_a_weight = |bytes: Vec<u8>| {
                let mut json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                json["weights"].as_array_mut().unwrap().pop();
                serde_json::to_vec_pretty(&json).unwrap()
            };
            rewrite(p, "parameters.json", drop_a_weight, true)
        },
        &["takes 5 inputs, the preprocessing gives 6"],
    );
    let blend = save(ModelKind::Ensemble, &data, dir.path());
    check_refused(
        &blend,
        |p| {
            let swap = |bytes: Vec<u8>| {
                let mut json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                json["members"][0]["kind"] = "gbdt".into();
                serde_json::to_vec_pretty(&json).unwrap()
            };
            rewrite(p, "parameters.json", swap, true)
        },
        &[
            "parameters.json",
            "member 1 is stored as gbdt, set as logistic",
        ],
    );
}

/// A stored tree whose split points outside the tree, or back up it, would index out of it
/// or loop for ever when scoring.
#[test]
fn a_stored_tree_that_cannot_be_walked_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = loans(dir.path());
    let gbdt = save(ModelKind::Gbdt, &data, dir.path());
    for (child, to) in [("left_child", 0), ("right_child", 1_000_000)] {
        check_refused(
            &gbdt,
            |p| {
                let cycle = |bytes: Vec<u8>| {
                    let mut json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                    let root = &mut json["booster"]["trees"][0]["nodes"][0];
                    assert_eq!(root["is_leaf"], false);
                    root[child] = to.into();
                    serde_json::to_vec_pretty(&json).unwrap()
                };
                rewrite(p, "parameters.json", cycle, true)
            },
            &["parameters.json", "tree 0, node 0", "not nodes after it"],
        );
    }
}

/// The same data, seed and options give the same bytes in every file but `metadata.json`,
/// which differs only in the creation time and the fit's duration: a package's hashes
/// identify its model.
#[test]
fn training_twice_writes_byte_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = loans(dir.path());
    for kind in ModelKind::ALL {
        let first = save(kind, &data, &dir.path().join("first"));
        let second = save(kind, &data, &dir.path().join("second"));
        for name in ["schema.json", "preprocessing.json", model_file(&first)] {
            let read = |p: &Path| std::fs::read(p.join(name)).unwrap();
            assert!(read(&first) == read(&second), "{kind}: {name} differs");
        }
        let metadata = |p: &Path| {
            let mut json: serde_json::Value =
                serde_json::from_slice(&std::fs::read(p.join("metadata.json")).unwrap()).unwrap();
            json["created_unix_seconds"] = 0.into();
            json["fit_seconds"] = 0.into();
            json
        };
        assert_eq!(metadata(&first), metadata(&second), "{kind}");
    }
}
