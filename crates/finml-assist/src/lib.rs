//! Customer service for finml: redaction of personal data, labelled banking messages, intent
//! classifiers (a small transformer trained from scratch on burn, and retrieval or a softmax
//! head on the pretrained all-MiniLM-L6-v2 embeddings) that route each message to an intent or
//! hand it to a person, and FAQ answering by embedding similarity.
//!
//! ```no_run
//! use finml_assist::{IntentModel, IntentSpec, read_examples};
//! use std::path::Path;
//! let train = Path::new("data/assist/train.tsv");
//! let examples = read_examples(train)?;
//! let model = IntentModel::train(&examples, train, &IntentSpec::default(), &mut |_, _| {})?;
//! let routed = model.classify(&["I lost my card yesterday"]);
//! println!("{} ({:.2})", routed[0].intent, routed[0].best.probability);
//! # Ok::<(), finml_assist::AssistError>(())
//! ```

mod classifier;
mod data;
mod eval;
mod faq;
mod head;
mod minilm;
mod model;
mod pretrained;
mod redact;
mod tokenizer;
mod train;
mod transformer;

use std::path::PathBuf;

pub use classifier::Classifier;
pub use data::{Example, OUT_OF_SCOPE, read_examples};
pub use eval::{Evaluation, Scored};
pub use faq::{Answer, Answers, FAQ_THRESHOLD, FaqEntry, FaqIndex, FaqMetadata, read_faq};
pub use minilm::{EncoderError, MAX_TOKENS, SentenceEncoder};
pub use model::{IntentModel, IntentSpec, Metadata, Prediction, Provenance, TRANSFORMER};
pub use pretrained::{
    EmbeddingMetadata, EmbeddingMethod, EmbeddingModel, PRETRAINED_HEAD, RETRIEVAL,
};
pub use redact::redact;
pub use tokenizer::{Vocab, words};
pub use train::TrainOptions;
pub use transformer::TransformerConfig;

#[derive(Debug, thiserror::Error)]
pub enum AssistError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}, line {line}, column {column}: expected {expected}", path.display())]
    Line {
        path: PathBuf,
        line: usize,
        column: usize,
        expected: String,
    },
    #[error("{}: no labelled messages", .0.display())]
    Empty(PathBuf),
    #[error("invalid options: {0}")]
    Options(String),
    #[error("model {}: {problem}", dir.display())]
    Model { dir: PathBuf, problem: String },
    #[error(transparent)]
    Encoder(#[from] EncoderError),
}

/// Cosine similarity of two vectors; the dot product when both are unit length, as the
/// encoder's embeddings are, but kept exact for any stored vector.
pub(crate) fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let denominator = norm(a) * norm(b);
    if denominator > 0.0 {
        dot / denominator
    } else {
        0.0
    }
}
