//! Weights files: the same training writes the same bytes, a saved network scores as it did,
//! and files from before (random parameter ids) still load.

use std::path::{Path, PathBuf};

use finml_nn::{
    Examples, SeedCnn, SeedCnnConfig, SequenceConfig, SequenceKind, TrainConfig, flat_weights,
    inference_device, load_weights, predict, save_weights, train, training_device,
};

const PIXELS: usize = 28 * 28;

/// A fresh directory for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("finml-nn-weights")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Images of a smooth signal, with labels from their first pixel.
fn images(count: usize) -> (Vec<f32>, Vec<u8>) {
    let inputs: Vec<f32> = (0..count * PIXELS)
        .map(|i| (i as f32 * 0.37).sin().abs())
        .collect();
    let labels = (0..count)
        .map(|r| u8::from(inputs[r * PIXELS] > 0.5))
        .collect();
    (inputs, labels)
}

fn trained_cnn(seed: u64) -> SeedCnn {
    let (inputs, labels) = images(48);
    let examples = Examples {
        inputs: &inputs,
        n_inputs: PIXELS,
        labels: &labels,
    };
    let config = TrainConfig {
        epochs: 1,
        batch_size: 16,
        seed,
        ..TrainConfig::default()
    };
    let blank = SeedCnnConfig::default().init(seed, &training_device());
    train(blank, &examples, &config, 2, &mut |_| {}).unwrap().0
}

fn saved_bytes<M: burn::module::Module + Clone>(network: &M, path: &Path) -> Vec<u8> {
    save_weights(network, path).unwrap();
    std::fs::read(path).unwrap()
}

#[test]
fn two_trainings_with_the_same_seed_save_the_same_bytes() {
    let dir = scratch("same_training");
    let first = saved_bytes(&trained_cnn(5), &dir.join("first.bpk"));
    let second = saved_bytes(&trained_cnn(5), &dir.join("second.bpk"));
    assert!(first == second, "the two files differ");
    let other = saved_bytes(&trained_cnn(6), &dir.join("other.bpk"));
    assert!(first != other, "another seed saved the same bytes");
}

#[test]
fn two_sequence_networks_from_the_same_seed_save_the_same_bytes() {
    let dir = scratch("same_sequence_net");
    let config = SequenceConfig {
        kind: SequenceKind::Lstm,
        window: 6,
        features: 3,
        hidden: 4,
        horizon: 1,
        heads: 1,
        layers: 1,
    };
    let device = inference_device();
    let first = saved_bytes(&config.init(3, &device).unwrap(), &dir.join("first.bpk"));
    let second = saved_bytes(&config.init(3, &device).unwrap(), &dir.join("second.bpk"));
    assert!(first == second, "the two files differ");
}

#[test]
fn a_saved_network_loads_and_scores_the_same_bits() {
    let dir = scratch("round_trip");
    let path = dir.join("weights.bpk");
    let network = trained_cnn(5);
    save_weights(&network, &path).unwrap();
    let blank = SeedCnnConfig::default().init(99, &inference_device());
    let loaded = load_weights(blank, &path).unwrap();
    let (inputs, _) = images(20);
    let bits = |scores: Vec<f64>| scores.into_iter().map(f64::to_bits).collect::<Vec<_>>();
    assert_eq!(
        bits(predict(&loaded, &inputs, PIXELS)),
        bits(predict(&network, &inputs, PIXELS))
    );
    let again = saved_bytes(&loaded, &dir.join("again.bpk"));
    assert!(
        again == std::fs::read(&path).unwrap(),
        "a reloaded network saved other bytes"
    );
}

/// `seed_cnn_random_ids.bpk` was written by `save_weights` before parameters were numbered:
/// burn's random ids, of `SeedCnnConfig { filters: [2, 2, 2], kernel: 3, dense: 2 }` as
/// initialised from seed 11.
#[test]
fn a_file_with_random_parameter_ids_still_loads() {
    let config = SeedCnnConfig {
        filters: [2, 2, 2],
        kernel: 3,
        dense: 2,
    };
    let device = inference_device();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/seed_cnn_random_ids.bpk");
    let loaded = load_weights(config.init(12, &device), &path).unwrap();
    assert_eq!(
        flat_weights(&loaded),
        flat_weights(&config.init(11, &device))
    );
}

#[test]
fn a_file_of_another_architecture_is_an_error() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/seed_cnn_random_ids.bpk");
    let blank = SeedCnnConfig::default().init(1, &inference_device());
    let message = load_weights(blank, &path).unwrap_err().to_string();
    assert!(message.contains("model weights"), "{message}");
}
