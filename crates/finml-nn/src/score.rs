//! Scoring rows: [`predict`] for classifiers, [`predict_outputs`] for regressors.
//!
//! Constraints: a row's score must be the same bits however many rows it is scored with, on
//! however many threads (a service scores one applicant, a batch job thousands, and both must
//! agree); the caller chooses the parallelism (a service scoring from many tasks at once must
//! not have each call start threads of its own); one row must score with no thread overhead.
//! The matrix-product kernels under burn pick their algorithm by shape: a product with a
//! single row or column takes a kernel that sums in another order, and an inner dimension over
//! 512 is split into blocks whose size changes when both sides have at most 64 rows, so the
//! same row scored alone, in a batch of 2 or in one of 100 can get different last bits
//! (measured: a fifth of the seed CNN's rows alone against in 256s, a third of a 600-input
//! residual MLP's in 64s against 256s).
//!
//! Solution: every row is scored by a forward pass of its own, so every pass has the same
//! shape and a score is a function of its row alone. A batch of more than [`ROWS_PER_TASK`]
//! rows is cut into tasks of that many rows run on the current rayon pool (the caller's inside
//! `pool.install`, else rayon's global one); a smaller batch runs on the calling thread.
//!
//! Trade-off: no batching inside a forward pass, which costs bulk scoring about 15% on the
//! seed CNN, 3x on an FT-Transformer and 7x on a residual MLP over 30 inputs (713 rows in
//! 11.8 ms on one core instead of 1.7 ms; early stopping's validation grows from 1% to 6% of
//! an epoch), while one applicant's latency stays as it was.

use burn::tensor::activation::sigmoid;
use burn::tensor::{Tensor, TensorData};
use rayon::prelude::*;

use crate::{Classifier, Regressor, inference_device};

/// Rows per rayon task: enough work per task to outweigh its scheduling (a task of the seed
/// CNN is about 25 ms), few enough that two cores share a few hundred rows evenly.
pub const ROWS_PER_TASK: usize = 64;

/// Probabilities of default for the rows of a row-major matrix of `n_inputs` columns.
///
/// Each row is scored on its own, so its score does not depend on the other rows or on the
/// thread count. Up to [`ROWS_PER_TASK`] rows score on the calling thread; more are spread
/// over the current rayon pool. A caller chooses the parallelism by installing a pool:
///
/// ```
/// use finml_nn::{ResMlpConfig, inference_device, predict};
///
/// let network = ResMlpConfig::default().init(3, 7, &inference_device()).unwrap();
/// let rows: Vec<f32> = (0..3 * 500).map(|i| (i as f32 * 0.1).sin()).collect();
/// // This call uses at most two threads, whatever rayon's global pool has.
/// let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
/// let scores = pool.install(|| predict(&network, &rows, 3));
/// assert_eq!(scores.len(), 500);
/// // One row alone gets the same bits as within the batch.
/// assert_eq!(predict(&network, &rows[..3], 3)[0].to_bits(), scores[0].to_bits());
/// ```
pub fn predict<M: Classifier>(model: &M, inputs: &[f32], n_inputs: usize) -> Vec<f64> {
    score_rows(inputs, n_inputs, |row| sigmoid(model.logits(row)))
}

/// A regressor's outputs for the rows of a row-major matrix, row-major; each row scored on its
/// own, with the parallelism of [`predict`].
pub fn predict_outputs<M: Regressor>(model: &M, inputs: &[f32], n_inputs: usize) -> Vec<f64> {
    score_rows(inputs, n_inputs, |row| model.outputs(row))
}

fn score_rows<F>(inputs: &[f32], n_inputs: usize, score: F) -> Vec<f64>
where
    F: Fn(Tensor<2>) -> Tensor<2> + Sync,
{
    let task_len = ROWS_PER_TASK * n_inputs.max(1);
    if inputs.len() <= task_len {
        return score_each_row(inputs, n_inputs, &score);
    }
    let tasks: Vec<Vec<f64>> = inputs
        .par_chunks(task_len)
        .map(|task| score_each_row(task, n_inputs, &score))
        .collect();
    tasks.concat()
}

/// One forward pass per row, in order.
fn score_each_row<F>(rows: &[f32], n_inputs: usize, score: &F) -> Vec<f64>
where
    F: Fn(Tensor<2>) -> Tensor<2>,
{
    let device = inference_device();
    let mut scores = Vec::with_capacity(rows.len() / n_inputs.max(1));
    for row in rows.chunks(n_inputs.max(1)) {
        let input = Tensor::from_data(TensorData::new(row.to_vec(), [1, n_inputs]), &device);
        scores.extend(score(input).into_data().iter::<f32>().map(f64::from));
    }
    scores
}
