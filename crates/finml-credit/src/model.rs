//! Credit models: fitting on a dataset and the one scoring path.

use std::fmt;
use std::str::FromStr;

use finml_data::{Dataset, Features, Preprocessor, Scaling, Schema, image};
use finml_nn::{Classifier, Examples, History, Progress, SeedCnn, SeedCnnConfig, TrainConfig};
use serde::{Deserialize, Serialize};

use crate::deep::{Architecture, DeepConfig, DeepEnsemble};
use crate::ensemble::{Ensemble, EnsembleConfig};
use crate::error::{CreditError, Result};
use crate::gbdt::{Gbdt, GbdtConfig};
use crate::logistic::{Design, InnerData, Logistic, LogisticConfig, fit_cv};
use crate::scorecard::{Scorecard, ScorecardConfig};

/// The model families `--model` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// The spec's CNN over the 28x28 image of an applicant's inputs.
    SeedCnn,
    /// L2-regularised logistic regression on standardised and one-hot inputs.
    Logistic,
    /// The WoE scorecard: binned columns, logistic regression on WoE, points.
    Scorecard,
    /// Gradient-boosted trees with the tree depth chosen on inner folds.
    Gbdt,
    /// A blend of table models, weights chosen on inner folds.
    Ensemble,
    /// A residual MLP with layer norm and dropout, early-stopped on validation AUC.
    Mlp,
    /// The FT-Transformer: a token per column, [CLS] and self-attention.
    FtTransformer,
}

impl ModelKind {
    pub const ALL: [ModelKind; 7] = [
        ModelKind::SeedCnn,
        ModelKind::Logistic,
        ModelKind::Scorecard,
        ModelKind::Gbdt,
        ModelKind::Ensemble,
        ModelKind::Mlp,
        ModelKind::FtTransformer,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ModelKind::SeedCnn => "seed-cnn",
            ModelKind::Logistic => "logistic",
            ModelKind::Scorecard => "scorecard",
            ModelKind::Gbdt => "gbdt",
            ModelKind::Ensemble => "ensemble",
            ModelKind::Mlp => "mlp",
            ModelKind::FtTransformer => "ft-transformer",
        }
    }
}

impl ModelKind {
    /// The deep networks on table inputs, which train with `ModelSpec::deep`.
    pub fn is_deep(self) -> bool {
        matches!(self, ModelKind::Mlp | ModelKind::FtTransformer)
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
    /// The seed-cnn's training; its seed seeds every model (inner folds included).
    pub training: TrainConfig,
    #[serde(default)]
    pub logistic: LogisticConfig,
    #[serde(default)]
    pub scorecard: ScorecardConfig,
    #[serde(default)]
    pub gbdt: GbdtConfig,
    #[serde(default)]
    pub ensemble: EnsembleConfig,
    #[serde(default)]
    pub deep: DeepConfig,
}

impl ModelSpec {
    pub fn new(kind: ModelKind) -> ModelSpec {
        ModelSpec {
            kind,
            architecture: SeedCnnConfig::default(),
            training: TrainConfig::default(),
            logistic: LogisticConfig::default(),
            scorecard: ScorecardConfig::default(),
            gbdt: GbdtConfig::default(),
            ensemble: EnsembleConfig::default(),
            deep: DeepConfig::default(),
        }
    }

    fn scaling(&self) -> Scaling {
        match self.kind {
            ModelKind::SeedCnn => Scaling::MinMax,
            // The scorecard bins the raw columns; its preprocessor only names the inputs
            // that the package's metadata lists. Trees ignore the scale.
            // An ensemble's members keep their own preprocessing.
            ModelKind::Logistic
            | ModelKind::Scorecard
            | ModelKind::Gbdt
            | ModelKind::Ensemble
            | ModelKind::Mlp
            | ModelKind::FtTransformer => Scaling::Standard,
        }
    }
}

/// How to fit: these change speed and what the user sees, never the fitted weights.
pub struct FitOptions<'a> {
    pub threads: usize,
    pub on_progress: &'a mut dyn FnMut(&Progress),
}

pub(crate) enum Network {
    // Boxed: the network is far larger than the other models' parameters.
    SeedCnn(Box<SeedCnn>),
    Logistic(Logistic),
    Scorecard(Scorecard),
    Gbdt(Gbdt),
    Ensemble(Box<Ensemble>),
    Deep(Box<DeepEnsemble>),
}

impl Network {
    /// A model stored as parameters (JSON), from what its package stores.
    pub(crate) fn from_parameters(
        spec: &ModelSpec,
        parameters: serde_json::Value,
    ) -> Result<Network> {
        let kind = spec.kind;
        let invalid = |e: serde_json::Error| {
            CreditError::Invalid(format!("stored parameters of a {kind} model: {e}"))
        };
        Ok(match kind {
            ModelKind::Logistic => {
                Network::Logistic(serde_json::from_value(parameters).map_err(invalid)?)
            }
            ModelKind::Scorecard => {
                Network::Scorecard(serde_json::from_value(parameters).map_err(invalid)?)
            }
            ModelKind::Gbdt => Network::Gbdt(serde_json::from_value(parameters).map_err(invalid)?),
            kind if kind.is_deep() => Network::Deep(Box::new(DeepEnsemble::from_parameters(
                architecture(kind),
                serde_json::from_value(parameters).map_err(invalid)?,
                &spec.deep,
            )?)),
            _ => {
                return Err(CreditError::Invalid(format!(
                    "a {kind} model is not stored as parameters alone"
                )));
            }
        })
    }
}

/// A fitted model: schema, preprocessing and network, ready to score.
pub struct CreditModel {
    pub spec: ModelSpec,
    pub schema: Schema,
    pub preprocessor: Preprocessor,
    pub(crate) network: Network,
}

impl CreditModel {
    /// Fits preprocessing and model on `train` (and nothing else: inner validation, where a
    /// model has any, splits these rows).
    pub fn fit(
        schema: &Schema,
        train: &Dataset,
        spec: &ModelSpec,
        options: FitOptions<'_>,
    ) -> Result<(CreditModel, History)> {
        let preprocessor = Preprocessor::fit(&train.features, spec.scaling());
        let (network, history) = match spec.kind {
            ModelKind::SeedCnn => fit_seed_cnn(&preprocessor, train, spec, options)?,
            ModelKind::Logistic => (
                Network::Logistic(fit_logistic(&preprocessor, train, spec)?),
                Vec::new(),
            ),
            ModelKind::Scorecard => (
                Network::Scorecard(Scorecard::fit(
                    &train.features,
                    &train.labels,
                    &spec.scorecard,
                )?),
                Vec::new(),
            ),
            ModelKind::Gbdt => (
                Network::Gbdt(Gbdt::fit(
                    &preprocessor.transform(&train.features),
                    &train.labels,
                    &preprocessor.input_sources(),
                    &spec.gbdt,
                    spec.training.seed,
                )?),
                Vec::new(),
            ),
            ModelKind::Ensemble => (
                Network::Ensemble(Box::new(Ensemble::fit(schema, train, spec)?)),
                Vec::new(),
            ),
            ModelKind::Mlp | ModelKind::FtTransformer => (
                Network::Deep(Box::new(DeepEnsemble::fit(
                    architecture(spec.kind),
                    &preprocessor,
                    train,
                    &spec.deep,
                    spec.training.seed,
                    options.threads,
                    options.on_progress,
                )?)),
                Vec::new(),
            ),
        };
        let model = CreditModel {
            spec: spec.clone(),
            schema: schema.clone(),
            preprocessor,
            network,
        };
        Ok((model, history))
    }

    /// Probabilities of default, one per row. Evaluation, batch scoring and the service all
    /// call this function, so a row's score cannot depend on the path that asked for it.
    pub fn score(&self, features: &Features) -> Result<Vec<f64>> {
        Ok(match &self.network {
            Network::SeedCnn(cnn) => {
                predict(cnn.as_ref(), &model_inputs(&self.preprocessor, features)?)
            }
            Network::Logistic(model) => {
                model.probabilities(&Design::from_matrix(&self.preprocessor.transform(features)))
            }
            Network::Scorecard(card) => card
                .scores(features)?
                .into_iter()
                .map(|s| card.probability(s))
                .collect(),
            Network::Gbdt(model) => model.probabilities(&self.preprocessor.transform(features)),
            Network::Ensemble(blend) => blend.probabilities(features)?,
            Network::Deep(nets) => nets.probabilities(&self.preprocessor.transform(features))?,
        })
    }

    /// The scorecard, when this model is one.
    pub fn scorecard(&self) -> Option<&Scorecard> {
        match &self.network {
            Network::Scorecard(card) => Some(card),
            _ => None,
        }
    }

    /// The fitted parameters of a model that is not a network, as JSON: what the package
    /// stores, and what tests compare to prove two fits identical.
    pub fn parameters(&self) -> Option<serde_json::Value> {
        match &self.network {
            Network::SeedCnn(_) => None,
            Network::Logistic(m) => serde_json::to_value(m).ok(),
            Network::Scorecard(c) => serde_json::to_value(c).ok(),
            Network::Gbdt(g) => serde_json::to_value(g).ok(),
            Network::Ensemble(e) => serde_json::to_value(e.parameters()).ok(),
            Network::Deep(d) => serde_json::to_value(d.parameters()).ok(),
        }
    }
}

fn architecture(kind: ModelKind) -> Architecture {
    if kind == ModelKind::FtTransformer {
        Architecture::FtTransformer
    } else {
        Architecture::Mlp
    }
}

fn fit_seed_cnn(
    preprocessor: &Preprocessor,
    train: &Dataset,
    spec: &ModelSpec,
    options: FitOptions<'_>,
) -> Result<(Network, History)> {
    let inputs = model_inputs(preprocessor, &train.features)?;
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
    Ok((Network::SeedCnn(Box::new(trained)), history))
}

/// Inner folds refit the scaling and one-hot levels on their own fitting rows.
struct Encoded<'a> {
    features: &'a Features,
    scaling: Scaling,
}

impl InnerData for Encoded<'_> {
    fn split(&self, fit: &[usize], validate: &[usize]) -> Result<(Design, Design)> {
        let rows = self.features.select(fit);
        let preprocessor = Preprocessor::fit(&rows, self.scaling);
        let encode = |f: &Features| Design::from_matrix(&preprocessor.transform(f));
        Ok((encode(&rows), encode(&self.features.select(validate))))
    }
}

fn fit_logistic(
    preprocessor: &Preprocessor,
    train: &Dataset,
    spec: &ModelSpec,
) -> Result<Logistic> {
    let all = Design::from_matrix(&preprocessor.transform(&train.features));
    let inner = Encoded {
        features: &train.features,
        scaling: spec.scaling(),
    };
    fit_cv(
        &all,
        &inner,
        &train.labels,
        &spec.logistic,
        spec.training.seed,
    )
}

fn predict<M: Classifier>(network: &M, inputs: &[f32]) -> Vec<f64> {
    finml_nn::predict(network, inputs, image::IMAGE_PIXELS)
}

/// Encoded inputs laid out as the spec's images, one 784-value row per applicant.
fn model_inputs(preprocessor: &Preprocessor, features: &Features) -> Result<Vec<f32>> {
    Ok(image::to_images(&preprocessor.transform(features))?)
}
