//! all-MiniLM-L6-v2 on burn against the embeddings sentence-transformers computed for the same
//! texts (tests/data/README.md says where they come from). Needs the model that
//! `.ci/fetch-minilm.sh` fetches.

use std::path::{Path, PathBuf};

use finml_assist::{EncoderError, SentenceEncoder};
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    text: String,
    embedding: Vec<f32>,
}

/// Where `.ci/fetch-minilm.sh` unpacks the model: `$FINML_CACHE` or the workspace's target/.
fn model_dir() -> PathBuf {
    let cache = std::env::var_os("FINML_CACHE").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    cache.join("models/all-MiniLM-L6-v2")
}

fn encoder() -> SentenceEncoder {
    SentenceEncoder::load(&model_dir()).unwrap_or_else(|error| panic!("{error}"))
}

fn reference() -> Vec<Item> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/minilm_reference_embeddings.json");
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str::<Reference>(&text).unwrap().items
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot = |x: &[f32], y: &[f32]| -> f64 {
        x.iter()
            .zip(y)
            .map(|(p, q)| f64::from(*p) * f64::from(*q))
            .sum()
    };
    dot(a, b) / (dot(a, a) * dot(b, b)).sqrt()
}

#[test]
fn embeddings_match_sentence_transformers() {
    let encoder = encoder();
    let items = reference();
    let texts: Vec<&str> = items.iter().map(|item| item.text.as_str()).collect();
    // One batch: the short questions are padded to the 256 tokens of the longest text.
    let embeddings = encoder.embed(&texts).unwrap();
    assert_eq!(embeddings.len(), items.len());
    for (item, embedding) in items.iter().zip(&embeddings) {
        assert_eq!(embedding.len(), encoder.dim());
        let similarity = cosine(embedding, &item.embedding);
        assert!(
            similarity >= 0.9999,
            "cosine {similarity:.6} for {:?}",
            &item.text[..40]
        );
        let squares: f64 = embedding.iter().map(|x| f64::from(*x).powi(2)).sum();
        assert!((squares - 1.0).abs() < 1e-5, "squared norm {squares}");
    }
}

#[test]
fn texts_past_256_tokens_are_truncated() {
    let encoder = encoder();
    let items = reference();
    let longest = items.iter().max_by_key(|item| item.text.len()).unwrap();
    let longer = format!(
        "{} And one more sentence that only an untruncated model would read.",
        longest.text
    );
    let embeddings = encoder.embed(&[&longest.text, &longer]).unwrap();
    assert!(cosine(&embeddings[0], &embeddings[1]) > 0.999_999);
}

#[test]
fn a_text_embeds_the_same_alone_and_padded_in_a_batch() {
    let encoder = encoder();
    let items = reference();
    let longest = items.iter().max_by_key(|item| item.text.len()).unwrap();
    let alone = encoder.embed(&[&items[0].text]).unwrap();
    let batched = encoder.embed(&[&items[0].text, &longest.text]).unwrap();
    assert!(cosine(&alone[0], &batched[0]) > 0.999_999);
    assert!(cosine(&alone[0], &items[0].embedding) >= 0.9999);
}

#[test]
fn a_missing_model_says_how_to_fetch_it() {
    let empty = tempfile::tempdir().unwrap();
    let error = SentenceEncoder::load(empty.path()).err().unwrap();
    assert!(matches!(error, EncoderError::Missing(_)), "{error}");
    assert!(error.to_string().contains(".ci/fetch-minilm.sh"), "{error}");
}
