//! `--model mlp` and `--model ft-transformer`: deep networks on the standardised, one-hot
//! inputs, each trained with early stopping on validation AUC, optionally as an ensemble of
//! networks from different seeds (`--ensemble k`).
//!
//! Constraints: the outer test rows must never steer training, and a deep net on a few hundred
//! rows overfits within a few epochs. Solution: each member holds out its own stratified share
//! of the training rows (drawn from the member's seed), trains with AdamW and a cosine
//! learning-rate schedule, and keeps the epoch with the best AUC on those rows; members'
//! probabilities are averaged. Trade-off: a member never fits on its own validation rows,
//! but different members hold out different rows, so the ensemble as a whole sees them all.

use finml_data::{Dataset, InputSource, Matrix, Preprocessor, stratified_split};
use finml_nn::{
    BestEpoch, Classifier, EarlyStopping, Examples, FtTransformer, FtTransformerConfig, Progress,
    ResMlp, ResMlpConfig, Schedule, TrainConfig, flat_weights, with_flat_weights,
};
use serde::{Deserialize, Serialize};

use crate::error::{CreditError, Result, Setting};

/// A deep model's settings: its network `A` (a [`ResMlpConfig`] or an
/// [`FtTransformerConfig`]) and how its members train.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeepConfig<A> {
    pub network: A,
    /// Training of every member: `epochs` is the most it may run. Its seed is ignored: member
    /// `m` uses the model's seed plus `m`.
    pub training: TrainConfig,
    /// Networks trained from different seeds and averaged (`--ensemble k`).
    pub members: usize,
    /// Share of the training rows each member holds out for early stopping.
    pub validation_fraction: f64,
    /// Epochs without a better validation AUC before a member stops.
    pub patience: usize,
}

impl<A: Default> Default for DeepConfig<A> {
    fn default() -> Self {
        DeepConfig {
            network: A::default(),
            training: TrainConfig {
                epochs: 100,
                batch_size: 64,
                learning_rate: 1e-3,
                epsilon: 1e-8,
                weight_decay: 1e-2,
                schedule: Schedule::Cosine,
                ..TrainConfig::default()
            },
            members: 1,
            validation_fraction: 0.2,
            patience: 12,
        }
    }
}

/// A deep network's architecture: builds a blank network over the inputs.
pub(crate) trait DeepArchitecture {
    /// A network over inputs grouped by `token_of_input` (one per input), its weights drawn
    /// from `seed`.
    fn blank(
        &self,
        token_of_input: &[usize],
        seed: u64,
        device: &finml_nn::Device,
    ) -> Result<DeepNetwork>;
}

impl DeepArchitecture for ResMlpConfig {
    fn blank(
        &self,
        token_of_input: &[usize],
        seed: u64,
        device: &finml_nn::Device,
    ) -> Result<DeepNetwork> {
        Ok(DeepNetwork(Network::Mlp(self.init(
            token_of_input.len(),
            seed,
            device,
        )?)))
    }
}

impl DeepArchitecture for FtTransformerConfig {
    fn blank(
        &self,
        token_of_input: &[usize],
        seed: u64,
        device: &finml_nn::Device,
    ) -> Result<DeepNetwork> {
        Ok(DeepNetwork(Network::FtTransformer(self.init(
            token_of_input,
            seed,
            device,
        )?)))
    }
}

/// A built deep network, opaque outside this module.
pub(crate) struct DeepNetwork(Network);

enum Network {
    Mlp(ResMlp),
    FtTransformer(FtTransformer),
}

/// Fitted members whose probabilities are averaged.
pub(crate) struct DeepEnsemble {
    token_of_input: Vec<usize>,
    members: Vec<(Network, BestEpoch)>,
}

/// What the package stores: the networks' weights as numbers, with the epoch each kept.
#[derive(Serialize, Deserialize)]
pub(crate) struct DeepParameters {
    token_of_input: Vec<usize>,
    members: Vec<MemberWeights>,
}

#[derive(Serialize, Deserialize)]
struct MemberWeights {
    best_epoch: usize,
    validation_auc: f64,
    weights: Vec<Vec<f32>>,
}

impl DeepEnsemble {
    /// Fits `config.members` networks on the encoded training rows.
    pub fn fit<A: DeepArchitecture>(
        preprocessor: &Preprocessor,
        train: &Dataset,
        config: &DeepConfig<A>,
        seed: u64,
        threads: usize,
        on_progress: &mut dyn FnMut(&Progress),
    ) -> Result<DeepEnsemble> {
        check(config)?;
        let inputs = preprocessor.transform(&train.features)?;
        let token_of_input = tokens(&preprocessor.input_sources());
        let mut ensemble = DeepEnsemble {
            token_of_input,
            members: Vec::new(),
        };
        for member in 0..config.members {
            let member_seed = seed.wrapping_add(member as u64);
            let fitted = ensemble.fit_member(
                &inputs,
                &train.labels,
                config,
                member_seed,
                threads,
                on_progress,
            )?;
            ensemble.members.push(fitted);
        }
        Ok(ensemble)
    }

    fn fit_member<A: DeepArchitecture>(
        &self,
        inputs: &Matrix,
        labels: &[u8],
        config: &DeepConfig<A>,
        seed: u64,
        threads: usize,
        on_progress: &mut dyn FnMut(&Progress),
    ) -> Result<(Network, BestEpoch)> {
        let (fit_rows, validation_rows) =
            stratified_split(labels, config.validation_fraction, seed);
        let (fit_inputs, fit_labels) = select(inputs, labels, &fit_rows);
        let (validation_inputs, validation_labels) = select(inputs, labels, &validation_rows);
        check_both_classes(&validation_labels)?;
        let auc = |scores: &[f64], labels: &[u8]| {
            finml_metrics::roc_auc(scores, labels).unwrap_or(f64::NAN)
        };
        let stopping = EarlyStopping {
            validation: Examples {
                inputs: &validation_inputs,
                n_inputs: inputs.cols,
                labels: &validation_labels,
            },
            patience: config.patience,
            metric: &auc,
        };
        let fit = Examples {
            inputs: &fit_inputs,
            n_inputs: inputs.cols,
            labels: &fit_labels,
        };
        let run = EarlyStoppedRun {
            fit,
            stopping,
            config: TrainConfig {
                seed,
                ..config.training.clone()
            },
            threads,
        };
        let DeepNetwork(blank) =
            config
                .network
                .blank(&self.token_of_input, seed, &finml_nn::training_device())?;
        Ok(match blank {
            Network::Mlp(net) => {
                let (net, best) = run.train(net, on_progress)?;
                (Network::Mlp(net), best)
            }
            Network::FtTransformer(net) => {
                let (net, best) = run.train(net, on_progress)?;
                (Network::FtTransformer(net), best)
            }
        })
    }

    /// How many inputs the networks take.
    pub fn n_inputs(&self) -> usize {
        self.token_of_input.len()
    }

    /// The mean of the members' probabilities of default.
    pub fn probabilities(&self, inputs: &Matrix) -> Result<Vec<f64>> {
        if inputs.cols != self.token_of_input.len() {
            return Err(CreditError::Internal(format!(
                "the stored networks take {} inputs, the preprocessing gives {}",
                self.token_of_input.len(),
                inputs.cols
            )));
        }
        let mut mean = vec![0.0; inputs.rows];
        for (network, _) in &self.members {
            let scores = network.probabilities(inputs);
            mean.iter_mut().zip(scores).for_each(|(m, p)| *m += p);
        }
        let count = self.members.len() as f64;
        Ok(mean.into_iter().map(|m| m / count).collect())
    }

    pub fn parameters(&self) -> DeepParameters {
        let members = self
            .members
            .iter()
            .map(|(network, best)| MemberWeights {
                best_epoch: best.epoch,
                validation_auc: best.metric,
                weights: network.weights(),
            })
            .collect();
        DeepParameters {
            token_of_input: self.token_of_input.clone(),
            members,
        }
    }

    /// Rebuilds the networks that [`DeepEnsemble::parameters`] stored.
    pub fn from_parameters<A: DeepArchitecture>(
        stored: DeepParameters,
        config: &DeepConfig<A>,
    ) -> Result<DeepEnsemble> {
        let device = finml_nn::inference_device();
        let members = stored
            .members
            .into_iter()
            .map(|member| {
                let DeepNetwork(blank) =
                    config.network.blank(&stored.token_of_input, 0, &device)?;
                let best = BestEpoch {
                    epoch: member.best_epoch,
                    metric: member.validation_auc,
                };
                Ok((blank.with_weights(member.weights)?, best))
            })
            .collect::<Result<Vec<_>>>()?;
        if members.is_empty() {
            return Err(CreditError::Internal(
                "a deep model with no stored networks".into(),
            ));
        }
        Ok(DeepEnsemble {
            token_of_input: stored.token_of_input,
            members,
        })
    }
}

impl Network {
    fn probabilities(&self, inputs: &Matrix) -> Vec<f64> {
        match self {
            Network::Mlp(net) => predict(net, inputs),
            Network::FtTransformer(net) => predict(net, inputs),
        }
    }

    fn weights(&self) -> Vec<Vec<f32>> {
        match self {
            Network::Mlp(net) => flat_weights(net),
            Network::FtTransformer(net) => flat_weights(net),
        }
    }

    fn with_weights(self, weights: Vec<Vec<f32>>) -> Result<Network> {
        Ok(match self {
            Network::Mlp(net) => Network::Mlp(with_flat_weights(net, weights)?),
            Network::FtTransformer(net) => Network::FtTransformer(with_flat_weights(net, weights)?),
        })
    }
}

/// One member's training, whichever the architecture.
struct EarlyStoppedRun<'a> {
    fit: Examples<'a>,
    stopping: EarlyStopping<'a>,
    config: TrainConfig,
    threads: usize,
}

impl EarlyStoppedRun<'_> {
    fn train<M: Classifier>(
        &self,
        blank: M,
        on_progress: &mut dyn FnMut(&Progress),
    ) -> Result<(M, BestEpoch)> {
        let (net, _, best) = finml_nn::train_early_stopping(
            blank,
            &self.fit,
            &self.stopping,
            &self.config,
            self.threads,
            on_progress,
        )?;
        Ok((net, best))
    }
}

/// Validation AUC needs both classes among the held-out rows.
fn check_both_classes(labels: &[u8]) -> Result<()> {
    if labels.is_empty() {
        return Err(CreditError::Unfit(
            "too few training rows: none could be held out for early stopping".into(),
        ));
    }
    for (class, who) in [(1, "defaulting"), (0, "non-defaulting")] {
        if !labels.contains(&class) {
            return Err(CreditError::Unfit(format!(
                "the {} rows held out for early stopping have no {who} applicant; the training \
                 rows need more of both classes",
                labels.len()
            )));
        }
    }
    Ok(())
}

fn check<A>(config: &DeepConfig<A>) -> Result<()> {
    if config.members == 0 {
        return Err(CreditError::setting(
            Setting::DeepMembers,
            "must be at least 1",
        ));
    }
    if config.patience == 0 {
        return Err(CreditError::setting(
            Setting::Patience,
            "must be at least 1",
        ));
    }
    if !(config.validation_fraction > 0.0 && config.validation_fraction < 1.0) {
        return Err(CreditError::setting(
            Setting::ValidationFraction,
            format!("must be in (0, 1), not {}", config.validation_fraction),
        ));
    }
    Ok(())
}

/// The token of each input: inputs from the same source column share one, numbered in order of
/// the columns' first inputs.
fn tokens(sources: &[InputSource]) -> Vec<usize> {
    let mut columns: Vec<&str> = Vec::new();
    sources
        .iter()
        .map(
            |source| match columns.iter().position(|&c| c == source.column) {
                Some(token) => token,
                None => {
                    columns.push(&source.column);
                    columns.len() - 1
                }
            },
        )
        .collect()
}

fn select(inputs: &Matrix, labels: &[u8], rows: &[usize]) -> (Vec<f32>, Vec<u8>) {
    let values = rows
        .iter()
        .flat_map(|&r| inputs.row(r).iter().copied())
        .collect();
    (values, rows.iter().map(|&r| labels[r]).collect())
}

fn predict<M: Classifier>(network: &M, inputs: &Matrix) -> Vec<f64> {
    finml_nn::predict(network, &inputs.data, inputs.cols)
}
