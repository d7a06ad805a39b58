//! The spec's worked-example network (section 4.1): three 3x3 convolutions (32, 64, 128
//! filters, valid padding, ReLU) each followed by 2x2 max pooling, then Flatten, Dense 128
//! ReLU and Dense 1 sigmoid, over the 28x28x1 image of an applicant's inputs.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::init::{glorot_uniform, zeros};

/// The architecture's hyper-parameters; the defaults are the spec's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedCnnConfig {
    pub filters: [usize; 3],
    pub kernel: usize,
    pub dense: usize,
}

impl Default for SeedCnnConfig {
    fn default() -> Self {
        SeedCnnConfig {
            filters: [32, 64, 128],
            kernel: 3,
            dense: 128,
        }
    }
}

pub const IMAGE_SIDE: usize = 28;

#[derive(Module, Debug)]
pub struct SeedCnn {
    conv1: Conv2d,
    conv2: Conv2d,
    conv3: Conv2d,
    pool: MaxPool2d,
    dense: Linear,
    output: Linear,
}

impl SeedCnnConfig {
    /// Side of the feature map after the three convolution + pooling stages.
    fn final_side(&self) -> usize {
        (0..3).fold(IMAGE_SIDE, |side, _| (side + 1 - self.kernel) / 2)
    }

    /// A new network with Glorot-uniform kernels and zero biases drawn from `seed`.
    pub fn init(&self, seed: u64, device: &Device) -> SeedCnn {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let k = self.kernel;
        let mut conv = |input: usize, output: usize| {
            let mut layer = Conv2dConfig::new([input, output], [k, k])
                .with_initializer(Initializer::Zeros)
                .init(device);
            layer.weight = glorot_uniform(
                &mut rng,
                [output, input, k, k],
                input * k * k,
                output * k * k,
                device,
            );
            layer
        };
        let [f1, f2, f3] = self.filters;
        let (conv1, conv2, conv3) = (conv(1, f1), conv(f1, f2), conv(f2, f3));
        let flat = f3 * self.final_side().pow(2);
        let mut linear = |input: usize, output: usize| {
            let mut layer = LinearConfig::new(input, output)
                .with_initializer(Initializer::Zeros)
                .init(device);
            layer.weight = glorot_uniform(&mut rng, [input, output], input, output, device);
            layer.bias = Some(zeros([output], device));
            layer
        };
        let (dense, output) = (linear(flat, self.dense), linear(self.dense, 1));
        SeedCnn {
            conv1,
            conv2,
            conv3,
            pool: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            dense,
            output,
        }
    }
}

impl SeedCnn {
    /// Logits (before the sigmoid) of a batch of images `[batch, 1, 28, 28]`: `[batch, 1]`.
    pub fn logits(&self, images: Tensor<4>) -> Tensor<2> {
        let x = self.pool.forward(relu(self.conv1.forward(images)));
        let x = self.pool.forward(relu(self.conv2.forward(x)));
        let x = self.pool.forward(relu(self.conv3.forward(x)));
        let x: Tensor<2> = x.flatten(1, 3);
        self.output.forward(relu(self.dense.forward(x)))
    }
}
