//! Intent classifiers on the frozen all-MiniLM-L6-v2 sentence embeddings: nearest-example
//! retrieval, and a softmax head trained on the embeddings.
//!
//! ```text
//! DIR/
//!   model.json    kind (retrieval or pretrained-head), encoder folder, intents, threshold,
//!                 training file's SHA-256 and rows, head options and loss history
//!   vectors.json  retrieval: each training message's embedding and class index
//!                 pretrained-head: the head's weights (one row per intent) and biases
//! ```
//!
//! The encoder itself is not copied: `model.json` records the folder it was loaded from, so
//! that queries are embedded by the same weights as the training messages.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::data::Example;
use crate::eval::Scored;
use crate::model::{Provenance, file_sha256, intent_names, read, write};
use crate::{AssistError, SentenceEncoder, redact};

pub const RETRIEVAL: &str = "retrieval";
pub const PRETRAINED_HEAD: &str = "pretrained-head";
const FORMAT: &str = "finml-assist embedding model 1";
const METADATA: &str = "model.json";
const VECTORS: &str = "vectors.json";

/// How a classifier on the embeddings is trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EmbeddingMethod {
    /// Vote of the `k` most similar training messages, weighted by cosine similarity; the
    /// score is the winning intent's best cosine among them.
    Retrieval { k: usize },
    /// Multinomial logistic regression: full-batch Adam from zero weights (so deterministic),
    /// cross-entropy plus `l2` times half the squared weights.
    Head {
        steps: usize,
        learning_rate: f64,
        l2: f64,
    },
}

/// Default hand-off thresholds: retrieval's is a cosine, the head's a probability.
pub const RETRIEVAL_THRESHOLD: f64 = 0.5;
pub const HEAD_THRESHOLD: f64 = 0.5;

impl EmbeddingMethod {
    pub const DEFAULT_K: usize = 5;
    pub const DEFAULT_STEPS: usize = 300;
    pub const DEFAULT_L2: f64 = 1e-4;
    /// Adam's step on weights of unit-length inputs: large enough to reach confident logits
    /// within a few hundred full-batch steps.
    pub const HEAD_LEARNING_RATE: f64 = 0.05;

    /// The hand-off threshold used unless one is given.
    pub fn default_threshold(&self) -> f64 {
        match self {
            EmbeddingMethod::Retrieval { .. } => RETRIEVAL_THRESHOLD,
            EmbeddingMethod::Head { .. } => HEAD_THRESHOLD,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            EmbeddingMethod::Retrieval { .. } => RETRIEVAL,
            EmbeddingMethod::Head { .. } => PRETRAINED_HEAD,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbeddingMetadata {
    pub format: String,
    pub kind: String,
    pub finml_version: String,
    /// The all-MiniLM-L6-v2 folder the messages were embedded with.
    pub encoder: PathBuf,
    pub method: EmbeddingMethod,
    pub intents: Vec<String>,
    /// Under this score of the best intent (cosine for retrieval, probability for the head),
    /// the message is handed to a person.
    pub threshold: f64,
    pub training_data: Provenance,
    pub loss_history: Vec<f64>,
    pub train_seconds: f64,
}

/// Retrieval's stored examples or the head's parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Vectors {
    Examples {
        labels: Vec<usize>,
        rows: Vec<Vec<f32>>,
    },
    Head {
        weights: Vec<Vec<f32>>,
        bias: Vec<f32>,
    },
}

/// An intent classifier on pretrained sentence embeddings.
pub struct EmbeddingModel {
    pub metadata: EmbeddingMetadata,
    encoder: SentenceEncoder,
    vectors: Vectors,
}

impl EmbeddingModel {
    /// Embeds the (redacted) training messages with the encoder in `encoder_dir` and fits
    /// `method` on them.
    pub fn train(
        examples: &[Example],
        source: &Path,
        encoder_dir: &Path,
        method: &EmbeddingMethod,
        threshold: f64,
    ) -> Result<EmbeddingModel, AssistError> {
        crate::model::check_threshold(threshold)?;
        check_method(method)?;
        let started = Instant::now();
        let encoder = SentenceEncoder::load(encoder_dir)?;
        let intents = intent_names(examples);
        let labels: Vec<usize> = examples
            .iter()
            .map(|e| intents.binary_search(&e.intent).unwrap_or_default())
            .collect();
        let rows = embed_redacted(&encoder, examples.iter().map(|e| e.text.as_str()))?;
        let (vectors, loss_history) = match *method {
            EmbeddingMethod::Retrieval { .. } => (Vectors::Examples { labels, rows }, Vec::new()),
            EmbeddingMethod::Head {
                steps,
                learning_rate,
                l2,
            } => {
                let fit = crate::head::fit(&rows, &labels, intents.len(), steps, learning_rate, l2);
                (
                    Vectors::Head {
                        weights: fit.weights,
                        bias: fit.bias,
                    },
                    fit.losses,
                )
            }
        };
        let metadata = EmbeddingMetadata {
            format: FORMAT.into(),
            kind: method.kind().into(),
            finml_version: env!("CARGO_PKG_VERSION").into(),
            encoder: absolute(encoder_dir),
            method: method.clone(),
            intents,
            threshold,
            training_data: Provenance {
                file: source.display().to_string(),
                sha256: file_sha256(source)?,
                rows: examples.len(),
            },
            loss_history,
            train_seconds: started.elapsed().as_secs_f64(),
        };
        Ok(EmbeddingModel {
            metadata,
            encoder,
            vectors,
        })
    }

    pub fn threshold(&self) -> f64 {
        self.metadata.threshold
    }

    pub fn set_threshold(&mut self, threshold: f64) -> Result<(), AssistError> {
        crate::model::check_threshold(threshold)?;
        self.metadata.threshold = threshold;
        Ok(())
    }

    /// The best intent and its score for each message.
    pub fn score(&self, texts: &[&str]) -> Result<Vec<Scored>, AssistError> {
        let queries = embed_redacted(&self.encoder, texts.iter().copied())?;
        let scored = queries
            .iter()
            .map(|q| {
                let (index, score) = match &self.vectors {
                    Vectors::Examples { labels, rows } => {
                        // `train` and `load` pair stored examples with the retrieval method.
                        let k = match self.metadata.method {
                            EmbeddingMethod::Retrieval { k } => k,
                            EmbeddingMethod::Head { .. } => 1,
                        };
                        vote(q, rows, labels, k, self.metadata.intents.len())
                    }
                    Vectors::Head { weights, bias } => crate::head::predict(q, weights, bias),
                };
                Scored {
                    intent: self.metadata.intents[index].clone(),
                    probability: score.clamp(0.0, 1.0),
                }
            })
            .collect();
        Ok(scored)
    }

    pub fn save(&self, dir: &Path) -> Result<(), AssistError> {
        std::fs::create_dir_all(dir).map_err(|source| AssistError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        write(&dir.join(METADATA), &to_json(dir, &self.metadata)?)?;
        write(&dir.join(VECTORS), &to_json(dir, &self.vectors)?)
    }

    /// The model in `dir`, with the encoder that `model.json` names.
    pub fn load(dir: &Path) -> Result<EmbeddingModel, AssistError> {
        let bad = |problem: String| AssistError::Model {
            dir: dir.to_path_buf(),
            problem,
        };
        let metadata: EmbeddingMetadata = serde_json::from_str(&read(&dir.join(METADATA))?)
            .map_err(|e| {
                bad(format!(
                    "{METADATA} is not an embedding model's metadata: {e}"
                ))
            })?;
        let vectors: Vectors = serde_json::from_str(&read(&dir.join(VECTORS))?)
            .map_err(|e| bad(format!("{VECTORS}: {e}")))?;
        if vectors_kind(&vectors) != metadata.kind || metadata.method.kind() != metadata.kind {
            return Err(bad(format!(
                "{METADATA}'s method and {VECTORS} do not both describe a {} model",
                metadata.kind
            )));
        }
        let encoder = SentenceEncoder::load(&metadata.encoder)?;
        Ok(EmbeddingModel {
            metadata,
            encoder,
            vectors,
        })
    }
}

fn vectors_kind(vectors: &Vectors) -> &'static str {
    match vectors {
        Vectors::Examples { .. } => RETRIEVAL,
        Vectors::Head { .. } => PRETRAINED_HEAD,
    }
}

fn check_method(method: &EmbeddingMethod) -> Result<(), AssistError> {
    let problem = match *method {
        EmbeddingMethod::Retrieval { k } if k == 0 => "retrieval needs k >= 1 neighbours",
        EmbeddingMethod::Head {
            steps,
            learning_rate,
            l2,
        } if steps == 0 || !(learning_rate > 0.0) || !(l2 >= 0.0) => {
            "the head needs steps >= 1, a positive learning rate and l2 >= 0"
        }
        _ => return Ok(()),
    };
    Err(AssistError::Options(problem.into()))
}

/// The class with the largest summed cosine among the `k` nearest rows, and its best cosine.
fn vote(
    query: &[f32],
    rows: &[Vec<f32>],
    labels: &[usize],
    k: usize,
    classes: usize,
) -> (usize, f64) {
    let mut nearest: Vec<(f32, usize)> = rows
        .iter()
        .zip(labels)
        .map(|(row, &label)| (crate::cosine(query, row), label))
        .collect();
    nearest.sort_by(|a, b| b.0.total_cmp(&a.0));
    nearest.truncate(k);
    let mut sums = vec![0.0f64; classes];
    for &(similarity, label) in &nearest {
        sums[label] += f64::from(similarity);
    }
    let winner = (0..classes)
        .max_by(|&a, &b| sums[a].total_cmp(&sums[b]))
        .unwrap_or_default();
    let best = nearest
        .iter()
        .find(|(_, label)| *label == winner)
        .map_or(0.0, |(s, _)| f64::from(*s));
    (winner, best)
}

/// Embeds texts after redaction, so that the stored vectors never derive from a card number.
pub(crate) fn embed_redacted<'a>(
    encoder: &SentenceEncoder,
    texts: impl Iterator<Item = &'a str>,
) -> Result<Vec<Vec<f32>>, AssistError> {
    let redacted: Vec<String> = texts.map(redact).collect();
    let refs: Vec<&str> = redacted.iter().map(String::as_str).collect();
    Ok(encoder.embed(&refs)?)
}

/// The folder as an absolute path, so that a saved model works from any working directory.
pub(crate) fn absolute(dir: &Path) -> PathBuf {
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())
}

pub(crate) fn to_json<T: Serialize>(dir: &Path, value: &T) -> Result<String, AssistError> {
    serde_json::to_string(value).map_err(|e| AssistError::Model {
        dir: dir.to_path_buf(),
        problem: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vote_weighs_similarity_and_scores_the_winners_best_match() {
        let rows = vec![
            vec![1.0, 0.0],
            vec![0.8, 0.6],
            vec![0.6, 0.8],
            vec![0.0, 1.0],
        ];
        let labels = [0, 1, 1, 1];
        // Nearest to (1, 0): class 0 at 1.0, then class 1 at 0.8 and 0.6 (sum 1.4).
        assert_eq!(vote(&[1.0, 0.0], &rows, &labels, 1, 2), (0, 1.0));
        let (winner, best) = vote(&[1.0, 0.0], &rows, &labels, 3, 2);
        assert_eq!(winner, 1);
        assert!((best - 0.8).abs() < 1e-6);
    }

    #[test]
    fn bad_options_are_refused() {
        assert!(check_method(&EmbeddingMethod::Retrieval { k: 0 }).is_err());
        let head = EmbeddingMethod::Head {
            steps: 10,
            learning_rate: 0.0,
            l2: 0.0,
        };
        assert!(check_method(&head).is_err());
    }
}
