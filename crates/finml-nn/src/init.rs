//! Weight initialisation from our own seeded generator, so that a seed fixes every initial
//! weight whatever the backend's global random state.

use burn::module::{ModuleMapper, Param};
use burn::tensor::{Device, Tensor, TensorData};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Glorot (Xavier) uniform, Keras's default kernel initialiser:
/// U(-limit, limit) with limit = sqrt(6 / (fan_in + fan_out)).
pub fn glorot_uniform<const D: usize>(
    rng: &mut ChaCha8Rng,
    shape: [usize; D],
    fan_in: usize,
    fan_out: usize,
    device: &Device,
) -> Param<Tensor<D>> {
    let limit = (6.0 / (fan_in + fan_out) as f64).sqrt() as f32;
    let count = shape.iter().product();
    let values: Vec<f32> = (0..count)
        .map(|_| rng.random_range(-limit..limit))
        .collect();
    Param::from_tensor(Tensor::from_data(TensorData::new(values, shape), device))
}

/// Zero biases, as Keras initialises them.
pub fn zeros<const D: usize>(shape: [usize; D], device: &Device) -> Param<Tensor<D>> {
    Param::from_tensor(Tensor::zeros(shape, device))
}

/// Redraws every parameter of rank 2 or more (the weight matrices and the positions) from a
/// seeded generator; rank-1 parameters (biases, layer norms) keep their constant start.
pub(crate) struct SeededWeights {
    rng: ChaCha8Rng,
}

impl SeededWeights {
    pub(crate) fn new(seed: u64) -> SeededWeights {
        SeededWeights {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }
}

impl ModuleMapper for SeededWeights {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let tensor = param.val();
        let device = tensor.device();
        let shape: [usize; D] = tensor.dims();
        let &[.., fan_in, fan_out] = shape.as_slice() else {
            return param;
        };
        let fresh = glorot_uniform(&mut self.rng, shape, fan_in, fan_out, &device);
        param.map(|_| fresh.val())
    }
}
