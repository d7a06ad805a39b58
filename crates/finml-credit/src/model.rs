//! Credit models: fitting on a dataset and the one scoring path.

use std::fmt;
use std::str::FromStr;

use finml_data::{
    Dataset, Feature, Features, Preprocessor, Scaling, Schema, Table, image, read_features,
};
use finml_nn::{
    Classifier, Examples, FtTransformerConfig, History, Progress, ResMlpConfig, SeedCnn,
    SeedCnnConfig, TrainConfig,
};
use serde::{Deserialize, Serialize};

use crate::deep::{DeepArchitecture, DeepConfig, DeepEnsemble};
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
                CreditError::UnknownModel {
                    name: s.to_string(),
                    known: known.join(", "),
                }
            })
    }
}

/// Everything that decides a fitted model besides the data: one seed for everything random
/// in fitting (weights, shuffling, inner folds, the train/test split) and the settings of the
/// model family. Recorded in the package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    pub seed: u64,
    pub config: ModelConfig,
}

/// The seed every command uses unless told otherwise.
pub const DEFAULT_SEED: u64 = 42;

impl ModelSpec {
    /// A model of `kind` with its default settings and the default seed.
    pub fn new(kind: ModelKind) -> ModelSpec {
        ModelSpec {
            seed: DEFAULT_SEED,
            config: ModelConfig::new(kind),
        }
    }

    pub fn kind(&self) -> ModelKind {
        self.config.kind()
    }

    /// The same seed with another family's settings: an ensemble's members.
    pub(crate) fn with_config(&self, config: ModelConfig) -> ModelSpec {
        ModelSpec {
            seed: self.seed,
            config,
        }
    }
}

/// One model family's settings, and only that family's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ModelConfig {
    SeedCnn(SeedCnnSettings),
    Logistic(LogisticConfig),
    Scorecard(ScorecardConfig),
    Gbdt(GbdtConfig),
    Ensemble(EnsembleConfig),
    Mlp(DeepConfig<ResMlpConfig>),
    FtTransformer(DeepConfig<FtTransformerConfig>),
}

/// The spec's CNN: its layers and its training (whose seed the model's seed replaces).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SeedCnnSettings {
    pub architecture: SeedCnnConfig,
    pub training: TrainConfig,
}

impl ModelConfig {
    /// The default settings of `kind`.
    pub fn new(kind: ModelKind) -> ModelConfig {
        match kind {
            ModelKind::SeedCnn => ModelConfig::SeedCnn(SeedCnnSettings::default()),
            ModelKind::Logistic => ModelConfig::Logistic(LogisticConfig::default()),
            ModelKind::Scorecard => ModelConfig::Scorecard(ScorecardConfig::default()),
            ModelKind::Gbdt => ModelConfig::Gbdt(GbdtConfig::default()),
            ModelKind::Ensemble => ModelConfig::Ensemble(EnsembleConfig::default()),
            ModelKind::Mlp => ModelConfig::Mlp(DeepConfig::default()),
            ModelKind::FtTransformer => ModelConfig::FtTransformer(DeepConfig::default()),
        }
    }

    pub fn kind(&self) -> ModelKind {
        match self {
            ModelConfig::SeedCnn(_) => ModelKind::SeedCnn,
            ModelConfig::Logistic(_) => ModelKind::Logistic,
            ModelConfig::Scorecard(_) => ModelKind::Scorecard,
            ModelConfig::Gbdt(_) => ModelKind::Gbdt,
            ModelConfig::Ensemble(_) => ModelKind::Ensemble,
            ModelConfig::Mlp(_) => ModelKind::Mlp,
            ModelConfig::FtTransformer(_) => ModelKind::FtTransformer,
        }
    }

    /// Calls `change` on these settings and, for an ensemble, on each member's: how a front
    /// end applies one option (a scorecard's special values, a deep model's epochs) wherever
    /// the family it belongs to is fitted.
    pub fn for_each_mut(&mut self, change: &mut dyn FnMut(&mut ModelConfig)) {
        change(self);
        if let ModelConfig::Ensemble(blend) = self {
            for member in &mut blend.members {
                member.for_each_mut(change);
            }
        }
    }

    fn scaling(&self) -> Scaling {
        match self {
            ModelConfig::SeedCnn(_) => Scaling::MinMax,
            // The scorecard bins the raw columns; its preprocessor only names the inputs
            // that the package's metadata lists. Trees ignore the scale.
            // An ensemble's members keep their own preprocessing.
            ModelConfig::Logistic(_)
            | ModelConfig::Scorecard(_)
            | ModelConfig::Gbdt(_)
            | ModelConfig::Ensemble(_)
            | ModelConfig::Mlp(_)
            | ModelConfig::FtTransformer(_) => Scaling::Standard,
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
    /// A model stored as parameters (JSON), from what its package stores; the error says
    /// what in them is wrong.
    pub(crate) fn from_parameters(
        config: &ModelConfig,
        parameters: serde_json::Value,
    ) -> std::result::Result<Network, String> {
        let kind = config.kind();
        let invalid = |e: serde_json::Error| format!("stored parameters of a {kind} model: {e}");
        Ok(match config {
            ModelConfig::Logistic(_) => {
                Network::Logistic(serde_json::from_value(parameters).map_err(invalid)?)
            }
            ModelConfig::Scorecard(_) => {
                Network::Scorecard(serde_json::from_value(parameters).map_err(invalid)?)
            }
            ModelConfig::Gbdt(_) => {
                let model: Gbdt = serde_json::from_value(parameters).map_err(invalid)?;
                model.check_trees()?;
                Network::Gbdt(model)
            }
            ModelConfig::Mlp(config) => {
                deep_network(serde_json::from_value(parameters).map_err(invalid)?, config)?
            }
            ModelConfig::FtTransformer(config) => {
                deep_network(serde_json::from_value(parameters).map_err(invalid)?, config)?
            }
            ModelConfig::SeedCnn(_) | ModelConfig::Ensemble(_) => {
                return Err(format!("a {kind} model is not stored as parameters alone"));
            }
        })
    }
}

/// A model is loaded once and shared through an `Arc` by every task that scores: a model that
/// could not be shared would fail to compile here.
const _: () = {
    const fn shared<T: Send + Sync>() {}
    shared::<CreditModel>();
};

/// A deep model rebuilt from its stored weights and the settings it was fitted with.
fn deep_network<A: DeepArchitecture>(
    stored: crate::deep::DeepParameters,
    config: &DeepConfig<A>,
) -> std::result::Result<Network, String> {
    let nets = DeepEnsemble::from_parameters(stored, config).map_err(|e| e.to_string())?;
    Ok(Network::Deep(Box::new(nets)))
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
        let preprocessor = Preprocessor::fit(&train.features, spec.config.scaling());
        let seed = spec.seed;
        let (network, history) = match &spec.config {
            ModelConfig::SeedCnn(settings) => {
                fit_seed_cnn(&preprocessor, train, settings, seed, options)?
            }
            ModelConfig::Logistic(config) => (
                Network::Logistic(fit_logistic(&preprocessor, train, config, seed)?),
                Vec::new(),
            ),
            ModelConfig::Scorecard(config) => (
                Network::Scorecard(Scorecard::fit(&train.features, &train.labels, config)?),
                Vec::new(),
            ),
            ModelConfig::Gbdt(config) => (
                Network::Gbdt(Gbdt::fit(
                    &preprocessor.transform(&train.features)?,
                    &train.labels,
                    &preprocessor.input_sources(),
                    config,
                    seed,
                )?),
                Vec::new(),
            ),
            ModelConfig::Ensemble(config) => (
                Network::Ensemble(Box::new(Ensemble::fit(schema, train, config, seed)?)),
                Vec::new(),
            ),
            ModelConfig::Mlp(config) => (
                fit_deep(&preprocessor, train, config, seed, options)?,
                Vec::new(),
            ),
            ModelConfig::FtTransformer(config) => (
                fit_deep(&preprocessor, train, config, seed, options)?,
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

    /// The model's feature columns of `table`, typed by its schema: the one way in for a
    /// file, the records of a request or an Arrow batch (see [`finml_data::Table`]). Other
    /// columns, the target's among them, are not read.
    pub fn features(&self, table: &Table) -> Result<Features> {
        Ok(read_features(table, &self.schema)?)
    }

    /// Probabilities of default, one per row. Evaluation, batch scoring and the service all
    /// call this function, so a row's score cannot depend on the path that asked for it.
    pub fn score(&self, features: &Features) -> Result<Vec<f64>> {
        Ok(match &self.network {
            Network::SeedCnn(cnn) => {
                predict(cnn.as_ref(), &model_inputs(&self.preprocessor, features)?)
            }
            Network::Logistic(model) => model.probabilities(&Design::from_matrix(
                &self.preprocessor.transform(features)?,
            )),
            Network::Scorecard(card) => card
                .scores(features)?
                .into_iter()
                .map(|s| card.probability(s))
                .collect(),
            Network::Gbdt(model) => model.probabilities(&self.preprocessor.transform(features)?),
            Network::Ensemble(blend) => blend.probabilities(features)?,
            Network::Deep(nets) => nets.probabilities(&self.preprocessor.transform(features)?)?,
        })
    }

    /// Checks that the schema, the preprocessing and the fitted model agree on the columns
    /// and the inputs: what loading a package relies on before it scores anything. The error
    /// says what disagrees.
    pub(crate) fn check_inputs(&self) -> std::result::Result<(), String> {
        let fitted = self.preprocessor.columns();
        if fitted != self.schema.features {
            return Err(first_difference(&self.schema.features, &fitted));
        }
        let inputs = self.preprocessor.n_inputs();
        let takes =
            |n: usize| format!("the model takes {n} inputs, the preprocessing gives {inputs}");
        match &self.network {
            Network::SeedCnn(_) if inputs > image::IMAGE_PIXELS => Err(format!(
                "the preprocessing gives {inputs} inputs, more than the image's {} pixels",
                image::IMAGE_PIXELS
            )),
            Network::Logistic(model) if model.weights.len() != inputs => {
                Err(takes(model.weights.len()))
            }
            Network::Deep(nets) if nets.n_inputs() != inputs => Err(takes(nets.n_inputs())),
            Network::Gbdt(model) if model.inputs_used() > inputs => Err(format!(
                "the trees read {} inputs, the preprocessing gives {inputs}",
                model.inputs_used()
            )),
            Network::Scorecard(card) => card.check_columns(&self.schema.features),
            // An ensemble's members were each checked as they were rebuilt.
            _ => Ok(()),
        }
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

/// Names the first column where the schema and the preprocessing disagree.
fn first_difference(schema: &[Feature], fitted: &[Feature]) -> String {
    let describe = |f: Option<&Feature>| {
        f.map_or("nothing".to_string(), |f| {
            format!("'{}' ({})", f.name, f.kind)
        })
    };
    let position = (0..schema.len().max(fitted.len()))
        .find(|&i| schema.get(i) != fitted.get(i))
        .unwrap_or(0);
    format!(
        "column {} is {} in schema.json but {} in preprocessing.json",
        position + 1,
        describe(schema.get(position)),
        describe(fitted.get(position))
    )
}

fn fit_seed_cnn(
    preprocessor: &Preprocessor,
    train: &Dataset,
    settings: &SeedCnnSettings,
    seed: u64,
    options: FitOptions<'_>,
) -> Result<(Network, History)> {
    let inputs = model_inputs(preprocessor, &train.features)?;
    let examples = Examples {
        inputs: &inputs,
        n_inputs: image::IMAGE_PIXELS,
        labels: &train.labels,
    };
    let initial = settings
        .architecture
        .init(seed, &finml_nn::training_device());
    let training = TrainConfig {
        seed,
        ..settings.training.clone()
    };
    let (trained, history) = finml_nn::train(
        initial,
        &examples,
        &training,
        options.threads,
        options.on_progress,
    )?;
    Ok((Network::SeedCnn(Box::new(trained)), history))
}

fn fit_deep<A: DeepArchitecture>(
    preprocessor: &Preprocessor,
    train: &Dataset,
    config: &DeepConfig<A>,
    seed: u64,
    options: FitOptions<'_>,
) -> Result<Network> {
    Ok(Network::Deep(Box::new(DeepEnsemble::fit(
        preprocessor,
        train,
        config,
        seed,
        options.threads,
        options.on_progress,
    )?)))
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
        let encode = |f: &Features| -> Result<Design> {
            Ok(Design::from_matrix(&preprocessor.transform(f)?))
        };
        Ok((encode(&rows)?, encode(&self.features.select(validate))?))
    }
}

fn fit_logistic(
    preprocessor: &Preprocessor,
    train: &Dataset,
    config: &LogisticConfig,
    seed: u64,
) -> Result<Logistic> {
    let all = Design::from_matrix(&preprocessor.transform(&train.features)?);
    let inner = Encoded {
        features: &train.features,
        scaling: preprocessor.scaling(),
    };
    fit_cv(&all, &inner, &train.labels, config, seed)
}

fn predict<M: Classifier>(network: &M, inputs: &[f32]) -> Vec<f64> {
    finml_nn::predict(network, inputs, image::IMAGE_PIXELS)
}

/// Encoded inputs laid out as the spec's images, one 784-value row per applicant.
fn model_inputs(preprocessor: &Preprocessor, features: &Features) -> Result<Vec<f32>> {
    Ok(image::to_images(&preprocessor.transform(features)?)?)
}
