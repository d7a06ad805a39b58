//! The one place where the compute backend is chosen.
//!
//! Constraints: the default build must run on any CPU with no system libraries; a GPU build
//! must need no change to model code. Solution: burn's `flex` backend (pure Rust, measured
//! about 27x faster than its ndarray backend and 2.5x faster than candle on the spec's CNN),
//! reached only through these functions, so a GPU backend comes in behind a cargo feature here.
//! Trade-off: flex's kernels are single-threaded at our batch sizes; training parallelism is
//! therefore ours (data-parallel shards in `train`), not the backend's.

use burn::tensor::Device;

/// The device that scores: no autodiff graph.
pub fn inference_device() -> Device {
    Device::flex()
}

/// The device that trains: the inference device with gradients recorded.
pub fn training_device() -> Device {
    inference_device().autodiff()
}

/// The backend's name and version, recorded in model packages.
pub const BACKEND: &str = "burn 0.22.1 (flex)";
