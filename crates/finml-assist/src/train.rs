//! Training of the intent transformer: seeded shuffled mini-batches, softmax cross-entropy,
//! Adam, word dropout and embedding dropout.
//!
//! Word dropout replaces a share of the words of each training message with `[UNK]`, drawn
//! from the seeded generator: with a few hundred messages, it is what teaches the network to
//! classify messages whose words it has not seen, and it keeps training bit-reproducible.
//! One thread: at these sizes an epoch takes a fraction of a second.

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::activation::log_softmax;
use burn::tensor::{Tensor, TensorData};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::AssistError;
use crate::tokenizer::UNK_ID;
use crate::transformer::{Batch, IntentTransformer};

/// The optimiser and schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainOptions {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    /// Share of the words of a training message replaced by `[UNK]` in each epoch.
    pub word_dropout: f64,
    /// Share of the input embedding values zeroed in each training batch.
    pub dropout: f64,
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 40,
            batch_size: 32,
            learning_rate: 1e-3,
            word_dropout: 0.25,
            dropout: 0.3,
            seed: 42,
        }
    }
}

impl TrainOptions {
    fn validate(&self) -> Result<(), AssistError> {
        let problem = if self.epochs == 0 || self.batch_size == 0 {
            "epochs and batch size must be at least 1".to_string()
        } else if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            format!(
                "the learning rate must be positive, not {}",
                self.learning_rate
            )
        } else if !(0.0..1.0).contains(&self.word_dropout) || !(0.0..1.0).contains(&self.dropout) {
            format!(
                "dropout rates must be in [0, 1), not {} (words) and {} (embeddings)",
                self.word_dropout, self.dropout
            )
        } else {
            return Ok(());
        };
        Err(AssistError::Options(problem))
    }
}

/// Encoded training messages and the class index of each.
pub struct Encoded<'a> {
    pub sequences: &'a [Vec<u32>],
    pub labels: &'a [usize],
    pub classes: usize,
    pub max_len: usize,
    pub d_model: usize,
}

/// Trains `model` (on a training device) and returns it ready to score, with the mean loss of
/// each epoch; `on_epoch` hears each epoch's number and mean loss.
pub fn train(
    mut model: IntentTransformer,
    data: &Encoded,
    options: &TrainOptions,
    on_epoch: &mut dyn FnMut(usize, f64),
) -> Result<(IntentTransformer, Vec<f64>), AssistError> {
    options.validate()?;
    if data.sequences.is_empty() {
        return Err(AssistError::Options("no training messages".into()));
    }
    let device = finml_nn::training_device();
    let mut optimizer = AdamConfig::new().init();
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed.wrapping_add(0x5eed));
    let mut order: Vec<usize> = (0..data.sequences.len()).collect();
    let mut history = Vec::with_capacity(options.epochs);
    for epoch in 1..=options.epochs {
        order.shuffle(&mut rng);
        let mut loss_sum = 0.0;
        for rows in order.chunks(options.batch_size) {
            let noisy: Vec<Vec<u32>> = rows
                .iter()
                .map(|&r| drop_words(&data.sequences[r], options.word_dropout, &mut rng))
                .collect();
            let refs: Vec<&[u32]> = noisy.iter().map(Vec::as_slice).collect();
            let batch = Batch::new(&refs, data.max_len, &device).with_dropout(
                options.dropout,
                data.d_model,
                &mut rng,
            );
            let targets = one_hot(rows.iter().map(|&r| data.labels[r]), data.classes);
            let log_p = log_softmax(model.logits(&batch), 1);
            let truth = Tensor::<2>::from_data(
                TensorData::new(targets, [rows.len(), data.classes]),
                &device,
            );
            let loss = (log_p * truth).sum().neg().div_scalar(rows.len() as f32);
            loss_sum += f64::from(loss.clone().into_scalar::<f32>()) * rows.len() as f64;
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(options.learning_rate, model, grads);
        }
        let mean = loss_sum / data.sequences.len() as f64;
        on_epoch(epoch, mean);
        history.push(mean);
    }
    Ok((model.valid(), history))
}

/// The sequence with each word (never `[CLS]`, the first id) replaced by `[UNK]` with
/// probability `p`.
fn drop_words(sequence: &[u32], p: f64, rng: &mut ChaCha8Rng) -> Vec<u32> {
    let mut out = sequence.to_vec();
    for id in out.iter_mut().skip(1) {
        if rng.random_bool(p) {
            *id = UNK_ID;
        }
    }
    out
}

fn one_hot(labels: impl Iterator<Item = usize>, classes: usize) -> Vec<f32> {
    labels
        .flat_map(|label| (0..classes).map(move |c| if c == label { 1.0 } else { 0.0 }))
        .collect()
}
