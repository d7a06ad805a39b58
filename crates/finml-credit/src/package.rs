//! The model package: one directory holding everything needed to reproduce a model's scores.
//!
//! ```text
//! MODEL_DIR/
//!   metadata.json       versions, model kind and hyper-parameters, seed, data hash, row counts,
//!                       metrics, time, and the SHA-256 of each file below
//!   schema.json         the resolved schema: features and their types, target labels, ID
//!   preprocessing.json  fitted imputation, scaling and category levels
//!   weights.bpk         a network's weights (burn's burnpack format), or
//!   parameters.json     the fitted parameters of a model that is not a network (JSON numbers
//!                       written to round-trip exactly, so scores reload bit for bit)
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use finml_data::{InputSource, Preprocessor, Schema, bytes_sha256};
use finml_metrics::Summary;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::ensemble::Ensemble;
use crate::error::{CreditError, Result};
use crate::legacy;
use crate::model::{CreditModel, ModelConfig, ModelSpec, Network};

/// The package layout's version: bumped when a file's meaning changes.
/// - Format 2 placed the unseen-level inputs after all categorical levels
///   (`finml_data::UnseenSlots`); a format 1 package still loads and scores as it did, its
///   preprocessing saying the old layout.
/// - Format 3 stores a model's settings as one family's ([`ModelConfig`]) with one seed, and
///   the SHA-256 of every other file in `metadata.json`; older packages' settings are read
///   into that form, and having no hashes, are checked for consistency only.
pub const FORMAT_VERSION: u32 = 3;
const READABLE_FORMATS: std::ops::RangeInclusive<u32> = 1..=FORMAT_VERSION;
/// The first format whose metadata records the files' hashes.
const HASHED_FROM: u32 = 3;

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
    /// The SHA-256 of each other file of the package, by name: a package edited by hand or
    /// half-copied is refused. Empty in packages older than format 3.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}

const METADATA: &str = "metadata.json";
const SCHEMA: &str = "schema.json";
const PREPROCESSING: &str = "preprocessing.json";
const WEIGHTS: &str = "weights.bpk";
const PARAMETERS: &str = "parameters.json";
/// The entry of `files` that holds the hash of the model's settings, which `metadata.json`
/// itself carries: a network built from edited settings would score differently with the same
/// weights.
const SETTINGS: &str = "metadata.json#model";

impl CreditModel {
    /// Writes the package, creating `dir` if needed, and returns the metadata as written:
    /// `metadata` with the hashes of the files beside it.
    pub fn save(&self, dir: &Path, metadata: &Metadata) -> Result<Metadata> {
        std::fs::create_dir_all(dir)
            .map_err(|e| CreditError::package(dir, format!("cannot create the directory: {e}")))?;
        write_json(dir, SCHEMA, &self.schema)?;
        write_json(dir, PREPROCESSING, &self.preprocessor)?;
        match &self.network {
            Network::SeedCnn(network) => {
                finml_nn::save_weights(network.as_ref(), &dir.join(WEIGHTS))
                    .map_err(|e| CreditError::package(dir.join(WEIGHTS), e))?
            }
            Network::Logistic(model) => write_json(dir, PARAMETERS, model)?,
            Network::Scorecard(card) => write_json(dir, PARAMETERS, card)?,
            // As a JSON value, whose maps keep their keys sorted: the booster keeps its
            // constraints in a hash map, whose order would change the bytes from run to run.
            Network::Gbdt(model) => {
                let sorted = serde_json::to_value(model)
                    .map_err(|e| CreditError::package(dir.join(PARAMETERS), e))?;
                write_json(dir, PARAMETERS, &sorted)?
            }
            Network::Ensemble(blend) => write_json(dir, PARAMETERS, &blend.parameters())?,
            Network::Deep(nets) => write_json(dir, PARAMETERS, &nets.parameters())?,
        }
        let mut written = metadata.clone();
        written.format_version = FORMAT_VERSION;
        written.files = [SCHEMA, PREPROCESSING, self.stored_as()]
            .into_iter()
            .map(|name| Ok((name.to_string(), bytes_sha256(&read_bytes(dir, name)?))))
            .collect::<Result<_>>()?;
        written
            .files
            .insert(SETTINGS.to_string(), settings_sha256(dir, &written.model)?);
        write_json(dir, METADATA, &written)?;
        Ok(written)
    }

    /// The file holding the fitted model itself.
    fn stored_as(&self) -> &'static str {
        match self.network {
            Network::SeedCnn(_) => WEIGHTS,
            _ => PARAMETERS,
        }
    }

    /// Reads a package written by [`CreditModel::save`], checking it whole before it scores
    /// anything: its format, the hashes of its files, and that schema, preprocessing and
    /// model agree on columns and inputs. A package that fails any check is refused with a
    /// message naming the file.
    pub fn load(dir: &Path) -> Result<(CreditModel, Metadata)> {
        if !dir.is_dir() {
            return Err(CreditError::package(
                dir,
                "not a directory: expected a model package's directory",
            ));
        }
        let metadata = read_metadata(dir)?;
        if metadata.format_version >= HASHED_FROM
            && metadata.files.get(SETTINGS) != Some(&settings_sha256(dir, &metadata.model)?)
        {
            return Err(CreditError::package(
                dir.join(METADATA),
                "its model settings differ from those it recorded the SHA-256 of: the file was \
                 changed",
            ));
        }
        let files = PackageFiles {
            dir,
            hashes: (metadata.format_version >= HASHED_FROM).then_some(&metadata.files),
        };
        let schema: Schema = files.json(SCHEMA)?;
        let preprocessor: Preprocessor = files.json(PREPROCESSING)?;
        let spec = metadata.model.clone();
        let network = read_network(&files, &spec, &schema)?;
        let model = CreditModel {
            spec,
            schema,
            preprocessor,
            network,
        };
        files.check_all_read(model.stored_as())?;
        model
            .check_inputs()
            .map_err(|e| CreditError::package(dir, e))?;
        if metadata.format_version >= HASHED_FROM
            && metadata.inputs != model.preprocessor.input_sources()
        {
            return Err(CreditError::package(
                dir.join(METADATA),
                "the inputs it lists differ from those preprocessing.json gives",
            ));
        }
        Ok((model, metadata))
    }
}

/// Reads `metadata.json` of any readable format into the current form.
fn read_metadata(dir: &Path) -> Result<Metadata> {
    let path = dir.join(METADATA);
    let invalid =
        |e: serde_json::Error| CreditError::package(&path, format!("not a valid {METADATA}: {e}"));
    let mut raw: serde_json::Value =
        serde_json::from_slice(&read_bytes(dir, METADATA)?).map_err(invalid)?;
    let format = raw
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| CreditError::package(&path, "no format_version"))?;
    let format = u32::try_from(format).unwrap_or(u32::MAX);
    if !READABLE_FORMATS.contains(&format) {
        return Err(CreditError::package(
            dir,
            format!("format version {format} is not one this finml reads (1 to {FORMAT_VERSION})"),
        ));
    }
    if format < HASHED_FROM && raw.get("files").is_some() {
        return Err(CreditError::package(
            &path,
            format!("format {format} records file hashes, which only format {HASHED_FROM} on does"),
        ));
    }
    if format < HASHED_FROM {
        let model = raw
            .get_mut("model")
            .ok_or_else(|| CreditError::package(&path, "no model settings"))?;
        *model = legacy::spec(model.take())
            .map_err(|e| CreditError::package(&path, format!("not a valid {METADATA}: {e}")))?;
    }
    serde_json::from_value(raw).map_err(invalid)
}

fn read_network(files: &PackageFiles<'_>, spec: &ModelSpec, schema: &Schema) -> Result<Network> {
    let dir = files.dir;
    Ok(match &spec.config {
        ModelConfig::SeedCnn(settings) => {
            files.check_hash(WEIGHTS)?;
            let blank = settings
                .architecture
                .init(spec.seed, &finml_nn::inference_device());
            Network::SeedCnn(Box::new(
                finml_nn::load_weights(blank, &dir.join(WEIGHTS))
                    .map_err(|e| CreditError::package(dir.join(WEIGHTS), e))?,
            ))
        }
        ModelConfig::Ensemble(_) => Network::Ensemble(Box::new(
            Ensemble::from_parameters(files.json(PARAMETERS)?, schema, spec)
                .map_err(|e| CreditError::package(dir.join(PARAMETERS), e))?,
        )),
        config => Network::from_parameters(config, files.json(PARAMETERS)?)
            .map_err(|e| CreditError::package(dir.join(PARAMETERS), e))?,
    })
}

/// A package's files, each checked against the hash `metadata.json` records for it.
struct PackageFiles<'a> {
    dir: &'a Path,
    /// `None` for packages older than format 3, which record none.
    hashes: Option<&'a BTreeMap<String, String>>,
}

impl PackageFiles<'_> {
    fn json<T: DeserializeOwned>(&self, name: &str) -> Result<T> {
        let bytes = self.checked_bytes(name)?;
        serde_json::from_slice(&bytes).map_err(|e| {
            CreditError::package(self.dir.join(name), format!("not a valid {name}: {e}"))
        })
    }

    fn check_hash(&self, name: &str) -> Result<()> {
        self.checked_bytes(name).map(drop)
    }

    fn checked_bytes(&self, name: &str) -> Result<Vec<u8>> {
        let bytes = read_bytes(self.dir, name)?;
        let Some(hashes) = self.hashes else {
            return Ok(bytes);
        };
        let path = self.dir.join(name);
        let recorded = hashes.get(name).ok_or_else(|| {
            CreditError::package(&path, format!("{METADATA} records no SHA-256 for it"))
        })?;
        if *recorded != bytes_sha256(&bytes) {
            return Err(CreditError::package(
                &path,
                format!(
                    "its SHA-256 differs from the one {METADATA} records: the file was changed \
                     or only partly copied"
                ),
            ));
        }
        Ok(bytes)
    }

    /// Refuses a package whose metadata records a file the model does not read: a package
    /// of another model's files.
    fn check_all_read(&self, model_file: &str) -> Result<()> {
        let Some(hashes) = self.hashes else {
            return Ok(());
        };
        match hashes
            .keys()
            .find(|name| ![SCHEMA, PREPROCESSING, model_file, SETTINGS].contains(&name.as_str()))
        {
            Some(name) => Err(CreditError::package(
                self.dir.join(METADATA),
                format!("it records '{name}', which a {model_file} model does not have"),
            )),
            None => Ok(()),
        }
    }
}

fn settings_sha256(dir: &Path, settings: &ModelSpec) -> Result<String> {
    let bytes =
        serde_json::to_vec(settings).map_err(|e| CreditError::package(dir.join(METADATA), e))?;
    Ok(bytes_sha256(&bytes))
}

fn write_json<T: Serialize>(dir: &Path, name: &str, value: &T) -> Result<()> {
    let path = dir.join(name);
    let text = serde_json::to_string_pretty(value).map_err(|e| CreditError::package(&path, e))?;
    std::fs::write(&path, text + "\n")
        .map_err(|e| CreditError::package(&path, format!("cannot write: {e}")))
}

fn read_bytes(dir: &Path, name: &str) -> Result<Vec<u8>> {
    let path = dir.join(name);
    std::fs::read(&path).map_err(|e| CreditError::package(&path, format!("cannot read: {e}")))
}
