//! Any saved intent classifier behind one interface, picked by the `kind` in its
//! `model.json`, so that `eval`, `classify` and a service score every kind the same way.

use std::path::Path;

use serde::Deserialize;

use crate::eval::Scored;
use crate::model::{Prediction, TRANSFORMER, read};
use crate::pretrained::{EmbeddingModel, PRETRAINED_HEAD, RETRIEVAL};
use crate::{AssistError, IntentModel};

pub enum Classifier {
    Transformer(IntentModel),
    Embedding(EmbeddingModel),
}

#[derive(Deserialize)]
struct Kind {
    kind: String,
}

impl Classifier {
    pub fn load(dir: &Path) -> Result<Classifier, AssistError> {
        let json = read(&dir.join("model.json"))?;
        let kind: Kind = serde_json::from_str(&json).map_err(|e| AssistError::Model {
            dir: dir.to_path_buf(),
            problem: format!("model.json names no model kind: {e}"),
        })?;
        match kind.kind.as_str() {
            TRANSFORMER => Ok(Classifier::Transformer(IntentModel::load(dir)?)),
            RETRIEVAL | PRETRAINED_HEAD => Ok(Classifier::Embedding(EmbeddingModel::load(dir)?)),
            other => Err(AssistError::Model {
                dir: dir.to_path_buf(),
                problem: format!(
                    "model kind '{other}' is not supported by this build (expected \
                     '{TRANSFORMER}', '{RETRIEVAL}' or '{PRETRAINED_HEAD}')"
                ),
            }),
        }
    }

    pub fn intents(&self) -> &[String] {
        match self {
            Classifier::Transformer(m) => &m.metadata.intents,
            Classifier::Embedding(m) => &m.metadata.intents,
        }
    }

    pub fn threshold(&self) -> f64 {
        match self {
            Classifier::Transformer(m) => m.threshold(),
            Classifier::Embedding(m) => m.threshold(),
        }
    }

    pub fn set_threshold(&mut self, threshold: f64) -> Result<(), AssistError> {
        match self {
            Classifier::Transformer(m) => m.set_threshold(threshold),
            Classifier::Embedding(m) => m.set_threshold(threshold),
        }
    }

    /// The best intent and its score for each message.
    pub fn score(&self, texts: &[&str]) -> Result<Vec<Scored>, AssistError> {
        match self {
            Classifier::Transformer(m) => Ok(m.score(texts)),
            Classifier::Embedding(m) => m.score(texts),
        }
    }

    /// Routes each message: its intent, or a hand-off under the threshold.
    pub fn classify(&self, texts: &[&str]) -> Result<Vec<Prediction>, AssistError> {
        let threshold = self.threshold();
        Ok(self
            .score(texts)?
            .into_iter()
            .map(|best| Prediction {
                intent: best.routed(threshold).to_string(),
                handoff: best.handoff(threshold),
                best,
            })
            .collect())
    }
}
