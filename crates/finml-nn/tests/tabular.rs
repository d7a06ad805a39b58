//! The table networks under the training loop: early stopping, weight decay, the schedule and
//! dropout, all reproducible on any number of threads.

use finml_nn::{
    EarlyStopping, Examples, FtTransformerConfig, ResMlpConfig, Schedule, TrainConfig,
    flat_weights, predict, train_early_stopping, training_device,
};

/// Rows of four inputs whose label is 1 when a noisy linear score is positive.
fn problem(rows: usize, offset: usize) -> (Vec<f32>, Vec<u8>) {
    let mut inputs = Vec::with_capacity(rows * 4);
    let mut labels = Vec::with_capacity(rows);
    for r in offset..offset + rows {
        let x: Vec<f32> = (0..4).map(|j| ((r * 4 + j) as f32 * 0.618).sin()).collect();
        let noise = ((r as f32) * 12.9898).sin() * 0.3;
        labels.push(u8::from(x[0] - 0.5 * x[1] + noise > 0.0));
        inputs.extend(x);
    }
    (inputs, labels)
}

fn examples<'a>(inputs: &'a [f32], labels: &'a [u8]) -> Examples<'a> {
    Examples {
        inputs,
        n_inputs: 4,
        labels,
    }
}

fn config() -> TrainConfig {
    TrainConfig {
        epochs: 30,
        batch_size: 32,
        weight_decay: 1e-2,
        schedule: Schedule::Cosine,
        ..TrainConfig::default()
    }
}

/// The share of correctly ordered (positive, negative) pairs.
fn auc(scores: &[f64], labels: &[u8]) -> f64 {
    let (mut ordered, mut pairs) = (0.0, 0.0);
    for (i, &p) in scores.iter().enumerate() {
        for (j, &q) in scores.iter().enumerate() {
            if labels[i] == 1 && labels[j] == 0 {
                pairs += 1.0;
                ordered += if p > q {
                    1.0
                } else if p == q {
                    0.5
                } else {
                    0.0
                };
            }
        }
    }
    ordered / pairs
}

fn constant(_: &[f64], _: &[u8]) -> f64 {
    0.5
}

#[test]
fn early_stopping_keeps_the_best_epoch_and_learns_the_problem() {
    let (x, y) = problem(400, 0);
    let (vx, vy) = problem(100, 400);
    let rows = examples(&x, &y);
    let stopping = EarlyStopping {
        validation: examples(&vx, &vy),
        patience: 5,
        metric: &auc,
    };
    let net = ResMlpConfig::default()
        .init(4, 1, &training_device())
        .unwrap();
    let (trained, history, best) =
        train_early_stopping(net, &rows, &stopping, &config(), 1, &mut |_| {}).unwrap();
    assert!(best.epoch <= history.len() && history.len() <= 30);
    let kept = auc(&predict(&trained, &vx, 4), &vy);
    assert_eq!(
        kept, best.metric,
        "the returned weights are the best epoch's"
    );
    assert!(kept > 0.9, "validation AUC {kept}");
}

#[test]
fn training_stops_after_patience_epochs_without_improvement() {
    let (x, y) = problem(64, 0);
    let rows = examples(&x, &y);
    let stopping = EarlyStopping {
        validation: rows,
        patience: 3,
        metric: &constant,
    };
    let net = FtTransformerConfig::default()
        .init(&[0, 0, 1, 2], 1, &training_device())
        .unwrap();
    let (_, history, best) =
        train_early_stopping(net, &rows, &stopping, &config(), 1, &mut |_| {}).unwrap();
    assert_eq!(best.epoch, 1, "equal metrics keep the first epoch");
    assert_eq!(history.len(), 1 + 3);
}

#[test]
fn dropout_and_weight_decay_train_bit_identically_on_one_or_two_threads() {
    let (x, y) = problem(200, 0);
    let rows = examples(&x, &y);
    let stopping = EarlyStopping {
        validation: rows,
        patience: 4,
        metric: &auc,
    };
    let settings = TrainConfig {
        epochs: 4,
        ..config()
    };
    let fit = |threads, seed| {
        let mlp = ResMlpConfig {
            dropout: 0.3,
            ..ResMlpConfig::default()
        };
        let net = mlp.init(4, seed, &training_device()).unwrap();
        let settings = TrainConfig {
            seed,
            ..settings.clone()
        };
        let (trained, ..) =
            train_early_stopping(net, &rows, &stopping, &settings, threads, &mut |_| {}).unwrap();
        flat_weights(&trained)
    };
    assert_eq!(fit(1, 7), fit(2, 7));
    assert_ne!(fit(1, 7), fit(1, 8));
}

#[test]
fn early_stopping_needs_validation_rows() {
    let (x, y) = problem(10, 0);
    let rows = examples(&x, &y);
    let stopping = EarlyStopping {
        validation: Examples {
            inputs: &[],
            n_inputs: 4,
            labels: &[],
        },
        patience: 1,
        metric: &auc,
    };
    let net = ResMlpConfig::default()
        .init(4, 1, &training_device())
        .unwrap();
    let error = train_early_stopping(net, &rows, &stopping, &config(), 1, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(error.contains("validation rows"), "{error}");
}
