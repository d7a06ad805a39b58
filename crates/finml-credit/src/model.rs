//! Credit models: fitting on a dataset and the one scoring path.

use std::fmt;
use std::str::FromStr;

use finml_data::{Dataset, Features, Preprocessor, Scaling, Schema, image};
use finml_nn::{Classifier, Examples, History, Progress, SeedCnn, SeedCnnConfig, TrainConfig};
use serde::{Deserialize, Serialize};

use crate::error::{CreditError, Result};

/// The model families `--model` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// The spec's CNN over the 28x28 image of an applicant's inputs.
    SeedCnn,
}

impl ModelKind {
    pub const ALL: [ModelKind; 1] = [ModelKind::SeedCnn];

    pub fn name(self) -> &'static str {
        match self {
            ModelKind::SeedCnn => "seed-cnn",
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ModelKind {
    type Err = CreditError;

    fn from_str(s: &str) -> Result<Self> {
        ModelKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let known: Vec<_> = ModelKind::ALL.iter().map(|k| k.name()).collect();
                CreditError::Invalid(format!(
                    "unknown model '{s}'; the models are: {}",
                    known.join(", ")
                ))
            })
    }
}

/// Everything that decides a fitted model besides the data: recorded in the package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    pub kind: ModelKind,
    pub architecture: SeedCnnConfig,
    pub training: TrainConfig,
}

impl ModelSpec {
    pub fn new(kind: ModelKind) -> ModelSpec {
        ModelSpec {
            kind,
            architecture: SeedCnnConfig::default(),
            training: TrainConfig::default(),
        }
    }

    fn scaling(&self) -> Scaling {
        match self.kind {
            ModelKind::SeedCnn => Scaling::MinMax,
        }
    }
}

/// How to fit: these change speed and what the user sees, never the fitted weights.
pub struct FitOptions<'a> {
    pub threads: usize,
    pub on_progress: &'a mut dyn FnMut(&Progress),
}

pub(crate) enum Network {
    SeedCnn(SeedCnn),
}

/// A fitted model: schema, preprocessing and network, ready to score.
pub struct CreditModel {
    pub spec: ModelSpec,
    pub schema: Schema,
    pub preprocessor: Preprocessor,
    pub(crate) network: Network,
}

impl CreditModel {
    /// Fits preprocessing and network on `train` (and nothing else).
    pub fn fit(
        schema: &Schema,
        train: &Dataset,
        spec: &ModelSpec,
        options: FitOptions<'_>,
    ) -> Result<(CreditModel, History)> {
        let preprocessor = Preprocessor::fit(&train.features, spec.scaling());
        let inputs = model_inputs(&preprocessor, &train.features)?;
        let examples = Examples {
            inputs: &inputs,
            n_inputs: image::IMAGE_PIXELS,
            labels: &train.labels,
        };
        let initial = spec
            .architecture
            .init(spec.training.seed, &finml_nn::training_device());
        let (trained, history) = finml_nn::train(
            initial,
            &examples,
            &spec.training,
            options.threads,
            options.on_progress,
        )?;
        let model = CreditModel {
            spec: spec.clone(),
            schema: schema.clone(),
            preprocessor,
            network: Network::SeedCnn(trained),
        };
        Ok((model, history))
    }

    /// Probabilities of default, one per row. Evaluation, batch scoring and the service all
    /// call this function, so a row's score cannot depend on the path that asked for it.
    pub fn score(&self, features: &Features) -> Result<Vec<f64>> {
        let inputs = model_inputs(&self.preprocessor, features)?;
        Ok(match &self.network {
            Network::SeedCnn(cnn) => predict(cnn, &inputs),
        })
    }
}

fn predict<M: Classifier>(network: &M, inputs: &[f32]) -> Vec<f64> {
    finml_nn::predict(network, inputs, image::IMAGE_PIXELS)
}

/// Encoded inputs laid out as the spec's images, one 784-value row per applicant.
fn model_inputs(preprocessor: &Preprocessor, features: &Features) -> Result<Vec<f32>> {
    Ok(image::to_images(&preprocessor.transform(features))?)
}
