//! Sequence networks for forecasting from windows of bars: gated RNNs (LSTM, GRU), a small
//! transformer encoder, and an LSTM encoder-decoder (seq2seq) that unrolls `horizon` steps.
//!
//! Constraints: the training loop takes flat rows, and a seed must fix every initial weight
//! whatever burn's global random state. Solution: each network reshapes a row of
//! `window * features` values to `[window, features]` itself, and [`SequenceConfig::init`]
//! builds burn's layers with zero initialisers, then redraws every weight matrix from our own
//! seeded generator (Glorot uniform) while biases stay zero and layer norms stay one/zero.
//! Dropout is 0, so a forward pass draws nothing at random.

use burn::module::{Module, Param};
use burn::nn::gru::{Gru, GruConfig};
use burn::nn::lstm::{Lstm, LstmConfig};
use burn::nn::transformer::{
    TransformerEncoder, TransformerEncoderConfig, TransformerEncoderInput,
};
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::init::SeededWeights;
use crate::{Classifier, NnError, Regressor, check_sizes};

/// Which sequence network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SequenceKind {
    Lstm,
    Gru,
    Transformer,
    Seq2seq,
}

/// The shape and size of a sequence network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequenceConfig {
    pub kind: SequenceKind,
    /// Time steps per input row.
    pub window: usize,
    /// Values per time step.
    pub features: usize,
    /// Hidden size of the RNNs; model width of the transformer.
    pub hidden: usize,
    /// Outputs of seq2seq's decoder (steps unrolled); the others have one output.
    pub horizon: usize,
    /// Attention heads (transformer; must divide `hidden`).
    pub heads: usize,
    /// Encoder layers (transformer).
    pub layers: usize,
}

/// One of the sequence networks; every one maps `[batch, window * features]` rows to
/// `[batch, outputs]`.
#[derive(Module, Debug)]
pub enum SequenceNet {
    Lstm(RnnHead<Lstm>),
    Gru(RnnHead<Gru>),
    Transformer(AttentionNet),
    Seq2seq(Seq2seqNet),
}

/// A recurrent layer whose last hidden state feeds one linear output.
#[derive(Module, Debug)]
pub struct RnnHead<R> {
    rnn: R,
    output: Linear,
    window: usize,
    features: usize,
}

/// Input projection plus learned positions, a transformer encoder, mean pooling over time, and
/// one linear output.
#[derive(Module, Debug)]
pub struct AttentionNet {
    embed: Linear,
    positions: Param<Tensor<2>>,
    encoder: TransformerEncoder,
    output: Linear,
    window: usize,
    features: usize,
}

/// An LSTM encoder whose final state seeds an LSTM decoder; each decoder step reads the
/// previous step's output (zero on the first) and emits one value.
#[derive(Module, Debug)]
pub struct Seq2seqNet {
    encoder: Lstm,
    decoder: Lstm,
    output: Linear,
    window: usize,
    features: usize,
    horizon: usize,
}

impl SequenceConfig {
    /// Outputs per row: `horizon` for seq2seq, 1 otherwise.
    pub fn outputs(&self) -> usize {
        match self.kind {
            SequenceKind::Seq2seq => self.horizon,
            _ => 1,
        }
    }

    /// Inputs per row.
    pub fn inputs(&self) -> usize {
        self.window * self.features
    }

    fn validate(&self) -> Result<(), NnError> {
        check_sizes(&[
            ("window", self.window),
            ("features", self.features),
            ("hidden", self.hidden),
            ("horizon", self.horizon),
            ("heads", self.heads),
            ("layers", self.layers),
        ])?;
        if self.kind == SequenceKind::Transformer && !self.hidden.is_multiple_of(self.heads) {
            return Err(NnError::Config(format!(
                "the transformer's width {} must be a multiple of its {} heads",
                self.hidden, self.heads
            )));
        }
        Ok(())
    }

    /// A new network whose weights are drawn from `seed` (see the module documentation).
    ///
    /// ```
    /// use finml_nn::{Regressor, SequenceConfig, SequenceKind, inference_device};
    /// use burn::tensor::Tensor;
    /// let config = SequenceConfig {
    ///     kind: SequenceKind::Gru, window: 5, features: 3, hidden: 4, horizon: 1, heads: 1, layers: 1,
    /// };
    /// let device = inference_device();
    /// let net = config.init(7, &device).unwrap();
    /// let out = net.outputs(Tensor::zeros([2, 15], &device));
    /// assert_eq!(out.dims(), [2, 1]);
    /// ```
    pub fn init(&self, seed: u64, device: &Device) -> Result<SequenceNet, NnError> {
        self.validate()?;
        let (window, features, hidden) = (self.window, self.features, self.hidden);
        let linear = |input, output| {
            LinearConfig::new(input, output)
                .with_initializer(Initializer::Zeros)
                .init(device)
        };
        let lstm = |input| {
            LstmConfig::new(input, hidden, true)
                .with_initializer(Initializer::Zeros)
                .init(device)
        };
        let net = match self.kind {
            SequenceKind::Lstm => SequenceNet::Lstm(RnnHead {
                rnn: lstm(features),
                output: linear(hidden, 1),
                window,
                features,
            }),
            SequenceKind::Gru => SequenceNet::Gru(RnnHead {
                rnn: GruConfig::new(features, hidden, true)
                    .with_initializer(Initializer::Zeros)
                    .init(device),
                output: linear(hidden, 1),
                window,
                features,
            }),
            SequenceKind::Transformer => SequenceNet::Transformer(AttentionNet {
                embed: linear(features, hidden),
                positions: Param::from_tensor(Tensor::zeros([window, hidden], device)),
                encoder: TransformerEncoderConfig::new(hidden, 2 * hidden, self.heads, self.layers)
                    .with_dropout(0.0)
                    .with_initializer(Initializer::Zeros)
                    .init(device),
                output: linear(hidden, 1),
                window,
                features,
            }),
            SequenceKind::Seq2seq => SequenceNet::Seq2seq(Seq2seqNet {
                encoder: lstm(features),
                decoder: lstm(1),
                output: linear(hidden, 1),
                window,
                features,
                horizon: self.horizon,
            }),
        };
        Ok(net.map(&mut SeededWeights::new(seed)))
    }
}

impl<R> RnnHead<R> {
    fn sequences(&self, rows: Tensor<2>) -> Tensor<3> {
        let [batch, _] = rows.dims();
        rows.reshape([batch, self.window, self.features])
    }
}

/// The last time step of `[batch, steps, width]`, as `[batch, width]`.
fn last_step(sequence: Tensor<3>) -> Tensor<2> {
    let [_, steps, _] = sequence.dims();
    sequence.narrow(1, steps - 1, 1).squeeze_dim(1)
}

impl Regressor for SequenceNet {
    fn outputs(&self, rows: Tensor<2>) -> Tensor<2> {
        match self {
            SequenceNet::Lstm(head) => {
                let (_, state) = head.rnn.forward(head.sequences(rows), None);
                head.output.forward(state.hidden)
            }
            SequenceNet::Gru(head) => {
                let hidden = head.rnn.forward(head.sequences(rows), None);
                head.output.forward(last_step(hidden))
            }
            SequenceNet::Transformer(net) => net.forward(rows),
            SequenceNet::Seq2seq(net) => net.forward(rows),
        }
    }
}

/// The sequence networks also score as binary classifiers: their single output is a logit.
impl Classifier for SequenceNet {
    fn logits(&self, inputs: Tensor<2>) -> Tensor<2> {
        self.outputs(inputs)
    }
}

impl AttentionNet {
    fn forward(&self, rows: Tensor<2>) -> Tensor<2> {
        let [batch, _] = rows.dims();
        let steps = rows.reshape([batch, self.window, self.features]);
        let embedded = self.embed.forward(steps) + self.positions.val().unsqueeze_dim(0);
        let encoded = self.encoder.forward(TransformerEncoderInput::new(embedded));
        self.output.forward(encoded.mean_dim(1).squeeze_dim(1))
    }
}

impl Seq2seqNet {
    fn forward(&self, rows: Tensor<2>) -> Tensor<2> {
        let [batch, _] = rows.dims();
        let steps = rows.reshape([batch, self.window, self.features]);
        let (_, mut state) = self.encoder.forward(steps, None);
        let device = state.hidden.device();
        let mut previous: Tensor<2> =
            Tensor::from_data(TensorData::new(vec![0.0f32; batch], [batch, 1]), &device);
        let mut outputs = Vec::with_capacity(self.horizon);
        for _ in 0..self.horizon {
            let (_, next) = self.decoder.forward(previous.unsqueeze_dim(1), Some(state));
            state = next;
            previous = self.output.forward(state.hidden.clone());
            outputs.push(previous.clone());
        }
        Tensor::cat(outputs, 1)
    }
}
