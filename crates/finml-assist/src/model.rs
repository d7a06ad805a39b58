//! The intent model directory and the one scoring path that `eval`, `classify` and (later) a
//! service share.
//!
//! ```text
//! DIR/
//!   model.json    kind, versions, architecture, training options, intents, threshold,
//!                 SHA-256 of the training file, row counts, loss history, training time
//!   vocab.txt     one token per line, in id order (already redacted words only)
//!   weights.bpk   the network's weights (burn's burnpack format)
//! ```
//!
//! `kind` names the classifier: `load` refuses another kind by name, and [`Classifier::load`]
//! reads it to pick this model or one on pretrained embeddings (`crate::pretrained`).
//!
//! [`Classifier::load`]: crate::Classifier::load

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::tensor::activation::softmax;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::AssistError;
use crate::data::Example;
use crate::eval::Scored;
use crate::tokenizer::Vocab;
use crate::train::{Encoded, TrainOptions, train};
use crate::transformer::{Batch, IntentTransformer, TransformerConfig};

pub const TRANSFORMER: &str = "transformer";
const FORMAT: &str = "finml-assist intent model 1";
const METADATA: &str = "model.json";
const VOCAB: &str = "vocab.txt";
const WEIGHTS: &str = "weights.bpk";
/// Messages scored per forward pass.
const SCORE_CHUNK: usize = 64;

/// Everything chosen before training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentSpec {
    pub architecture: TransformerConfig,
    pub training: TrainOptions,
    /// Words seen fewer times than this in training become `[UNK]`.
    pub min_count: usize,
    /// Below this probability of the best intent, the message is handed to a person.
    pub threshold: f64,
}

impl Default for IntentSpec {
    fn default() -> Self {
        IntentSpec {
            architecture: TransformerConfig::default(),
            training: TrainOptions::default(),
            min_count: 1,
            threshold: 0.5,
        }
    }
}

/// Where the training messages came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub file: String,
    pub sha256: String,
    pub rows: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    pub format: String,
    pub kind: String,
    pub finml_version: String,
    pub backend: String,
    pub spec: IntentSpec,
    /// Class index to intent name; `out_of_scope` is one of them when the data has it.
    pub intents: Vec<String>,
    pub training_data: Provenance,
    pub vocab_size: usize,
    pub loss_history: Vec<f64>,
    pub train_seconds: f64,
}

/// A trained intent classifier with its vocabulary and metadata.
#[derive(Debug)]
pub struct IntentModel {
    pub metadata: Metadata,
    vocab: Vocab,
    network: IntentTransformer,
}

/// The classification of one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// The routed intent: `out_of_scope` when handed off.
    pub intent: String,
    /// The best intent before the hand-off rule, and its probability.
    pub best: Scored,
    /// True when a person should take the message.
    pub handoff: bool,
}

impl IntentModel {
    /// Trains on labelled messages read from `source`; `on_epoch` hears each epoch's loss.
    pub fn train(
        examples: &[Example],
        source: &Path,
        spec: &IntentSpec,
        on_epoch: &mut dyn FnMut(usize, f64),
    ) -> Result<IntentModel, AssistError> {
        check_threshold(spec.threshold)?;
        if let Some(problem) = spec.architecture.problem() {
            return Err(AssistError::Options(problem));
        }
        let started = Instant::now();
        let vocab = Vocab::build(examples.iter().map(|e| e.text.as_str()), spec.min_count);
        let intents = intent_names(examples);
        let labels: Vec<usize> = examples
            .iter()
            .map(|e| intents.binary_search(&e.intent).unwrap_or_default())
            .collect();
        let sequences: Vec<Vec<u32>> = examples
            .iter()
            .map(|e| vocab.encode(&e.text, spec.architecture.max_len))
            .collect();
        let seed = spec.training.seed;
        let device = finml_nn::training_device();
        let blank = spec
            .architecture
            .init(vocab.len(), intents.len(), seed, &device);
        let encoded = Encoded {
            sequences: &sequences,
            labels: &labels,
            classes: intents.len(),
            max_len: spec.architecture.max_len,
            d_model: spec.architecture.d_model,
        };
        let (network, loss_history) = train(blank, &encoded, &spec.training, on_epoch)?;
        let metadata = Metadata {
            format: FORMAT.into(),
            kind: TRANSFORMER.into(),
            finml_version: env!("CARGO_PKG_VERSION").into(),
            backend: finml_nn::BACKEND.into(),
            spec: spec.clone(),
            intents,
            training_data: Provenance {
                file: source.display().to_string(),
                sha256: file_sha256(source)?,
                rows: examples.len(),
            },
            vocab_size: vocab.len(),
            loss_history,
            train_seconds: started.elapsed().as_secs_f64(),
        };
        Ok(IntentModel {
            metadata,
            vocab,
            network,
        })
    }

    pub fn threshold(&self) -> f64 {
        self.metadata.spec.threshold
    }

    /// Uses another hand-off threshold from now on.
    pub fn set_threshold(&mut self, threshold: f64) -> Result<(), AssistError> {
        check_threshold(threshold)?;
        self.metadata.spec.threshold = threshold;
        Ok(())
    }

    /// The best intent and its probability for each message. Messages are padded to the
    /// model's length, so a message's score does not depend on the others scored with it.
    pub fn score(&self, texts: &[&str]) -> Vec<Scored> {
        let device = finml_nn::inference_device();
        let max_len = self.metadata.spec.architecture.max_len;
        let sequences: Vec<Vec<u32>> = texts
            .iter()
            .map(|t| self.vocab.encode(t, max_len))
            .collect();
        let mut scored = Vec::with_capacity(texts.len());
        for chunk in sequences.chunks(SCORE_CHUNK) {
            let refs: Vec<&[u32]> = chunk.iter().map(Vec::as_slice).collect();
            let batch = Batch::new(&refs, max_len, &device);
            let probabilities = softmax(self.network.logits(&batch), 1).into_data();
            let values: Vec<f32> = probabilities.iter::<f32>().collect();
            let classes = self.metadata.intents.len();
            scored.extend(values.chunks(classes).map(|row| self.best(row)));
        }
        scored
    }

    fn best(&self, probabilities: &[f32]) -> Scored {
        let (index, p) = probabilities
            .iter()
            .enumerate()
            .fold(
                (0, f32::MIN),
                |best, (i, &p)| if p > best.1 { (i, p) } else { best },
            );
        Scored {
            intent: self.metadata.intents[index].clone(),
            probability: f64::from(p),
        }
    }

    /// Routes each message: its intent, or a hand-off under the model's threshold.
    pub fn classify(&self, texts: &[&str]) -> Vec<Prediction> {
        let threshold = self.threshold();
        self.score(texts)
            .into_iter()
            .map(|best| Prediction {
                intent: best.routed(threshold).to_string(),
                handoff: best.handoff(threshold),
                best,
            })
            .collect()
    }

    pub fn save(&self, dir: &Path) -> Result<(), AssistError> {
        let io = |source| AssistError::Io {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let json =
            serde_json::to_string_pretty(&self.metadata).map_err(|e| AssistError::Model {
                dir: dir.to_path_buf(),
                problem: e.to_string(),
            })?;
        write(&dir.join(METADATA), &json)?;
        write(&dir.join(VOCAB), &(self.vocab.tokens().join("\n") + "\n"))?;
        finml_nn::save_weights(&self.network, &dir.join(WEIGHTS)).map_err(|e| AssistError::Model {
            dir: dir.to_path_buf(),
            problem: e.to_string(),
        })
    }

    pub fn load(dir: &Path) -> Result<IntentModel, AssistError> {
        let bad = |problem: String| AssistError::Model {
            dir: dir.to_path_buf(),
            problem,
        };
        let json = read(&dir.join(METADATA))?;
        let metadata: Metadata = serde_json::from_str(&json)
            .map_err(|e| bad(format!("{METADATA} is not an intent model's metadata: {e}")))?;
        if metadata.kind != TRANSFORMER {
            return Err(bad(format!(
                "model kind '{}' is not supported by this build (expected '{TRANSFORMER}')",
                metadata.kind
            )));
        }
        let vocab = Vocab::from_tokens(read(&dir.join(VOCAB))?.lines().map(String::from));
        if vocab.len() != metadata.vocab_size {
            return Err(bad(format!(
                "{VOCAB} has {} tokens but {METADATA} expects {}",
                vocab.len(),
                metadata.vocab_size
            )));
        }
        let device = finml_nn::inference_device();
        let architecture = &metadata.spec.architecture;
        let blank = architecture.init(vocab.len(), metadata.intents.len(), 0, &device);
        let network =
            finml_nn::load_weights(blank, &dir.join(WEIGHTS)).map_err(|e| bad(e.to_string()))?;
        Ok(IntentModel {
            metadata,
            vocab,
            network,
        })
    }
}

/// Intent names in sorted order, so that the class indices do not depend on the file order.
pub(crate) fn intent_names(examples: &[Example]) -> Vec<String> {
    let mut names: Vec<String> = examples.iter().map(|e| e.intent.clone()).collect();
    names.sort();
    names.dedup();
    names
}

pub(crate) fn check_threshold(threshold: f64) -> Result<(), AssistError> {
    if (0.0..=1.0).contains(&threshold) {
        Ok(())
    } else {
        Err(AssistError::Options(format!(
            "the hand-off threshold must be a probability in [0, 1], not {threshold}"
        )))
    }
}

pub(crate) fn file_sha256(path: &Path) -> Result<String, AssistError> {
    let bytes = std::fs::read(path).map_err(|source| AssistError::Io {
        path: PathBuf::from(path),
        source,
    })?;
    Ok(format!("{:x}", Sha256::digest(&bytes)))
}

pub(crate) fn read(path: &Path) -> Result<String, AssistError> {
    std::fs::read_to_string(path).map_err(|source| AssistError::Io {
        path: path.to_path_buf(),
        source,
    })
}

pub(crate) fn write(path: &Path, content: &str) -> Result<(), AssistError> {
    std::fs::write(path, content).map_err(|source| AssistError::Io {
        path: path.to_path_buf(),
        source,
    })
}
