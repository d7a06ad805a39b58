//! The one training loop: seeded, shuffled mini-batches, Adam, and a loss chosen by the task:
//! binary cross-entropy for classifiers ([`train`]), mean squared error for regressors
//! ([`train_regression`]).
//!
//! Constraints: the spec's batch of 32 must be kept (it is part of the model's behaviour), the
//! same data, seed and configuration must give bit-identical weights, and both cores of a
//! small machine should work. Solution: every batch is cut into a fixed number of shards; each
//! shard's gradient of its share of the batch loss is computed on its own thread, and the
//! shard gradients are summed before one optimizer step. Because the shards are part of the
//! algorithm, not of the machine, one thread computing them in turn gives the same bits as two
//! threads computing them at once. Trade-off: a shard of 16 rows runs each kernel at half the
//! batch, which costs a little per-row efficiency for a near-2x wall-clock gain.

use burn::optim::{
    AdamConfig, AdamWConfig, GradientsParams, ModuleOptimizer, MultiGradientsParams,
};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor, TensorData};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use burn::module::Module;

use crate::backend::training_device;
use crate::{Classifier, Examples, NnError, Regressor, Targets};

/// Shards per batch; see the module documentation.
const SHARDS: usize = 2;

/// The optimiser and schedule. Defaults are the spec's: Adam with Keras's defaults,
/// 10 epochs of batches of 32.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub beta_1: f32,
    pub beta_2: f32,
    pub epsilon: f32,
    pub seed: u64,
    /// Decoupled weight decay (AdamW) per step, scaled by the learning rate; 0 is plain Adam,
    /// the spec's optimiser.
    #[serde(default)]
    pub weight_decay: f32,
    #[serde(default)]
    pub schedule: Schedule,
}

/// How the learning rate moves over training.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Schedule {
    /// The configured rate throughout (the spec's).
    #[default]
    Constant,
    /// Cosine decay from the configured rate to zero over all epochs' steps.
    Cosine,
}

impl Schedule {
    /// The learning rate of step `step` of `steps`.
    fn rate(self, base: f64, step: usize, steps: usize) -> f64 {
        match self {
            Schedule::Constant => base,
            Schedule::Cosine => {
                let progress = step as f64 / steps.max(1) as f64;
                base * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos())
            }
        }
    }
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 10,
            batch_size: 32,
            learning_rate: 1e-3,
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-7,
            seed: 42,
            weight_decay: 0.0,
            schedule: Schedule::Constant,
        }
    }
}

/// Where training stands, after each batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub epoch: usize,
    pub epochs: usize,
    pub batch: usize,
    pub batches: usize,
    /// Mean loss over the epoch's batches so far.
    pub loss: f64,
}

/// Mean training loss of each epoch.
pub type History = Vec<f64>;

/// Trains `model` on `examples` and returns it ready to score (without autodiff);
/// `threads` (1 or more) only changes the speed, never the result.
pub fn train<M: Classifier>(
    model: M,
    examples: &Examples,
    config: &TrainConfig,
    threads: usize,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<(M, History), NnError> {
    fit(
        model,
        examples,
        config,
        threads,
        on_progress,
        &mut |_, _| EpochVerdict::Continue,
    )
}

/// When to stop: after `patience` epochs without a better `metric` on held-out rows.
pub struct EarlyStopping<'a> {
    pub validation: Examples<'a>,
    pub patience: usize,
    /// A quality of the validation scores (probabilities) against the labels; higher is better.
    pub metric: &'a dyn Fn(&[f64], &[u8]) -> f64,
}

/// The epoch whose weights [`train_early_stopping`] kept, and their validation metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BestEpoch {
    pub epoch: usize,
    pub metric: f64,
}

/// Trains like [`train`] for at most `config.epochs` epochs, measures the validation rows
/// after each, and returns the weights of the best epoch (the first of equals).
pub fn train_early_stopping<M: Classifier>(
    model: M,
    examples: &Examples,
    stopping: &EarlyStopping,
    config: &TrainConfig,
    threads: usize,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<(M, History, BestEpoch), NnError> {
    if stopping.validation.is_empty() {
        return Err(NnError::Config(
            "early stopping needs validation rows".into(),
        ));
    }
    let mut best: Option<(M, BestEpoch)> = None;
    let mut on_epoch = |trained: &M, epoch: usize| {
        let candidate = trained.clone().valid();
        let validation = &stopping.validation;
        let scores = crate::predict(&candidate, validation.inputs, validation.n_inputs);
        let metric = (stopping.metric)(&scores, validation.labels);
        let best_epoch = match &best {
            Some((_, kept)) if metric <= kept.metric || metric.is_nan() => kept.epoch,
            _ => {
                best = Some((candidate, BestEpoch { epoch, metric }));
                epoch
            }
        };
        if epoch - best_epoch >= stopping.patience {
            EpochVerdict::Stop
        } else {
            EpochVerdict::Continue
        }
    };
    let (_, history) = fit(model, examples, config, threads, on_progress, &mut on_epoch)?;
    match best {
        Some((model, best)) if best.metric.is_finite() => Ok((model, history, best)),
        _ => Err(NnError::Config(
            "the validation metric was not a number after any epoch (did training diverge?)".into(),
        )),
    }
}

/// Whether the loop goes on after an epoch.
enum EpochVerdict {
    Continue,
    Stop,
}

/// Trains a regressor on `targets` by mean squared error over rows and outputs, with the same
/// batches, optimiser and determinism as [`train`].
pub fn train_regression<M: Regressor>(
    model: M,
    targets: &Targets,
    config: &TrainConfig,
    threads: usize,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<(M, History), NnError> {
    if targets.values.len() != targets.len() * targets.n_outputs {
        return Err(NnError::Config(format!(
            "{} target values do not fill {} rows of {} outputs",
            targets.values.len(),
            targets.len(),
            targets.n_outputs
        )));
    }
    fit(model, targets, config, threads, on_progress, &mut |_, _| {
        EpochVerdict::Continue
    })
}

/// What the loop needs from a task: how many rows, and the loss of some of them.
trait Objective<M>: Sync {
    fn len(&self) -> usize;

    /// The loss summed over `rows`; the loop divides it by the batch length. `noise_seed`
    /// seeds whatever the network draws at random in training (dropout).
    fn summed_loss(&self, model: &M, rows: &[usize], noise_seed: u64, device: &Device)
    -> Tensor<1>;
}

impl<M: Classifier> Objective<M> for Examples<'_> {
    fn len(&self) -> usize {
        self.labels.len()
    }

    fn summed_loss(
        &self,
        model: &M,
        rows: &[usize],
        noise_seed: u64,
        device: &Device,
    ) -> Tensor<1> {
        let (inputs, labels) = self.tensors(rows, device);
        bce_with_logits(model.training_logits(inputs, noise_seed), labels)
    }
}

impl<M: Regressor> Objective<M> for Targets<'_> {
    fn len(&self) -> usize {
        Targets::len(self)
    }

    fn summed_loss(&self, model: &M, rows: &[usize], _: u64, device: &Device) -> Tensor<1> {
        let (inputs, values) = self.tensors(rows, device);
        let error = model.outputs(inputs) - values;
        (error.clone() * error)
            .sum()
            .div_scalar(self.n_outputs as f32)
    }
}

fn fit<M, O>(
    mut model: M,
    objective: &O,
    config: &TrainConfig,
    threads: usize,
    on_progress: &mut dyn FnMut(&Progress),
    on_epoch: &mut dyn FnMut(&M, usize) -> EpochVerdict,
) -> Result<(M, History), NnError>
where
    M: Module + Clone + Send + Sync,
    O: Objective<M>,
{
    validate(objective.len(), config)?;
    let device = training_device();
    let mut optimizer = optimizer(config);
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed.wrapping_add(0x5eed));
    let mut order: Vec<usize> = (0..objective.len()).collect();
    let batches = objective.len().div_ceil(config.batch_size);
    let steps = batches
        .checked_mul(config.epochs)
        .ok_or_else(|| NnError::Config(format!("{} epochs are too many", config.epochs)))?;
    let mut history = Vec::new();
    for epoch in 0..config.epochs {
        order.shuffle(&mut rng);
        let mut loss_sum = 0.0;
        for (batch, rows) in order.chunks(config.batch_size).enumerate() {
            let step = epoch * batches + batch;
            let noise_seed = mix(mix(config.seed ^ NOISE_STREAM) ^ step as u64);
            let (grads, loss) =
                batch_gradients(&model, objective, rows, noise_seed, threads, &device);
            let rate = config.schedule.rate(config.learning_rate, step, steps);
            model = optimizer.step_multi(rate, model, grads);
            loss_sum += loss;
            on_progress(&Progress {
                epoch: epoch + 1,
                epochs: config.epochs,
                batch: batch + 1,
                batches,
                loss: loss_sum / (batch + 1) as f64,
            });
        }
        history.push(loss_sum / batches as f64);
        if let EpochVerdict::Stop = on_epoch(&model, epoch + 1) {
            break;
        }
    }
    Ok((model.valid(), history))
}

/// Adam with the configured moments; AdamW when there is weight decay.
fn optimizer(config: &TrainConfig) -> ModuleOptimizer {
    if config.weight_decay > 0.0 {
        AdamWConfig::new()
            .with_beta_1(config.beta_1)
            .with_beta_2(config.beta_2)
            .with_epsilon(config.epsilon)
            .with_weight_decay(config.weight_decay)
            .init()
    } else {
        AdamConfig::new()
            .with_beta_1(config.beta_1)
            .with_beta_2(config.beta_2)
            .with_epsilon(config.epsilon)
            .init()
    }
}

/// Sets the dropout noise apart from every other use of the seed (initial weights, splits,
/// shuffling), which draw from generators seeded with the seed itself.
const NOISE_STREAM: u64 = 0x6e6f_6973_655f_7365;

/// SplitMix64's finaliser: nearby inputs (consecutive steps and shards) give unrelated seeds.
fn mix(x: u64) -> u64 {
    let x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn validate(rows: usize, config: &TrainConfig) -> Result<(), NnError> {
    if rows == 0 {
        return Err(NnError::Config("no training rows".into()));
    }
    if config.batch_size == 0 || config.epochs == 0 {
        return Err(NnError::Config(
            "epochs and batch size must be at least 1".into(),
        ));
    }
    if !(config.learning_rate > 0.0 && config.learning_rate.is_finite()) {
        return Err(NnError::Config(format!(
            "the learning rate must be a positive number, not {}",
            config.learning_rate
        )));
    }
    if !(config.weight_decay >= 0.0 && config.weight_decay.is_finite()) {
        return Err(NnError::Config(format!(
            "the weight decay must be a number of at least 0, not {}",
            config.weight_decay
        )));
    }
    Ok(())
}

/// The summed shard gradients of one batch's mean loss, and that loss.
fn batch_gradients<M: Module + Clone + Send + Sync, O: Objective<M>>(
    model: &M,
    objective: &O,
    rows: &[usize],
    noise_seed: u64,
    threads: usize,
    device: &Device,
) -> (MultiGradientsParams, f64) {
    let shard_len = rows.len().div_ceil(SHARDS);
    let shards: Vec<&[usize]> = rows.chunks(shard_len).collect();
    let batch_len = rows.len();
    let shard_gradients = |index: usize, shard: &[usize]| -> (GradientsParams, f64) {
        // Each shard records its own graph: concurrent backward passes must not share nodes.
        let local = model.clone().fork(device);
        let loss = objective
            .summed_loss(&local, shard, mix(noise_seed ^ index as u64), device)
            .div_scalar(batch_len as f32);
        let value = f64::from(loss.clone().into_scalar::<f32>());
        (GradientsParams::from_grads(loss.backward(), &local), value)
    };
    let results: Vec<(GradientsParams, f64)> = if threads > 1 {
        std::thread::scope(|scope| {
            let handles: Vec<_> = shards
                .iter()
                .enumerate()
                .map(|(index, shard)| scope.spawn(move || shard_gradients(index, shard)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a training shard panicked"))
                .collect()
        })
    } else {
        shards
            .iter()
            .enumerate()
            .map(|(index, shard)| shard_gradients(index, shard))
            .collect()
    };
    let loss = results.iter().map(|(_, l)| l).sum();
    let grads = results
        .into_iter()
        .map(|(g, _)| (g, device.clone()))
        .collect();
    (MultiGradientsParams { grads }, loss)
}

/// Summed binary cross-entropy of sigmoid(logits) against 0/1 labels, in the overflow-free
/// form max(z, 0) - z*y + log(1 + exp(-|z|)).
fn bce_with_logits(logits: Tensor<2>, labels: Tensor<2>) -> Tensor<1> {
    let per_row = relu(logits.clone()) - logits.clone() * labels + logits.abs().neg().exp().log1p();
    per_row.sum()
}

impl Examples<'_> {
    /// The rows `rows` as an input tensor `[rows, n_inputs]` and a label tensor `[rows, 1]`.
    fn tensors(&self, rows: &[usize], device: &Device) -> (Tensor<2>, Tensor<2>) {
        let mut inputs = Vec::with_capacity(rows.len() * self.n_inputs);
        for &r in rows {
            inputs.extend_from_slice(self.row(r));
        }
        let labels: Vec<f32> = rows.iter().map(|&r| f32::from(self.labels[r])).collect();
        (
            Tensor::from_data(TensorData::new(inputs, [rows.len(), self.n_inputs]), device),
            Tensor::from_data(TensorData::new(labels, [rows.len(), 1]), device),
        )
    }
}

impl Targets<'_> {
    /// The rows `rows` as an input tensor `[rows, n_inputs]` and a target tensor
    /// `[rows, n_outputs]`.
    fn tensors(&self, rows: &[usize], device: &Device) -> (Tensor<2>, Tensor<2>) {
        let mut inputs = Vec::with_capacity(rows.len() * self.n_inputs);
        let mut values = Vec::with_capacity(rows.len() * self.n_outputs);
        for &r in rows {
            inputs.extend_from_slice(&self.inputs[r * self.n_inputs..(r + 1) * self.n_inputs]);
            values.extend_from_slice(&self.values[r * self.n_outputs..(r + 1) * self.n_outputs]);
        }
        (
            Tensor::from_data(TensorData::new(inputs, [rows.len(), self.n_inputs]), device),
            Tensor::from_data(
                TensorData::new(values, [rows.len(), self.n_outputs]),
                device,
            ),
        )
    }
}
