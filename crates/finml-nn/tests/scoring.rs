//! Scoring: a row's score is the same bits alone, in a batch, and on any number of threads,
//! and a small batch scores on the calling thread.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

use burn::module::Module;
use burn::tensor::Tensor;
use finml_nn::{
    Classifier, FtTransformerConfig, ROWS_PER_TASK, ResMlp, ResMlpConfig, SeedCnnConfig,
    SequenceConfig, SequenceKind, inference_device, predict, predict_outputs,
};

/// Enough rows for three tasks, the last one short.
const ROWS: usize = 2 * ROWS_PER_TASK + 22;

/// Rows of a smooth signal, so that every row differs.
fn rows(count: usize, width: usize) -> Vec<f32> {
    (0..count * width)
        .map(|i| (i as f32 * 0.37).sin())
        .collect()
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

fn bits(scores: Vec<f64>) -> Vec<u64> {
    scores.into_iter().map(f64::to_bits).collect()
}

/// Scores `ROWS` rows one at a time, all at once, and all at once in pools of one and three
/// threads, and checks that the four give the same bits.
fn assert_scores_agree(name: &str, width: usize, score: impl Fn(&[f32]) -> Vec<f64> + Sync) {
    let inputs = rows(ROWS, width);
    let alone: Vec<f64> = inputs.chunks(width).flat_map(&score).collect();
    let together = score(&inputs);
    assert_eq!(together.len(), alone.len(), "{name}");
    assert_eq!(bits(together.clone()), bits(alone), "{name}: alone");
    for threads in [1, 3] {
        let pooled = pool(threads).install(|| score(&inputs));
        assert_eq!(
            bits(pooled),
            bits(together.clone()),
            "{name}: {threads} threads"
        );
    }
}

#[test]
fn a_classifiers_scores_do_not_depend_on_the_batch_or_the_threads() {
    let device = inference_device();
    let cnn = SeedCnnConfig::default().init(3, &device);
    assert_scores_agree("seed cnn", 784, |x| predict(&cnn, x, 784));
    // Over 512 inputs: the products' inner dimension is split into blocks by batch size.
    let mlp = ResMlpConfig::default().init(600, 3, &device).unwrap();
    assert_scores_agree("mlp", 600, |x| predict(&mlp, x, 600));
    let tokens: Vec<usize> = (0..600).map(|input| input / 20).collect();
    let ft = FtTransformerConfig::default()
        .init(&tokens, 3, &device)
        .unwrap();
    assert_scores_agree("ft-transformer", 600, |x| predict(&ft, x, 600));
}

#[test]
fn a_regressors_outputs_do_not_depend_on_the_batch_or_the_threads() {
    let config = SequenceConfig {
        kind: SequenceKind::Seq2seq,
        window: 6,
        features: 3,
        hidden: 4,
        horizon: 3,
        heads: 1,
        layers: 1,
    };
    let net = config.init(3, &inference_device()).unwrap();
    assert_scores_agree("seq2seq", 18, |x| predict_outputs(&net, x, 18));
}

/// A network that records the threads its forward passes run on.
#[derive(Module, Debug)]
struct ThreadSpy {
    network: ResMlp,
    #[module(skip)]
    threads: Arc<Mutex<HashSet<ThreadId>>>,
}

impl Classifier for ThreadSpy {
    fn logits(&self, inputs: Tensor<2>) -> Tensor<2> {
        let current = std::thread::current().id();
        self.threads.lock().unwrap().insert(current);
        self.network.logits(inputs)
    }
}

fn spy() -> ThreadSpy {
    let network = ResMlpConfig::default()
        .init(5, 1, &inference_device())
        .unwrap();
    ThreadSpy {
        network,
        threads: Arc::default(),
    }
}

fn threads_used(spy: &ThreadSpy) -> HashSet<ThreadId> {
    std::mem::take(&mut *spy.threads.lock().unwrap())
}

#[test]
fn one_row_or_one_task_of_rows_scores_on_the_calling_thread() {
    let spy = spy();
    let caller = HashSet::from([std::thread::current().id()]);
    predict(&spy, &rows(1, 5), 5);
    assert_eq!(threads_used(&spy), caller);
    predict(&spy, &rows(ROWS_PER_TASK, 5), 5);
    assert_eq!(threads_used(&spy), caller);
}

#[test]
fn a_large_batch_runs_on_the_callers_pool() {
    let spy = spy();
    let pool = pool(3);
    let scores = pool.install(|| predict(&spy, &rows(ROWS, 5), 5));
    assert_eq!(scores.len(), ROWS);
    let used = threads_used(&spy);
    assert!(!used.is_empty() && used.len() <= 3, "{used:?}");
    assert!(!used.contains(&std::thread::current().id()), "{used:?}");
}
