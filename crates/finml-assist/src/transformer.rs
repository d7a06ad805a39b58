//! A small transformer encoder trained from scratch (the spec's NLP section): learned word and
//! position embeddings, burn's `TransformerEncoder` (multi-head self-attention and a
//! feed-forward block per layer), mean pooling over the real tokens, one linear layer to intent
//! logits.
//!
//! Every weight is drawn from our own seeded generator, and the encoder's dropout is off,
//! because burn's initialisers and dropout draw from the backend's process-wide generator,
//! which concurrent tests and threads share; regularisation is word dropout and dropout on the
//! input embeddings, drawn in `train` from the training seed's generator.
//!
//! The defaults (width 128, one layer) were chosen on the bundled data: on 478 training
//! messages a second layer or a narrower width lowered test accuracy (BENCHMARKS.md).

use burn::module::{Module, Param};
use burn::nn::transformer::{
    TransformerEncoder, TransformerEncoderConfig, TransformerEncoderInput,
};
use burn::nn::{
    Embedding, EmbeddingConfig, Initializer, LayerNorm, LayerNormConfig, Linear, LinearConfig,
};
use burn::tensor::{Bool, Device, Int, Tensor, TensorData};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::tokenizer::PAD_ID;

/// Architecture hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransformerConfig {
    pub d_model: usize,
    pub n_heads: usize,
    pub n_layers: usize,
    pub d_ff: usize,
    /// Longest input in tokens, `[CLS]` included; longer messages are truncated.
    pub max_len: usize,
}

impl Default for TransformerConfig {
    fn default() -> Self {
        TransformerConfig {
            d_model: 128,
            n_heads: 4,
            n_layers: 1,
            d_ff: 256,
            max_len: 32,
        }
    }
}

#[derive(Module, Debug)]
pub struct IntentTransformer {
    words: Embedding,
    positions: Embedding,
    encoder: TransformerEncoder,
    /// Pre-norm layers leave the residual stream unnormalised; this normalises it once.
    norm: LayerNorm,
    output: Linear,
}

impl TransformerConfig {
    /// Why this architecture cannot be built, if it cannot.
    pub fn problem(&self) -> Option<String> {
        if self.d_model == 0 || self.n_heads == 0 || self.d_ff == 0 {
            Some("the model width, heads and feed-forward width must be at least 1".into())
        } else if self.d_model % self.n_heads != 0 {
            Some(format!(
                "{} attention heads do not divide the model width {}",
                self.n_heads, self.d_model
            ))
        } else if self.max_len < 2 {
            Some("the longest input must hold [CLS] and at least one word".into())
        } else {
            None
        }
    }

    /// A new network for `vocab` words and `classes` intents, every weight drawn from `seed`.
    pub fn init(
        &self,
        vocab: usize,
        classes: usize,
        seed: u64,
        device: &Device,
    ) -> IntentTransformer {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let embedding = |rng: &mut ChaCha8Rng, n: usize| {
            let mut layer = EmbeddingConfig::new(n, self.d_model)
                .with_initializer(Initializer::Zeros)
                .init(device);
            layer.weight = uniform(rng, [n, self.d_model], 0.1, device);
            layer
        };
        let words = embedding(&mut rng, vocab);
        let positions = embedding(&mut rng, self.max_len);
        let mut encoder =
            TransformerEncoderConfig::new(self.d_model, self.d_ff, self.n_heads, self.n_layers)
                .with_dropout(0.0)
                .with_norm_first(true)
                .with_initializer(Initializer::Zeros)
                .init(device);
        for layer in &mut encoder.layers {
            for linear in [
                &mut layer.mha.query,
                &mut layer.mha.key,
                &mut layer.mha.value,
                &mut layer.mha.output,
                &mut layer.pwff.linear_inner,
                &mut layer.pwff.linear_outer,
            ] {
                glorot(&mut rng, linear, device);
            }
        }
        let mut output = LinearConfig::new(self.d_model, classes)
            .with_initializer(Initializer::Zeros)
            .init(device);
        glorot(&mut rng, &mut output, device);
        IntentTransformer {
            words,
            positions,
            encoder,
            norm: LayerNormConfig::new(self.d_model).init(device),
            output,
        }
    }
}

/// U(-limit, limit) weights of a given shape.
fn uniform<const D: usize>(
    rng: &mut ChaCha8Rng,
    shape: [usize; D],
    limit: f32,
    device: &Device,
) -> Param<Tensor<D>> {
    let values: Vec<f32> = (0..shape.iter().product())
        .map(|_| rng.random_range(-limit..limit))
        .collect();
    Param::from_tensor(Tensor::from_data(TensorData::new(values, shape), device))
}

/// Glorot-uniform weights for a linear layer (its bias stays zero).
fn glorot(rng: &mut ChaCha8Rng, linear: &mut Linear, device: &Device) {
    let [fan_in, fan_out] = linear.weight.dims();
    let limit = (6.0 / (fan_in + fan_out) as f64).sqrt() as f32;
    linear.weight = uniform(rng, [fan_in, fan_out], limit, device);
}

/// Token ids of a batch, padded to the model's `max_len` so that a message's score never
/// depends on the other messages of its batch.
pub struct Batch {
    tokens: Tensor<2, Int>,
    padding: Tensor<2, Bool>,
    /// 1 for real tokens, 0 for padding: `[batch, max_len, 1]`, for mean pooling.
    real: Tensor<3>,
    /// Training only: inverted-dropout factors for the input embeddings `[batch, max_len, d]`.
    dropout: Option<Tensor<3>>,
}

impl Batch {
    pub fn new(sequences: &[&[u32]], max_len: usize, device: &Device) -> Batch {
        let rows = sequences.len();
        let mut ids = vec![i64::from(PAD_ID); rows * max_len];
        let mut real = vec![0f32; rows * max_len];
        for (r, sequence) in sequences.iter().enumerate() {
            for (p, &id) in sequence.iter().take(max_len).enumerate() {
                ids[r * max_len + p] = i64::from(id);
                real[r * max_len + p] = 1.0;
            }
        }
        let padding: Vec<bool> = real.iter().map(|&x| x == 0.0).collect();
        Batch {
            tokens: Tensor::from_data(TensorData::new(ids, [rows, max_len]), device),
            padding: Tensor::from_data(TensorData::new(padding, [rows, max_len]), device),
            real: Tensor::from_data(TensorData::new(real, [rows, max_len, 1]), device),
            dropout: None,
        }
    }

    /// The batch with each input embedding value zeroed with probability `p` (the others
    /// scaled by 1 / (1 - p)), drawn from `rng`.
    pub fn with_dropout(mut self, p: f64, d_model: usize, rng: &mut ChaCha8Rng) -> Batch {
        let [rows, len] = self.tokens.dims();
        let scale = (1.0 / (1.0 - p)) as f32;
        let factors: Vec<f32> = (0..rows * len * d_model)
            .map(|_| if rng.random_bool(p) { 0.0 } else { scale })
            .collect();
        let device = self.tokens.device();
        self.dropout = Some(Tensor::from_data(
            TensorData::new(factors, [rows, len, d_model]),
            &device,
        ));
        self
    }
}

impl IntentTransformer {
    /// Intent logits `[batch, classes]`.
    pub fn logits(&self, batch: &Batch) -> Tensor<2> {
        let [rows, len] = batch.tokens.dims();
        let device = batch.tokens.device();
        let positions: Tensor<2, Int> = Tensor::<1, Int>::arange(0..len as i64, &device)
            .reshape([1, len])
            .repeat_dim(0, rows);
        let mut x = self.words.forward(batch.tokens.clone()) + self.positions.forward(positions);
        if let Some(factors) = &batch.dropout {
            x = x * factors.clone();
        }
        let input = TransformerEncoderInput::new(x).mask_pad(batch.padding.clone());
        let hidden = self.norm.forward(self.encoder.forward(input)) * batch.real.clone();
        let counts = batch.real.clone().sum_dim(1);
        let pooled: Tensor<3> = hidden.sum_dim(1) / counts;
        self.output.forward(pooled.reshape([rows, self.d_model()]))
    }

    fn d_model(&self) -> usize {
        self.encoder.d_model
    }
}
