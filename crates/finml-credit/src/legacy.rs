//! Model settings as packages before format 3 stored them: one bag holding every family's
//! settings, the seed-cnn's training seed seeding every model. Read into today's
//! [`ModelSpec`], so that an old package scores exactly as it did.

use finml_nn::{FtTransformerConfig, ResMlpConfig, SeedCnnConfig, TrainConfig};
use serde::Deserialize;

use crate::deep::DeepConfig;
use crate::ensemble::EnsembleConfig;
use crate::gbdt::GbdtConfig;
use crate::logistic::LogisticConfig;
use crate::model::{ModelConfig, ModelKind, ModelSpec, SeedCnnSettings};
use crate::scorecard::ScorecardConfig;

/// Today's `model` entry of `metadata.json` from a format 1 or 2 one.
pub(crate) fn spec(stored: serde_json::Value) -> Result<serde_json::Value, String> {
    let bag: Bag = serde_json::from_value(stored).map_err(|e| e.to_string())?;
    serde_json::to_value(bag.into_spec()?).map_err(|e| e.to_string())
}

#[derive(Deserialize)]
struct Bag {
    kind: ModelKind,
    architecture: SeedCnnConfig,
    training: TrainConfig,
    #[serde(default)]
    logistic: LogisticConfig,
    #[serde(default)]
    scorecard: ScorecardConfig,
    #[serde(default)]
    gbdt: GbdtConfig,
    #[serde(default)]
    ensemble: BlendBag,
    #[serde(default)]
    deep: DeepBag,
}

#[derive(Deserialize)]
#[serde(default)]
struct BlendBag {
    members: Vec<ModelKind>,
    inner_folds: usize,
    weight_step: f64,
}

impl Default for BlendBag {
    fn default() -> Self {
        let today = EnsembleConfig::default();
        BlendBag {
            members: today.members.iter().map(ModelConfig::kind).collect(),
            inner_folds: today.inner_folds,
            weight_step: today.weight_step,
        }
    }
}

/// Both deep architectures' settings beside the training they shared.
#[derive(Deserialize)]
#[serde(default)]
struct DeepBag {
    mlp: ResMlpConfig,
    ft_transformer: FtTransformerConfig,
    training: TrainConfig,
    members: usize,
    validation_fraction: f64,
    patience: usize,
}

impl Default for DeepBag {
    fn default() -> Self {
        let today = DeepConfig::<ResMlpConfig>::default();
        DeepBag {
            mlp: ResMlpConfig::default(),
            ft_transformer: FtTransformerConfig::default(),
            training: today.training,
            members: today.members,
            validation_fraction: today.validation_fraction,
            patience: today.patience,
        }
    }
}

impl DeepBag {
    fn with<A>(&self, network: A) -> DeepConfig<A> {
        DeepConfig {
            network,
            training: self.training.clone(),
            members: self.members,
            validation_fraction: self.validation_fraction,
            patience: self.patience,
        }
    }
}

impl Bag {
    fn into_spec(self) -> Result<ModelSpec, String> {
        let config = match self.kind {
            ModelKind::Ensemble => ModelConfig::Ensemble(EnsembleConfig {
                members: self
                    .ensemble
                    .members
                    .iter()
                    .map(|&kind| self.member(kind))
                    .collect::<Result<_, _>>()?,
                inner_folds: self.ensemble.inner_folds,
                weight_step: self.ensemble.weight_step,
            }),
            kind => self.config(kind),
        };
        Ok(ModelSpec {
            seed: self.training.seed,
            config,
        })
    }

    /// An ensemble member: a table model, never another blend or the CNN.
    fn member(&self, kind: ModelKind) -> Result<ModelConfig, String> {
        match kind {
            ModelKind::Ensemble | ModelKind::SeedCnn => Err(format!(
                "an ensemble member must be a table model, not {kind}"
            )),
            kind => Ok(self.config(kind)),
        }
    }

    /// The settings of a model that is not an ensemble.
    fn config(&self, kind: ModelKind) -> ModelConfig {
        match kind {
            ModelKind::SeedCnn => ModelConfig::SeedCnn(SeedCnnSettings {
                architecture: self.architecture.clone(),
                training: self.training.clone(),
            }),
            ModelKind::Logistic => ModelConfig::Logistic(self.logistic.clone()),
            ModelKind::Scorecard => ModelConfig::Scorecard(self.scorecard.clone()),
            ModelKind::Gbdt => ModelConfig::Gbdt(self.gbdt.clone()),
            // Only `into_spec` builds an ensemble, from members that are not one.
            ModelKind::Ensemble => ModelConfig::Ensemble(EnsembleConfig::default()),
            ModelKind::Mlp => ModelConfig::Mlp(self.deep.with(self.deep.mlp.clone())),
            ModelKind::FtTransformer => {
                ModelConfig::FtTransformer(self.deep.with(self.deep.ft_transformer.clone()))
            }
        }
    }
}
