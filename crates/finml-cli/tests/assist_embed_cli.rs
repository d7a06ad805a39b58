//! `finml assist embed` as a user runs it. Needs the model that `.ci/fetch-minilm.sh` fetches.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// Where `.ci/fetch-minilm.sh` unpacks the model: `$FINML_CACHE` or the workspace's target/.
fn model_dir() -> PathBuf {
    let cache = std::env::var_os("FINML_CACHE").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    cache.join("models/all-MiniLM-L6-v2")
}

fn embed(model: &Path, extra: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_finml"))
        .args(["assist", "embed", "--model"])
        .arg(model)
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that fails before reading stdin closes it: its exit status is what counts.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn success(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "failed: {stderr}");
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn json_has_one_unit_embedding_per_line_in_order() {
    let input = "I lost my card\n\nMy card is missing\nWhat is the interest rate on savings?\n\
                 Block card 4111 1111 1111 1111 now\n";
    let items: Vec<Value> =
        serde_json::from_str(&success(&embed(&model_dir(), &["--json"], input))).unwrap();
    let texts: Vec<&str> = items.iter().map(|i| i["text"].as_str().unwrap()).collect();
    assert_eq!(
        texts,
        [
            "I lost my card",
            "",
            "My card is missing",
            "What is the interest rate on savings?",
            "Block card [CARD] now"
        ],
        "texts are echoed in order, redacted"
    );
    let vectors: Vec<Vec<f64>> = items
        .iter()
        .map(|i| serde_json::from_value(i["embedding"].clone()).unwrap())
        .collect();
    for vector in &vectors {
        assert_eq!(vector.len(), 384);
        assert!((dot(vector, vector) - 1.0).abs() < 1e-5);
    }
    // Paraphrases are nearer each other than to an unrelated question.
    assert!(dot(&vectors[0], &vectors[2]) > dot(&vectors[0], &vectors[3]) + 0.2);
}

#[test]
fn plain_output_is_one_line_of_numbers_per_text_matching_json() {
    let input = "Why was my card declined?\nHow do I reset my password?\n";
    let plain = success(&embed(&model_dir(), &[], input));
    let json: Vec<Value> =
        serde_json::from_str(&success(&embed(&model_dir(), &["--json"], input))).unwrap();
    let lines: Vec<&str> = plain.lines().collect();
    assert_eq!(lines.len(), 2);
    for (line, item) in lines.iter().zip(&json) {
        let numbers: Vec<f64> = line.split(' ').map(|x| x.parse().unwrap()).collect();
        let expected: Vec<f64> = serde_json::from_value(item["embedding"].clone()).unwrap();
        assert_eq!(numbers, expected);
    }
}

#[test]
fn a_missing_model_fails_with_the_fetch_command() {
    let empty = tempfile::tempdir().unwrap();
    let output = embed(empty.path(), &[], "hello\n");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains(".ci/fetch-minilm.sh"), "{stderr}");
}
