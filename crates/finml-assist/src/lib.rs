//! Customer service for finml: redaction of personal data, labelled banking messages and an
//! intent classifier (a small transformer trained from scratch on burn) that routes each
//! message to an intent or hands it to a person.
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

mod data;
mod eval;
mod minilm;
mod model;
mod redact;
mod tokenizer;
mod train;
mod transformer;

use std::path::PathBuf;

pub use data::{Example, OUT_OF_SCOPE, read_examples};
pub use eval::{Evaluation, Scored};
pub use minilm::{EncoderError, MAX_TOKENS, SentenceEncoder};
pub use model::{IntentModel, IntentSpec, Metadata, Prediction, Provenance, TRANSFORMER};
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
}
