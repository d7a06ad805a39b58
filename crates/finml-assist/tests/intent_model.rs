//! Training is reproducible for a seed, and a saved model scores as it did when trained.

use std::path::PathBuf;

use finml_assist::{IntentModel, IntentSpec, TrainOptions, TransformerConfig, read_examples};

fn small_spec(seed: u64) -> IntentSpec {
    IntentSpec {
        architecture: TransformerConfig {
            d_model: 16,
            n_heads: 2,
            n_layers: 1,
            d_ff: 32,
            max_len: 16,
        },
        training: TrainOptions {
            epochs: 3,
            seed,
            ..TrainOptions::default()
        },
        ..IntentSpec::default()
    }
}

fn bundled(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/assist")
        .join(file)
}

#[test]
fn same_seed_same_results_other_seed_other_results_and_save_load_keeps_scores() {
    let source = bundled("train.tsv");
    let examples = read_examples(&source).unwrap();
    let train =
        |seed| IntentModel::train(&examples, &source, &small_spec(seed), &mut |_, _| {}).unwrap();
    let (a, b, c) = (train(1), train(1), train(2));
    // The weight files hold random parameter ids, so the check is on what the weights do: the
    // loss of every epoch and the probabilities of every training message.
    let all: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    assert!(a.metadata.loss_history == b.metadata.loss_history);
    assert!(a.score(&all) == b.score(&all));
    assert!(a.metadata.loss_history != c.metadata.loss_history);

    let dir = tempfile::tempdir().unwrap();
    a.save(&dir.path().join("a")).unwrap();
    let texts = [
        "my card was declined",
        "what's the weather",
        "lost card 4111 1111 1111 1111",
    ];
    let loaded = IntentModel::load(&dir.path().join("a")).unwrap();
    assert_eq!(loaded.score(&texts), a.score(&texts));
    assert_eq!(loaded.metadata, a.metadata);
}

#[test]
fn a_message_scores_the_same_alone_or_in_a_batch() {
    let source = bundled("train.tsv");
    let examples = read_examples(&source).unwrap();
    let model = IntentModel::train(&examples, &source, &small_spec(3), &mut |_, _| {}).unwrap();
    let batch = model.score(&["card declined", "where is my refund", "hello"]);
    assert_eq!(model.score(&["where is my refund"])[0], batch[1]);
}

#[test]
fn a_threshold_outside_zero_to_one_is_refused() {
    let source = bundled("train.tsv");
    let examples = read_examples(&source).unwrap();
    let spec = IntentSpec {
        threshold: 1.5,
        ..small_spec(1)
    };
    let error = IntentModel::train(&examples, &source, &spec, &mut |_, _| {}).unwrap_err();
    assert!(error.to_string().contains("threshold"), "{error}");
}
