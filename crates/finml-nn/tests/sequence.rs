//! The sequence networks: output shapes, seeded initialisation, and the regression loop.

use burn::tensor::{Tensor, TensorData};
use finml_nn::{
    Regressor, SequenceConfig, SequenceKind, Targets, TrainConfig, inference_device,
    predict_outputs, train_regression, training_device,
};

fn config(kind: SequenceKind) -> SequenceConfig {
    SequenceConfig {
        kind,
        window: 6,
        features: 3,
        hidden: 4,
        horizon: 3,
        heads: 2,
        layers: 1,
    }
}

const KINDS: [SequenceKind; 4] = [
    SequenceKind::Lstm,
    SequenceKind::Gru,
    SequenceKind::Transformer,
    SequenceKind::Seq2seq,
];

/// Rows of a smooth signal, so that outputs differ from row to row.
fn rows(count: usize, width: usize) -> Vec<f32> {
    (0..count * width)
        .map(|i| (i as f32 * 0.37).sin())
        .collect()
}

#[test]
fn every_network_maps_a_batch_of_windows_to_its_outputs() {
    let device = inference_device();
    for kind in KINDS {
        let config = config(kind);
        let net = config.init(1, &device).unwrap();
        let input = Tensor::<2>::from_data(TensorData::new(rows(5, 18), [5, 18]), &device);
        let out = net.outputs(input);
        let expected = if kind == SequenceKind::Seq2seq { 3 } else { 1 };
        assert_eq!(out.dims(), [5, expected], "{kind:?}");
        let values: Vec<f32> = out.into_data().iter::<f32>().collect();
        assert!(values.iter().all(|v| v.is_finite()), "{kind:?}: {values:?}");
        assert!(
            values.iter().any(|v| *v != values[0]),
            "{kind:?}: all equal"
        );
    }
}

#[test]
fn a_seed_fixes_the_initial_weights() {
    let device = inference_device();
    let input = rows(4, 18);
    for kind in KINDS {
        let score = |seed| predict_outputs(&config(kind).init(seed, &device).unwrap(), &input, 18);
        assert_eq!(score(3), score(3), "{kind:?}");
        assert_ne!(score(3), score(4), "{kind:?}");
    }
}

#[test]
fn a_transformer_width_must_split_into_its_heads() {
    let mut bad = config(SequenceKind::Transformer);
    bad.heads = 3;
    let error = bad.init(1, &inference_device()).unwrap_err().to_string();
    assert!(error.contains("multiple of its 3 heads"), "{error}");
}

#[test]
fn regression_training_lowers_the_loss_and_repeats_bit_for_bit() {
    let count = 64;
    let inputs = rows(count, 18);
    // Each target is a function of its own row, so the loss can fall.
    let values: Vec<f32> = inputs
        .chunks(18)
        .flat_map(|row| [row[17], row[16] * 0.5, 0.2])
        .collect();
    let targets = Targets {
        inputs: &inputs,
        n_inputs: 18,
        values: &values,
        n_outputs: 3,
    };
    let settings = TrainConfig {
        epochs: 8,
        batch_size: 16,
        learning_rate: 1e-2,
        ..TrainConfig::default()
    };
    let run = |threads| {
        let net = config(SequenceKind::Seq2seq)
            .init(5, &training_device())
            .unwrap();
        train_regression(net, &targets, &settings, threads, &mut |_| {}).unwrap()
    };
    let (net, history) = run(2);
    assert!(history.last().unwrap() < &history[0], "{history:?}");
    let (again, _) = run(1);
    assert_eq!(
        predict_outputs(&net, &inputs, 18),
        predict_outputs(&again, &inputs, 18)
    );

    let short = Targets {
        values: &values[..10],
        ..targets
    };
    let net = config(SequenceKind::Seq2seq)
        .init(5, &training_device())
        .unwrap();
    let error = train_regression(net, &short, &settings, 1, &mut |_| {}).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("do not fill 64 rows of 3 outputs"),
        "{error}"
    );
}
