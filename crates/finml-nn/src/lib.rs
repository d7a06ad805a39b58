//! finml's neural networks on burn, and the one training loop they share.
//!
//! Every network maps a batch of flat input rows `[batch, n_inputs]` to logits `[batch, 1]`;
//! the probability of default is the sigmoid of the logit. Networks that need another shape
//! (the CNN's 28x28 image) reshape inside.

mod backend;
mod init;
mod score;
mod seed_cnn;
mod sequence;
mod tabular;
mod train;
mod weights;

use burn::module::Module;
use burn::tensor::Tensor;

pub use backend::{BACKEND, inference_device, training_device};
pub use burn::tensor::Device;
pub use score::{ROWS_PER_TASK, predict, predict_outputs};
pub use seed_cnn::{SeedCnn, SeedCnnConfig};
pub use sequence::{AttentionNet, RnnHead, Seq2seqNet, SequenceConfig, SequenceKind, SequenceNet};
pub use tabular::{
    FtTransformer, FtTransformerConfig, ResMlp, ResMlpConfig, flat_weights, with_flat_weights,
};
pub use train::{
    BestEpoch, EarlyStopping, History, Progress, Schedule, TrainConfig, train,
    train_early_stopping, train_regression,
};
pub use weights::{load_weights, save_weights};

#[derive(Debug, thiserror::Error)]
pub enum NnError {
    #[error("invalid training set-up: {0}")]
    Config(String),
    #[error("model weights: {0}")]
    Weights(String),
}

/// An error naming the first of `sizes` (name, value) that is zero: every size of a network
/// must be at least 1.
pub(crate) fn check_sizes(sizes: &[(&str, usize)]) -> Result<(), NnError> {
    match sizes.iter().find(|(_, size)| *size == 0) {
        Some((name, _)) => Err(NnError::Config(format!("{name} must be at least 1"))),
        None => Ok(()),
    }
}

/// A binary classifier network: flat input rows to one logit each.
pub trait Classifier: Module + Clone + Send + Sync {
    fn logits(&self, inputs: Tensor<2>) -> Tensor<2>;

    /// The logits in training, where a network may draw dropout masks from `noise_seed`
    /// (our seed, not the backend's global generator, so that training stays reproducible on
    /// any number of threads).
    fn training_logits(&self, inputs: Tensor<2>, _noise_seed: u64) -> Tensor<2> {
        self.logits(inputs)
    }
}

impl Classifier for SeedCnn {
    fn logits(&self, inputs: Tensor<2>) -> Tensor<2> {
        let [batch, _] = inputs.dims();
        self.logits(inputs.reshape([batch, 1, seed_cnn::IMAGE_SIDE, seed_cnn::IMAGE_SIDE]))
    }
}

/// A regression network: flat input rows to `n_outputs` values each.
pub trait Regressor: Module + Clone + Send + Sync {
    fn outputs(&self, inputs: Tensor<2>) -> Tensor<2>;
}

/// Regression rows: a row-major input matrix and a row-major matrix of target values.
#[derive(Debug, Clone, Copy)]
pub struct Targets<'a> {
    pub inputs: &'a [f32],
    pub n_inputs: usize,
    pub values: &'a [f32],
    pub n_outputs: usize,
}

impl Targets<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.inputs.len() / self.n_inputs.max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Training rows: a row-major input matrix and one 0/1 label per row.
#[derive(Debug, Clone, Copy)]
pub struct Examples<'a> {
    pub inputs: &'a [f32],
    pub n_inputs: usize,
    pub labels: &'a [u8],
}

impl Examples<'_> {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    fn row(&self, i: usize) -> &[f32] {
        &self.inputs[i * self.n_inputs..(i + 1) * self.n_inputs]
    }
}
