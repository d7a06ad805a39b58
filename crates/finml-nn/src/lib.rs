//! finml's neural networks on burn, and the one training loop they share.
//!
//! Every network maps a batch of flat input rows `[batch, n_inputs]` to logits `[batch, 1]`;
//! the probability of default is the sigmoid of the logit. Networks that need another shape
//! (the CNN's 28x28 image) reshape inside.

mod backend;
mod init;
mod seed_cnn;
mod sequence;
mod tabular;
mod train;
mod weights;

use burn::module::Module;
use burn::tensor::activation::sigmoid;
use burn::tensor::{Tensor, TensorData};

pub use backend::{BACKEND, inference_device, training_device};
pub use burn::tensor::Device;
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

/// Probabilities of default for the rows of a row-major matrix, scored in chunks of
/// `PREDICT_CHUNK` rows spread over the available cores (at most two). A row's score does not
/// depend on the other rows of its chunk, so the thread count never changes a score.
pub fn predict<M: Classifier>(model: &M, inputs: &[f32], n_inputs: usize) -> Vec<f64> {
    score_chunks(inputs, n_inputs, |x| sigmoid(model.logits(x)))
}

/// A regressor's outputs for the rows of a row-major matrix, row-major, chunked like
/// [`predict`].
pub fn predict_outputs<M: Regressor>(model: &M, inputs: &[f32], n_inputs: usize) -> Vec<f64> {
    score_chunks(inputs, n_inputs, |x| model.outputs(x))
}

fn score_chunks<F>(inputs: &[f32], n_inputs: usize, score: F) -> Vec<f64>
where
    F: Fn(Tensor<2>) -> Tensor<2> + Sync,
{
    let chunks: Vec<&[f32]> = inputs.chunks(PREDICT_CHUNK * n_inputs.max(1)).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    let per_thread = chunks.len().div_ceil(threads).max(1);
    let score = &score;
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .chunks(per_thread)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .flat_map(|c| score_chunk(c, n_inputs, score))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a scoring thread panicked"))
            .collect()
    })
}

fn score_chunk(chunk: &[f32], n_inputs: usize, score: impl Fn(Tensor<2>) -> Tensor<2>) -> Vec<f64> {
    let device = inference_device();
    let rows = chunk.len() / n_inputs;
    let x = Tensor::<2>::from_data(TensorData::new(chunk.to_vec(), [rows, n_inputs]), &device);
    score(x).into_data().iter::<f32>().map(f64::from).collect()
}

const PREDICT_CHUNK: usize = 256;
