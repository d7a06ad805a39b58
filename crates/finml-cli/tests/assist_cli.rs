//! `finml assist` as a user runs it, on the bundled banking messages.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{bundled, check_error, finml, path, stdout};

/// A file of the bundled banking messages.
fn data(file: &str) -> String {
    bundled(&format!("assist/{file}"))
}

#[test]
fn train_eval_classify_on_the_bundled_messages() {
    let dir = tempfile::tempdir().unwrap();
    let model = path(dir.path(), "model");
    let trained = stdout(&finml(&[
        "assist",
        "train",
        "--data",
        &data("train.tsv"),
        "--model",
        "transformer",
        "--out",
        &model,
        "--epochs",
        "12",
        "--seed",
        "7",
        "--quiet",
    ]));
    assert!(trained.contains("478 messages (29 intents"), "{trained}");
    for file in ["model.json", "vocab.txt", "weights.bpk"] {
        assert!(
            dir.path().join("model").join(file).is_file(),
            "{file} missing"
        );
    }
    let vocab = std::fs::read_to_string(dir.path().join("model/vocab.txt")).unwrap();
    assert!(
        !vocab.contains("4111") && !vocab.contains("7946"),
        "PII in the vocabulary"
    );

    let json = stdout(&finml(&[
        "assist",
        "eval",
        "--model",
        &model,
        "--data",
        &data("test.tsv"),
        "--json",
    ]));
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    for key in [
        "rows",
        "threshold",
        "accuracy",
        "macro_f1",
        "oos_precision",
        "oos_recall",
        "handoffs",
        "threshold_sweep",
    ] {
        assert!(report.get(key).is_some(), "no {key} in {json}");
    }
    assert_eq!(report["rows"], 218);
    assert_eq!(report["threshold"], 0.5);
    // Chance is 1/29 (0.034) and always answering the largest intent 23/218 (0.11).
    let accuracy = report["accuracy"].as_f64().unwrap();
    assert!(accuracy > 0.4, "accuracy {accuracy}");
    assert!(report["macro_f1"].as_f64().unwrap() > 0.3, "{json}");

    let routed = stdout(&finml(&[
        "assist",
        "classify",
        "--model",
        &model,
        "--json",
        "I lost my card, please block it",
    ]));
    let routed: serde_json::Value = serde_json::from_str(&routed).unwrap();
    assert_eq!(routed["best_intent"], "card_lost_or_stolen", "{routed}");
    let all_handed_off = stdout(&finml(&[
        "assist",
        "classify",
        "--model",
        &model,
        "--threshold",
        "1",
        "I lost my card",
    ]));
    assert!(
        all_handed_off.starts_with("hand-off to a person"),
        "{all_handed_off}"
    );
}

#[test]
fn bad_training_files_name_the_line_and_what_was_expected() {
    let dir = tempfile::tempdir().unwrap();
    let bad = path(dir.path(), "bad.tsv");
    let out = path(dir.path(), "model");
    std::fs::write(
        &bad,
        "lost card\tcard_lost_or_stolen\nno tab on this line\n",
    )
    .unwrap();
    check_error(
        &["assist", "train", "--data", &bad, "--out", &out],
        &[
            "bad.tsv, line 2, column 2",
            "a tab between the text and the intent",
        ],
    );
    std::fs::write(&bad, "\tcard_lost_or_stolen\n").unwrap();
    check_error(
        &["assist", "train", "--data", &bad, "--out", &out],
        &["line 1, column 1", "non-empty message"],
    );
    check_error(
        &["assist", "eval", "--model", &out, "--data", &bad],
        &["model.json"],
    );
}

#[test]
fn redact_masks_each_line_of_stdin() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_finml"))
        .args(["assist", "redact"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"card 4111 1111 1111 1111 paid 1,250.00\nmail jo@example.com or +44 20 7946 0958\n",
        )
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        stdout(&output),
        "card [CARD] paid 1,250.00\nmail [EMAIL] or [PHONE]\n"
    );
}
