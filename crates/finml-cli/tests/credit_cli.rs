//! `finml credit` and `finml demo` as a user runs them, on the bundled real data.

mod common;

use common::{bundled, check_error, finml, path, stdout};

/// A file of the bundled credit data.
fn data(file: &str) -> String {
    bundled(&format!("credit/{file}"))
}

#[test]
fn train_evaluate_predict_on_german_credit() {
    let dir = tempfile::tempdir().unwrap();
    let model = path(dir.path(), "model");
    let german = data("german.csv");
    let trained = stdout(&finml(&[
        "credit",
        "train",
        "--data",
        &german,
        "--target",
        "creditability",
        "--epochs",
        "2",
        "--quiet",
        "--out",
        &model,
    ]));
    assert!(
        trained.contains("800 rows") && trained.contains("200 held out"),
        "{trained}"
    );
    for file in [
        "metadata.json",
        "schema.json",
        "preprocessing.json",
        "weights.bpk",
    ] {
        assert!(dir.path().join("model").join(file).is_file(), "{file}");
    }
    let evaluation: serde_json::Value = serde_json::from_str(&stdout(&finml(&[
        "credit", "evaluate", "--model", &model, "--data", &german, "--json",
    ])))
    .unwrap();
    assert_eq!(evaluation["rows"], 1000);
    assert!(evaluation["auc"].as_f64().unwrap() > 0.6, "{evaluation}");
    let scores = path(dir.path(), "scores.csv");
    stdout(&finml(&[
        "credit", "predict", "--model", &model, "--data", &german, "--out", &scores,
    ]));
    let written = std::fs::read_to_string(&scores).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines[0], "row,probability_of_default");
    assert_eq!(lines.len(), 1001);
    let pd: f64 = lines[1].split(',').nth(1).unwrap().parse().unwrap();
    assert!((0.0..=1.0).contains(&pd));
    // Without --out the same CSV goes to standard output, and nothing else does.
    let piped = stdout(&finml(&[
        "credit", "predict", "--model", &model, "--data", &german,
    ]));
    assert_eq!(piped, written);
}

#[test]
fn train_shows_the_schema_it_decided() {
    let dir = tempfile::tempdir().unwrap();
    let model = path(dir.path(), "model");
    let german = data("german.csv");
    let train = |json: &[&str]| {
        let mut args = vec![
            "credit",
            "train",
            "--data",
            &german,
            "--target",
            "creditability",
            "--model",
            "logistic",
            "--c-grid",
            "1",
            "--quiet",
            "--out",
            &model,
        ];
        args.extend(json);
        stdout(&finml(&args))
    };
    let printed = train(&[]);
    assert!(
        printed.contains("target 'creditability' (default = '1', else '0')"),
        "{printed}"
    );
    assert!(
        printed.contains("7 numeric: duration_in_month, credit_amount"),
        "{printed}"
    );
    assert!(printed.contains("13 categorical: "), "{printed}");
    let report: serde_json::Value = serde_json::from_str(&train(&["--json"])).unwrap();
    let features = report["schema"]["features"].as_array().unwrap();
    assert_eq!(features.len(), 20);
    assert_eq!(features[1]["name"], "duration_in_month");
    assert_eq!(features[1]["kind"], "numeric");
    assert_eq!(report["metadata"]["model"]["config"]["kind"], "logistic");
    assert_eq!(report["metadata"]["files"].as_object().unwrap().len(), 4);
}

#[test]
fn cv_on_fixed_folds_prints_one_json_object() {
    let out = stdout(&finml(&[
        "credit",
        "cv",
        "--data",
        &data("german.csv"),
        "--target",
        "creditability",
        "--folds",
        &data("folds/german.csv"),
        "--model",
        "seed-cnn",
        "--epochs",
        "1",
        "--json",
    ]));
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["model"], "seed-cnn");
    let folds = report["folds"].as_array().unwrap();
    assert_eq!(folds.len(), 5);
    assert_eq!(
        folds
            .iter()
            .map(|f| f["rows"].as_u64().unwrap())
            .sum::<u64>(),
        1000
    );
    for key in [
        "auc",
        "ks",
        "gini",
        "brier",
        "log_loss",
        "accuracy",
        "fit_seconds",
    ] {
        assert!(
            report["mean"][key].is_f64() && report["std"][key].is_f64(),
            "{key}"
        );
        assert!(folds[0][key].is_f64(), "{key}");
    }
}

#[test]
fn demo_trains_saves_and_scores_three_applicants() {
    let dir = tempfile::tempdir().unwrap();
    let out = stdout(&finml(&[
        "demo",
        "--quiet",
        "--out",
        &path(dir.path(), "demo"),
    ]));
    assert!(out.contains("test") && out.contains("applicant 3"), "{out}");
    assert!(dir.path().join("demo/model/weights.bpk").is_file());
}

#[test]
fn bad_input_gets_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "a,b,bad\n1,2,0\n3,4\n").unwrap();
    let bad = bad.display().to_string();
    let model = path(dir.path(), "m");
    check_error(
        &[
            "credit", "train", "--data", &bad, "--target", "bad", "--out", &model,
        ],
        &["bad.csv", "line 3", "expected 3 fields"],
    );
    check_error(
        &[
            "credit", "train", "--data", "nope.csv", "--target", "x", "--out", &model,
        ],
        &["nope.csv", "cannot read"],
    );
    check_error(
        &[
            "credit",
            "train",
            "--data",
            &data("german.csv"),
            "--target",
            "nope",
            "--out",
            &model,
        ],
        &["no column named 'nope'"],
    );
    check_error(
        &[
            "credit",
            "evaluate",
            "--model",
            "missing-dir",
            "--data",
            &bad,
        ],
        &["missing-dir", "not a directory"],
    );
    check_error(
        &[
            "credit",
            "train",
            "--data",
            &data("german.csv"),
            "--target",
            "creditability",
            "--model",
            "magic",
            "--out",
            &model,
        ],
        &["unknown model 'magic'", "seed-cnn"],
    );
}

#[test]
fn a_scorecard_prints_its_table_and_exports_csv_json_and_sql() {
    let dir = tempfile::tempdir().unwrap();
    let model = path(dir.path(), "card");
    let credit = data("credit_data.csv");
    stdout(&finml(&[
        "credit",
        "train",
        "--data",
        &credit,
        "--target",
        "Status",
        "--model",
        "scorecard",
        "--special-value",
        "-9999",
        "--pdo",
        "40",
        "--out",
        &model,
    ]));
    let (csv, json, sql) = (
        path(dir.path(), "card.csv"),
        path(dir.path(), "card.json"),
        path(dir.path(), "card.sql"),
    );
    let table = stdout(&finml(&[
        "credit",
        "scorecard",
        "--model",
        &model,
        "--csv",
        &csv,
        "--json",
        &json,
        "--sql",
        &sql,
    ]));
    assert!(
        table.contains("Seniority") && table.contains("missing"),
        "{table}"
    );
    let csv = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        csv.lines().next(),
        Some("variable,bin,count,bad_rate,woe,iv,points")
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(json["pdo"], 40.0);
    assert_eq!(
        json["bins"].as_array().unwrap().len(),
        csv.lines().count() - 1
    );
    let sql = std::fs::read_to_string(&sql).unwrap();
    assert!(
        sql.contains("CASE") && sql.contains("\"Seniority\" IS NULL"),
        "{sql}"
    );
    check_error(
        &["credit", "scorecard", "--model", "missing-dir"],
        &["missing-dir", "not a directory"],
    );
}

#[test]
fn compare_marks_the_best_model_and_pairs_the_others_with_it() {
    let out = stdout(&finml(&[
        "credit",
        "compare",
        "--data",
        &data("german.csv"),
        "--target",
        "creditability",
        "--folds",
        &data("folds/german.csv"),
        "--models",
        "logistic,scorecard",
        "--json",
    ]));
    let c: serde_json::Value = serde_json::from_str(&out).unwrap();
    let reports = c["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 2);
    let auc = |i: usize| reports[i]["mean"]["auc"].as_f64().unwrap();
    let best = if auc(0) >= auc(1) { 0 } else { 1 };
    assert_eq!(c["best"], reports[best]["model"]);
    let paired = c["paired"].as_array().unwrap();
    let differences = |i: usize| -> Vec<f64> {
        paired[i]["auc_differences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_f64().unwrap())
            .collect()
    };
    assert_eq!(differences(best), vec![0.0; 5]);
    let other = differences(1 - best);
    let fold_auc = |r: usize, f: usize| reports[r]["folds"][f]["auc"].as_f64().unwrap();
    for (fold, d) in other.iter().enumerate() {
        assert_eq!(*d, fold_auc(1 - best, fold) - fold_auc(best, fold));
    }
}

#[test]
fn special_values_of_the_schema_file_get_their_own_scorecard_bin() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("bureau,debt,bad\n");
    for i in 0..300 {
        let bureau = if i % 5 == 0 { -9999 } else { i % 40 };
        text += &format!("{bureau},{},{}\n", i * 37 % 101, u8::from(i % 3 == 0));
    }
    let loans = dir.path().join("loans.csv");
    std::fs::write(&loans, text).unwrap();
    let schema = dir.path().join("schema.toml");
    std::fs::write(&schema, "target = \"bad\"\nspecial_values = [-9999]\n").unwrap();
    let model = path(dir.path(), "card");
    stdout(&finml(&[
        "credit",
        "train",
        "--data",
        &loans.display().to_string(),
        "--schema",
        &schema.display().to_string(),
        "--model",
        "scorecard",
        "--min-iv",
        "0",
        "--test-fraction",
        "0",
        "--out",
        &model,
    ]));
    let table = stdout(&finml(&["credit", "scorecard", "--model", &model]));
    let special = table
        .lines()
        .find(|l| l.starts_with("bureau") && l.contains("= -9999"))
        .unwrap_or_else(|| panic!("no special bin in\n{table}"));
    // bureau, =, -9999, count: 60 of the 300 rows hold the code
    assert_eq!(special.split_whitespace().nth(3), Some("60"), "{special}");
}

fn german_cv(model_flags: &[&str]) -> serde_json::Value {
    let (german, folds) = (data("german.csv"), data("folds/german.csv"));
    let mut args = vec![
        "credit",
        "cv",
        "--data",
        &german,
        "--target",
        "creditability",
        "--folds",
        &folds,
        "--json",
    ];
    args.extend(model_flags);
    serde_json::from_str(&stdout(&finml(&args))).unwrap()
}

#[test]
fn models_cross_validate_above_chance() {
    let check = |flags: &[&str], floor: f64| {
        let report = german_cv(flags);
        assert_eq!(report["model"], flags[1]);
        let auc = report["mean"]["auc"].as_f64().unwrap();
        assert!(auc > floor, "{flags:?}: mean AUC {auc}");
    };
    check(&["--model", "logistic"], 0.75);
    check(&["--model", "scorecard"], 0.75);
    check(&["--model", "mlp"], 0.76);
    check(&["--model", "ft-transformer", "--epochs", "8"], 0.7);
}

#[test]
fn an_mlp_ensemble_saves_its_members_and_scores_as_trained() {
    let dir = tempfile::tempdir().unwrap();
    let model = path(dir.path(), "mlp");
    let german = data("german.csv");
    let train = |out: &str| {
        stdout(&finml(&[
            "credit",
            "train",
            "--data",
            &german,
            "--target",
            "creditability",
            "--model",
            "mlp",
            "--ensemble",
            "3",
            "--epochs",
            "20",
            "--quiet",
            "--out",
            out,
        ]))
    };
    train(&model);
    let read = |name: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(dir.path().join("mlp").join(name)).unwrap();
        serde_json::from_str(&text).unwrap()
    };
    let members = read("parameters.json")["members"].as_array().unwrap().len();
    assert_eq!(members, 3);
    let metadata = read("metadata.json");
    assert_eq!(metadata["model"]["config"]["kind"], "mlp");
    assert_eq!(metadata["model"]["config"]["members"], 3);
    let test_auc = metadata["test_metrics"]["auc"].as_f64().unwrap();
    assert!(test_auc > 0.7, "test AUC {test_auc}");
    // Training again gives the same package scores, and scoring reloads them exactly.
    let again = path(dir.path(), "again");
    train(&again);
    let score = |package: &str| {
        let out = path(dir.path(), "scores.csv");
        stdout(&finml(&[
            "credit", "predict", "--model", package, "--data", &german, "--out", &out,
        ]));
        std::fs::read_to_string(&out).unwrap()
    };
    assert_eq!(score(&model), score(&again));
}

#[test]
fn deep_model_options_are_checked() {
    let german = data("german.csv");
    let train = [
        "credit",
        "train",
        "--data",
        &german,
        "--target",
        "creditability",
        "--quiet",
    ];
    let with = |extra: &[&'static str]| {
        let mut args = train.to_vec();
        args.extend(extra);
        args.extend(["--out", "/nonexistent/never-written"]);
        args
    };
    for (extra, expected) in [
        (
            &["--model", "mlp", "--ensemble", "0"][..],
            "--ensemble must be at least 1",
        ),
        (
            &["--model", "mlp", "--patience", "0"],
            "--patience must be at least 1",
        ),
        (
            &["--model", "mlp", "--weight-decay=-1"],
            "the weight decay must be a number of at least 0, not -1",
        ),
        (
            &["--model", "ft-transformer", "--dropout", "1.5"],
            "dropout must be in [0, 1), not 1.5",
        ),
        (
            &["--model", "ensemble", "--members", "gbdt,seed-cnn"],
            "expected one or more of logistic, scorecard, gbdt, mlp, ft-transformer",
        ),
    ] {
        check_error(&with(extra), &[expected]);
    }
}

/// The libraries say what is wrong in their own words; the command line adds which flag fixes
/// it.
#[test]
fn errors_name_the_flag_that_fixes_them() {
    let dir = tempfile::tempdir().unwrap();
    let loans = dir.path().join("loans.csv");
    std::fs::write(&loans, "a,outcome\n1,paid\n2,late\n3,\n").unwrap();
    let loans = loans.display().to_string();
    let model = path(dir.path(), "m");
    let train = |extra: &[&'static str]| {
        let mut args = vec!["credit", "train", "--data", &loans, "--out", &model];
        args.extend(extra);
        args
    };
    check_error(
        &train(&[]),
        &["loans.csv: no target column", "pass --target"],
    );
    check_error(
        &train(&["--target", "outcome"]),
        &["'paid' or 'late'", "pass --positive"],
    );
    check_error(
        &train(&["--target", "outcome", "--positive", "late"]),
        &["line 4", "the target is missing", "--skip-missing-target"],
    );
}
