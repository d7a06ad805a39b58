//! Deep networks for credit tables: a residual MLP and the FT-Transformer (Gorishniy et al.,
//! "Revisiting Deep Learning Models for Tabular Data", 2021), over the standardised and one-hot
//! encoded inputs.
//!
//! Constraints: a seed must fix every weight and every dropout mask, whatever the thread count
//! and burn's global random state; a fitted network must be storable as plain numbers beside
//! the other credit models' parameters. Solution: layers are built with zero initialisers and
//! redrawn from our generator ([`SeededWeights`]); dropout masks come from the training loop's
//! per-shard noise seed; [`flat_weights`] and [`with_flat_weights`] move the parameters in and
//! out as vectors in the module's visiting order. Trade-off: burn's own dropout layers (and its
//! attention's) are not used, so dropout sits only where these networks apply it by hand.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::nn::attention::{MhaInput, MultiHeadAttention, MultiHeadAttentionConfig};
use burn::nn::{Initializer, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor, TensorData};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::init::SeededWeights;
use crate::{Classifier, NnError, check_sizes};

/// The residual MLP's shape and regularisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResMlpConfig {
    /// Width of the residual stream.
    pub width: usize,
    /// Residual blocks: norm, linear to `hidden`, ReLU, dropout, linear back, added.
    pub blocks: usize,
    pub hidden: usize,
    /// Share of hidden units dropped in training.
    pub dropout: f64,
}

impl Default for ResMlpConfig {
    fn default() -> Self {
        ResMlpConfig {
            width: 64,
            blocks: 2,
            hidden: 128,
            dropout: 0.2,
        }
    }
}

/// Input projection, residual blocks, a final norm and ReLU, and one logit.
#[derive(Module, Debug)]
pub struct ResMlp {
    input: Linear,
    blocks: Vec<ResidualBlock>,
    norm: LayerNorm,
    output: Linear,
    dropout: f64,
}

#[derive(Module, Debug)]
struct ResidualBlock {
    norm: LayerNorm,
    expand: Linear,
    project: Linear,
}

impl ResMlpConfig {
    /// A new network over `n_inputs` inputs, its weights drawn from `seed`.
    ///
    /// ```
    /// use finml_nn::{Classifier, ResMlpConfig, inference_device};
    /// use burn::tensor::Tensor;
    /// let device = inference_device();
    /// let net = ResMlpConfig::default().init(5, 7, &device).unwrap();
    /// assert_eq!(net.logits(Tensor::zeros([3, 5], &device)).dims(), [3, 1]);
    /// ```
    pub fn init(&self, n_inputs: usize, seed: u64, device: &Device) -> Result<ResMlp, NnError> {
        check_sizes(&[
            ("inputs", n_inputs),
            ("width", self.width),
            ("hidden", self.hidden),
        ])?;
        check_dropout(self.dropout)?;
        let blocks = (0..self.blocks)
            .map(|_| ResidualBlock {
                norm: LayerNormConfig::new(self.width).init(device),
                expand: linear(self.width, self.hidden, device),
                project: linear(self.hidden, self.width, device),
            })
            .collect();
        let net = ResMlp {
            input: linear(n_inputs, self.width, device),
            blocks,
            norm: LayerNormConfig::new(self.width).init(device),
            output: linear(self.width, 1, device),
            dropout: self.dropout,
        };
        Ok(net.map(&mut SeededWeights::new(seed)))
    }
}

impl ResMlp {
    fn forward(&self, inputs: Tensor<2>, mut noise: Option<&mut ChaCha8Rng>) -> Tensor<2> {
        let mut x = self.input.forward(inputs);
        for block in &self.blocks {
            let hidden = relu(block.expand.forward(block.norm.forward(x.clone())));
            let hidden = dropout(hidden, self.dropout, noise.as_deref_mut());
            x = x + block.project.forward(hidden);
        }
        self.output.forward(relu(self.norm.forward(x)))
    }
}

impl Classifier for ResMlp {
    fn logits(&self, inputs: Tensor<2>) -> Tensor<2> {
        self.forward(inputs, None)
    }

    fn training_logits(&self, inputs: Tensor<2>, noise_seed: u64) -> Tensor<2> {
        self.forward(inputs, Some(&mut ChaCha8Rng::seed_from_u64(noise_seed)))
    }
}

/// The FT-Transformer's shape and regularisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FtTransformerConfig {
    /// Width of every feature token.
    pub width: usize,
    /// Transformer blocks: pre-norm multi-head self-attention and a feed-forward layer.
    pub blocks: usize,
    pub heads: usize,
    /// Hidden width of the feed-forward layers, as a multiple of `width`.
    pub ffn_factor: usize,
    /// Share of feed-forward hidden units dropped in training.
    pub dropout: f64,
}

impl Default for FtTransformerConfig {
    fn default() -> Self {
        FtTransformerConfig {
            width: 32,
            blocks: 2,
            heads: 4,
            ffn_factor: 2,
            dropout: 0.1,
        }
    }
}

/// Feature tokens, a [CLS] token, transformer blocks, and one logit read from [CLS].
///
/// Each source column is one token: the sum over its encoded inputs of input value times that
/// input's learned vector, plus the column's bias. A numeric column's token is its scaled value
/// times a vector (plus its missing indicator's vector when it had missing values); a
/// categorical column's token is the learned embedding of its level, because exactly one of
/// its one-hot inputs is 1.
#[derive(Module, Debug)]
pub struct FtTransformer {
    input_vectors: Param<Tensor<2>>,
    token_bias: Param<Tensor<2>>,
    cls: Param<Tensor<2>>,
    blocks: Vec<AttentionBlock>,
    norm: LayerNorm,
    output: Linear,
    /// `[tokens, n_inputs]`, 1 where an input belongs to a token (source column): a constant,
    /// built once, that sums each column's input vectors into its token.
    assignment: Tensor<2>,
    dropout: f64,
}

#[derive(Module, Debug)]
struct AttentionBlock {
    attention_norm: LayerNorm,
    attention: MultiHeadAttention,
    ffn_norm: LayerNorm,
    expand: Linear,
    project: Linear,
}

impl FtTransformerConfig {
    /// A new network whose input `i` belongs to token `token_of_input[i]` (tokens numbered
    /// from 0 without gaps), its weights drawn from `seed`.
    ///
    /// ```
    /// use finml_nn::{Classifier, FtTransformerConfig, inference_device};
    /// use burn::tensor::Tensor;
    /// let device = inference_device();
    /// // A numeric column, then a categorical one with three levels.
    /// let net = FtTransformerConfig::default().init(&[0, 1, 1, 1], 7, &device).unwrap();
    /// assert_eq!(net.logits(Tensor::zeros([2, 4], &device)).dims(), [2, 1]);
    /// ```
    pub fn init(
        &self,
        token_of_input: &[usize],
        seed: u64,
        device: &Device,
    ) -> Result<FtTransformer, NnError> {
        let tokens = token_count(token_of_input)?;
        check_sizes(&[
            ("width", self.width),
            ("blocks", self.blocks),
            ("heads", self.heads),
            ("ffn_factor", self.ffn_factor),
        ])?;
        check_dropout(self.dropout)?;
        if !self.width.is_multiple_of(self.heads) {
            return Err(NnError::Config(format!(
                "the token width {} must be a multiple of the {} heads",
                self.width, self.heads
            )));
        }
        let (width, hidden) = (self.width, self.width * self.ffn_factor);
        let blocks = (0..self.blocks)
            .map(|_| AttentionBlock {
                attention_norm: LayerNormConfig::new(width).init(device),
                attention: MultiHeadAttentionConfig::new(width, self.heads)
                    .with_dropout(0.0)
                    .with_initializer(Initializer::Zeros)
                    .init(device),
                ffn_norm: LayerNormConfig::new(width).init(device),
                expand: linear(width, hidden, device),
                project: linear(hidden, width, device),
            })
            .collect();
        let zeros = |rows: usize| Param::from_tensor(Tensor::zeros([rows, width], device));
        let net = FtTransformer {
            input_vectors: zeros(token_of_input.len()),
            token_bias: zeros(tokens),
            cls: zeros(1),
            blocks,
            norm: LayerNormConfig::new(width).init(device),
            output: linear(width, 1, device),
            assignment: assignment(token_of_input, tokens, device),
            dropout: self.dropout,
        };
        Ok(net.map(&mut SeededWeights::new(seed)))
    }
}

impl FtTransformer {
    fn forward(&self, inputs: Tensor<2>, mut noise: Option<&mut ChaCha8Rng>) -> Tensor<2> {
        let mut x = self.tokens(inputs);
        for block in &self.blocks {
            let normed = block.attention_norm.forward(x.clone());
            x = x + block.attention.forward(MhaInput::self_attn(normed)).context;
            let hidden = relu(block.expand.forward(block.ffn_norm.forward(x.clone())));
            let hidden = dropout(hidden, self.dropout, noise.as_deref_mut());
            x = x + block.project.forward(hidden);
        }
        let [batch, _, width] = x.dims();
        let cls = x.narrow(1, 0, 1).reshape([batch, width]);
        self.output.forward(relu(self.norm.forward(cls)))
    }

    /// `[batch, 1 + tokens, width]`: the [CLS] token, then one token per source column.
    fn tokens(&self, inputs: Tensor<2>) -> Tensor<3> {
        let [batch, n_inputs] = inputs.dims();
        let [tokens, width] = self.token_bias.val().dims();
        // [n_inputs, batch * width]: each input's value times its vector.
        let scaled =
            inputs.transpose().unsqueeze_dim::<3>(2) * self.input_vectors.val().unsqueeze_dim(1);
        let scaled = scaled.reshape([n_inputs, batch * width]);
        let summed = self.assignment.clone().matmul(scaled);
        let features = summed.reshape([tokens, batch, width]).swap_dims(0, 1)
            + self.token_bias.val().unsqueeze_dim(0);
        let cls = self.cls.val().unsqueeze_dim::<3>(0).repeat_dim(0, batch);
        Tensor::cat(vec![cls, features], 1)
    }
}

impl Classifier for FtTransformer {
    fn logits(&self, inputs: Tensor<2>) -> Tensor<2> {
        self.forward(inputs, None)
    }

    fn training_logits(&self, inputs: Tensor<2>, noise_seed: u64) -> Tensor<2> {
        self.forward(inputs, Some(&mut ChaCha8Rng::seed_from_u64(noise_seed)))
    }
}

fn linear(input: usize, output: usize, device: &Device) -> Linear {
    LinearConfig::new(input, output)
        .with_initializer(Initializer::Zeros)
        .init(device)
}

/// Inverted dropout with a mask drawn from `noise`; the identity when scoring (`None`).
fn dropout<const D: usize>(x: Tensor<D>, rate: f64, noise: Option<&mut ChaCha8Rng>) -> Tensor<D> {
    let Some(rng) = noise else { return x };
    if rate == 0.0 {
        return x;
    }
    let keep = 1.0 - rate;
    let scale = (1.0 / keep) as f32;
    let shape = x.dims();
    let mask: Vec<f32> = (0..shape.iter().product())
        .map(|_| if rng.random_bool(keep) { scale } else { 0.0 })
        .collect();
    let device = x.device();
    x * Tensor::from_data(TensorData::new(mask, shape), &device)
}

/// `[tokens, n_inputs]`, 1 where input `i` belongs to token `token_of_input[i]`.
fn assignment(token_of_input: &[usize], tokens: usize, device: &Device) -> Tensor<2> {
    let n_inputs = token_of_input.len();
    let mut ones = vec![0.0f32; tokens * n_inputs];
    for (input, &token) in token_of_input.iter().enumerate() {
        ones[token * n_inputs + input] = 1.0;
    }
    Tensor::from_data(TensorData::new(ones, [tokens, n_inputs]), device)
}

fn check_dropout(rate: f64) -> Result<(), NnError> {
    if (0.0..1.0).contains(&rate) {
        Ok(())
    } else {
        Err(NnError::Config(format!(
            "dropout must be in [0, 1), not {rate}"
        )))
    }
}

/// The number of tokens that `token_of_input` numbers, checking that none is skipped.
fn token_count(token_of_input: &[usize]) -> Result<usize, NnError> {
    let tokens = token_of_input.iter().max().map_or(0, |&t| t + 1);
    let mut seen = vec![false; tokens];
    token_of_input.iter().for_each(|&t| seen[t] = true);
    if tokens == 0 || seen.contains(&false) {
        return Err(NnError::Config(
            "every token needs at least one input, numbered from 0 without gaps".into(),
        ));
    }
    Ok(tokens)
}

/// Every float parameter of `network`, flattened, in the module's visiting order.
pub fn flat_weights<M: Module>(network: &M) -> Vec<Vec<f32>> {
    struct Collect(Vec<Vec<f32>>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let values = param.val().into_data().iter::<f32>().collect();
            self.0.push(values);
        }
    }
    let mut collect = Collect(Vec::new());
    network.visit(&mut collect);
    collect.0
}

/// `blank` with its float parameters replaced by `weights` from [`flat_weights`] of a network
/// of the same architecture.
pub fn with_flat_weights<M: Module>(blank: M, weights: Vec<Vec<f32>>) -> Result<M, NnError> {
    struct Replace {
        weights: std::vec::IntoIter<Vec<f32>>,
        error: Option<String>,
    }
    impl ModuleMapper for Replace {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let shape: [usize; D] = param.val().dims();
            let expected: usize = shape.iter().product();
            match self.weights.next() {
                Some(values) if values.len() == expected => {
                    let device = param.val().device();
                    let fresh = Tensor::from_data(TensorData::new(values, shape), &device);
                    param.map(|_| fresh)
                }
                found => {
                    let found = found.map_or("none".to_string(), |v| v.len().to_string());
                    self.error
                        .get_or_insert(format!("a parameter of {expected} values got {found}"));
                    param
                }
            }
        }
    }
    let mut replace = Replace {
        weights: weights.into_iter(),
        error: None,
    };
    let network = blank.map(&mut replace);
    let leftover = replace.weights.len();
    match replace.error {
        Some(error) => Err(NnError::Weights(error)),
        None if leftover > 0 => Err(NnError::Weights(format!(
            "{leftover} stored parameters more than the network has"
        ))),
        None => Ok(network),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inference_device;

    fn inputs(rows: usize, columns: usize) -> Tensor<2> {
        let values: Vec<f32> = (0..rows * columns)
            .map(|i| (i as f32 * 0.37).sin())
            .collect();
        Tensor::from_data(
            TensorData::new(values, [rows, columns]),
            &inference_device(),
        )
    }

    fn values(t: Tensor<2>) -> Vec<f32> {
        t.into_data().iter::<f32>().collect()
    }

    #[test]
    fn a_seed_fixes_the_weights_and_flat_weights_round_trip() {
        let device = inference_device();
        let config = ResMlpConfig::default();
        let a = config.init(6, 3, &device).unwrap();
        let b = config.init(6, 3, &device).unwrap();
        let c = config.init(6, 4, &device).unwrap();
        assert_eq!(flat_weights(&a), flat_weights(&b));
        assert_ne!(flat_weights(&a), flat_weights(&c));
        let restored = with_flat_weights(c, flat_weights(&a)).unwrap();
        assert_eq!(
            values(restored.logits(inputs(4, 6))),
            values(a.logits(inputs(4, 6)))
        );
    }

    #[test]
    fn wrong_stored_weights_are_refused() {
        let device = inference_device();
        let net = ResMlpConfig::default().init(6, 3, &device).unwrap();
        let mut weights = flat_weights(&net);
        weights[0].pop();
        assert!(with_flat_weights(net.clone(), weights).is_err());
        let mut weights = flat_weights(&net);
        weights.push(vec![1.0]);
        let message = with_flat_weights(net, weights).unwrap_err().to_string();
        assert!(message.contains("1 stored parameters more"), "{message}");
    }

    #[test]
    fn dropout_acts_in_training_only_and_follows_the_noise_seed() {
        let device = inference_device();
        let net = ResMlpConfig {
            dropout: 0.5,
            ..ResMlpConfig::default()
        }
        .init(6, 3, &device)
        .unwrap();
        let scoring = values(net.logits(inputs(8, 6)));
        assert_eq!(scoring, values(net.logits(inputs(8, 6))));
        let noisy = |seed| values(net.training_logits(inputs(8, 6), seed));
        assert_eq!(noisy(1), noisy(1));
        assert_ne!(noisy(1), noisy(2));
        assert_ne!(noisy(1), scoring);
    }

    #[test]
    fn a_column_token_sums_its_inputs_vectors() {
        let device = inference_device();
        let config = FtTransformerConfig::default();
        let net = config.init(&[0, 1, 1], 5, &device).unwrap();
        let tokens = net.tokens(inputs(2, 3));
        assert_eq!(tokens.dims(), [2, 3, 32]);
        let x = values(inputs(2, 3));
        let v = values(net.input_vectors.val());
        let bias = values(net.token_bias.val());
        let got: Vec<f32> = tokens.into_data().iter::<f32>().collect();
        // Row 1, token 2 (column 1): inputs 1 and 2.
        for k in 0..32 {
            let expected = x[3 + 1] * v[32 + k] + x[3 + 2] * v[64 + k] + bias[32 + k];
            let at = (3 + 2) * 32 + k;
            assert!(
                (got[at] - expected).abs() < 1e-5,
                "{} vs {expected}",
                got[at]
            );
        }
    }

    #[test]
    fn bad_shapes_are_refused() {
        let device = inference_device();
        let config = FtTransformerConfig::default();
        assert!(config.init(&[0, 2], 1, &device).is_err());
        assert!(config.init(&[], 1, &device).is_err());
        let odd_heads = FtTransformerConfig { heads: 5, ..config };
        let message = odd_heads.init(&[0], 1, &device).unwrap_err().to_string();
        assert!(message.contains("multiple of the 5 heads"), "{message}");
        let message = ResMlpConfig {
            dropout: 1.0,
            ..ResMlpConfig::default()
        }
        .init(3, 1, &device)
        .unwrap_err()
        .to_string();
        assert!(message.contains("dropout"), "{message}");
    }
}
