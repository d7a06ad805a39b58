//! The model package: one directory holding everything needed to reproduce a model's scores.
//!
//! ```text
//! MODEL_DIR/
//!   metadata.json       versions, model kind and hyper-parameters, seed, data hash, row counts,
//!                       metrics, time
//!   schema.json         the resolved schema: features and their types, target labels, ID
//!   preprocessing.json  fitted imputation, scaling and category levels
//!   weights.bpk         a network's weights (burn's burnpack format), or
//!   parameters.json     the fitted parameters of a model that is not a network (JSON numbers
//!                       written to round-trip exactly, so scores reload bit for bit)
//! ```

use std::path::{Path, PathBuf};

use finml_data::{InputSource, Preprocessor, Schema};
use finml_metrics::Summary;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::ensemble::Ensemble;
use crate::error::{CreditError, Result};
use crate::model::{CreditModel, ModelKind, ModelSpec, Network};

/// The package layout's version: bumped when a file's meaning changes. Format 2 placed the
/// unseen-level inputs after all categorical levels (`finml_data::UnseenSlots`); a format 1
/// package still loads and scores as it did, its preprocessing saying the old layout.
pub const FORMAT_VERSION: u32 = 2;
const READABLE_FORMATS: std::ops::RangeInclusive<u32> = 1..=FORMAT_VERSION;

/// Where the training data came from and how it was used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingData {
    pub file: String,
    pub sha256: String,
    pub rows_in_file: usize,
    pub rows_skipped_missing_target: usize,
    pub train_rows: usize,
    pub test_rows: usize,
    pub test_fraction: f64,
    pub split_seed: u64,
}

/// What the package says about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    pub format_version: u32,
    pub finml_version: String,
    pub backend: String,
    pub model: ModelSpec,
    pub data: TrainingData,
    pub train_metrics: Option<Summary>,
    pub test_metrics: Option<Summary>,
    pub epoch_losses: Vec<f64>,
    pub fit_seconds: f64,
    pub threads: usize,
    pub created_unix_seconds: u64,
    pub inputs: Vec<InputSource>,
}

const METADATA: &str = "metadata.json";
const SCHEMA: &str = "schema.json";
const PREPROCESSING: &str = "preprocessing.json";
const WEIGHTS: &str = "weights.bpk";
const PARAMETERS: &str = "parameters.json";

impl CreditModel {
    /// Writes the package, creating `dir` if needed.
    pub fn save(&self, dir: &Path, metadata: &Metadata) -> Result<()> {
        std::fs::create_dir_all(dir)
            .map_err(|e| CreditError::package(dir, format!("cannot create the directory: {e}")))?;
        write_json(dir, METADATA, metadata)?;
        write_json(dir, SCHEMA, &self.schema)?;
        write_json(dir, PREPROCESSING, &self.preprocessor)?;
        match &self.network {
            Network::SeedCnn(network) => {
                finml_nn::save_weights(network.as_ref(), &dir.join(WEIGHTS))
                    .map_err(|e| CreditError::package(dir.join(WEIGHTS), e))
            }
            Network::Logistic(model) => write_json(dir, PARAMETERS, model),
            Network::Scorecard(card) => write_json(dir, PARAMETERS, card),
            Network::Gbdt(model) => write_json(dir, PARAMETERS, model),
            Network::Ensemble(blend) => write_json(dir, PARAMETERS, &blend.parameters()),
            Network::Deep(nets) => write_json(dir, PARAMETERS, &nets.parameters()),
        }
    }

    /// Reads a package written by [`CreditModel::save`].
    pub fn load(dir: &Path) -> Result<(CreditModel, Metadata)> {
        if !dir.is_dir() {
            return Err(CreditError::package(
                dir,
                "not a directory: pass the directory `finml credit train --out` wrote",
            ));
        }
        let metadata: Metadata = read_json(dir, METADATA)?;
        if !READABLE_FORMATS.contains(&metadata.format_version) {
            return Err(CreditError::package(
                dir,
                format!(
                    "format version {} is not one this finml reads (1 to {FORMAT_VERSION})",
                    metadata.format_version
                ),
            ));
        }
        let schema: Schema = read_json(dir, SCHEMA)?;
        let preprocessor: Preprocessor = read_json(dir, PREPROCESSING)?;
        let spec = metadata.model.clone();
        let network = match spec.kind {
            ModelKind::SeedCnn => {
                let blank = spec
                    .architecture
                    .init(spec.training.seed, &finml_nn::inference_device());
                Network::SeedCnn(Box::new(
                    finml_nn::load_weights(blank, &dir.join(WEIGHTS))
                        .map_err(|e| CreditError::package(dir.join(WEIGHTS), e))?,
                ))
            }
            ModelKind::Logistic
            | ModelKind::Scorecard
            | ModelKind::Gbdt
            | ModelKind::Mlp
            | ModelKind::FtTransformer => {
                Network::from_parameters(&spec, read_json(dir, PARAMETERS)?)
                    .map_err(|e| CreditError::package(dir.join(PARAMETERS), e))?
            }
            ModelKind::Ensemble => Network::Ensemble(Box::new(Ensemble::from_parameters(
                read_json(dir, PARAMETERS)?,
                &schema,
                &spec,
            )?)),
        };
        let model = CreditModel {
            spec,
            schema,
            preprocessor,
            network,
        };
        Ok((model, metadata))
    }
}

fn write_json<T: Serialize>(dir: &Path, name: &str, value: &T) -> Result<()> {
    let path = dir.join(name);
    let text = serde_json::to_string_pretty(value).map_err(|e| CreditError::package(&path, e))?;
    std::fs::write(&path, text + "\n")
        .map_err(|e| CreditError::package(&path, format!("cannot write: {e}")))
}

fn read_json<T: DeserializeOwned>(dir: &Path, name: &str) -> Result<T> {
    let path: PathBuf = dir.join(name);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| CreditError::package(&path, format!("cannot read: {e}")))?;
    serde_json::from_str(&text)
        .map_err(|e| CreditError::package(&path, format!("not a valid {name}: {e}")))
}
