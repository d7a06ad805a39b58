//! The spec's worked-example network (section 4.1): three 3x3 convolutions (32, 64, 128
//! filters, valid padding, ReLU) each followed by 2x2 max pooling, then Flatten, Dense 128
//! ReLU and Dense 1 sigmoid, over the 28x28x1 image of an applicant's inputs.
//!
//! Constraints: the same function and parameters as burn's `Conv2d` + `MaxPool2d` (packages
//! saved before must load and score the same up to float rounding; the pooling layer had no
//! parameters, so dropping it left the saved weights unchanged), and training time, which on
//! flex went mostly to the convolution's generic weight gradient, its im2col packing and a
//! scalar max-pool kernel. Solution: each convolution + pooling stage is written in plain
//! tensor ops whose forward and backward are cheap on flex: the four positions of every 2x2
//! pooling window get one matrix product each, whose im2col matrix is one `select` of the
//! pixel indices (its backward one scatter-add into the input's gradient), and the pooling is
//! the element-wise maximum of the four products, so conv outputs the pooling drops are never
//! computed and every gradient is a plain matrix product, a mask or a scatter. Between stages
//! activations are `[channels, batch, h, w]`, the layout the products give without any
//! transpose. Trade-off: more, smaller kernels than one convolution call; measured faster
//! anyway (BENCHMARKS.md).

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor, TensorData};
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
            dense,
            output,
        }
    }
}

impl SeedCnn {
    /// Logits (before the sigmoid) of a batch of images `[batch, 1, 28, 28]`: `[batch, 1]`.
    pub fn logits(&self, images: Tensor<4>) -> Tensor<2> {
        let x = conv_relu_pool(&self.conv1, images.swap_dims(0, 1));
        let x = conv_relu_pool(&self.conv2, x);
        let x = conv_relu_pool(&self.conv3, x);
        // Back to `[batch, channels, h, w]` so that Flatten orders features as Keras and
        // burn's NCHW layers did (the dense weights depend on that order).
        let x: Tensor<2> = x.swap_dims(0, 1).flatten(1, 3);
        self.output.forward(relu(self.dense.forward(x)))
    }
}

/// One stage, `[channels, batch, h, w]` to `[filters, batch, h', w']`: `conv`'s convolution as
/// [`SeedCnnConfig::init`] builds it (stride 1, no padding or dilation, one group), ReLU, then
/// 2x2 max pooling of stride 2 (floor: an odd last row or column of the convolution's output
/// is dropped, as `MaxPool2d` does).
///
/// The bias and ReLU are applied after the pooling: a per-channel constant and a monotone
/// function commute with the maximum, so the result is the same on a quarter of the values.
fn conv_relu_pool(conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    let weight = conv.weight.val();
    let [channels, batch, height, width] = x.dims();
    let [filters, _, k, _] = weight.dims();
    let shape = StageShape {
        batch,
        height,
        width,
        kernel: k,
        pooled_h: (height + 1 - k) / 2,
        pooled_w: (width + 1 - k) / 2,
    };
    let device = x.device();
    // Each channel's pixels in one row, so that one `select` gathers a pooling position's
    // im2col matrix for every channel at once, already in the product's layout.
    let pixels: Tensor<2> = x.reshape([channels, batch * height * width]);
    // `[filters, channels * k * k]`: the weight's own memory order, channel-major, then kernel
    // row, then kernel column, as `patch_columns` orders each channel's patches.
    let kernel: Tensor<2> = weight.reshape([filters, channels * k * k]);
    let columns = batch * shape.pooled_h * shape.pooled_w;
    let product = |py: usize, px: usize| -> Tensor<2> {
        let picked = shape.patch_columns(py, px);
        let count = picked.len();
        let picked = Tensor::from_data(TensorData::new(picked, [count]), &device);
        let patches = pixels
            .clone()
            .select(1, picked)
            .reshape([channels * k * k, columns]);
        kernel.clone().matmul(patches)
    };
    let pooled = product(0, 0)
        .max_pair(product(0, 1))
        .max_pair(product(1, 0).max_pair(product(1, 1)))
        .reshape([filters, batch, shape.pooled_h, shape.pooled_w]);
    let pooled = match &conv.bias {
        Some(bias) => pooled + bias.val().reshape([filters, 1, 1, 1]),
        None => pooled,
    };
    relu(pooled)
}

/// The sizes of one stage's input and of its pooled output.
struct StageShape {
    batch: usize,
    height: usize,
    width: usize,
    kernel: usize,
    pooled_h: usize,
    pooled_w: usize,
}

impl StageShape {
    /// For the pooling position (`py`, `px`) of every 2x2 window: the input pixel, as an index
    /// into one channel's `batch * height * width` pixels, that each kernel tap sees, ordered
    /// by kernel row, kernel column, image, pooled row, pooled column. Pooled output (i, j)
    /// at that position is the convolution at row 2i + py, column 2j + px.
    fn patch_columns(&self, py: usize, px: usize) -> Vec<i64> {
        let k = self.kernel;
        let mut picked = Vec::with_capacity(k * k * self.batch * self.pooled_h * self.pooled_w);
        for (ky, kx) in (0..k).flat_map(|ky| (0..k).map(move |kx| (ky, kx))) {
            for image in 0..self.batch {
                let first = image * self.height * self.width;
                for i in 0..self.pooled_h {
                    let row = first + (2 * i + py + ky) * self.width;
                    picked.extend((0..self.pooled_w).map(|j| (row + 2 * j + px + kx) as i64));
                }
            }
        }
        picked
    }
}

#[cfg(test)]
mod tests {
    use burn::module::Param;
    use burn::nn::pool::MaxPool2dConfig;
    use burn::tensor::{Distribution, Tolerance};

    use super::*;
    use crate::backend::training_device;

    /// The network as burn's own layers compute it: `Conv2d`, ReLU, `MaxPool2d`, all NCHW.
    fn reference_logits(net: &SeedCnn, images: Tensor<4>) -> Tensor<2> {
        let pool = MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init();
        let stage = |conv: &Conv2d, x: Tensor<4>| pool.forward(relu(conv.forward(x)));
        let x = stage(&net.conv3, stage(&net.conv2, stage(&net.conv1, images)));
        net.output.forward(relu(net.dense.forward(x.flatten(1, 3))))
    }

    #[test]
    fn stages_match_burns_conv_and_pool_in_value_and_gradient() {
        let device = training_device();
        let mut net = SeedCnnConfig::default().init(7, &device);
        // Non-zero biases, so that adding them after the pooling is checked too.
        for conv in [&mut net.conv1, &mut net.conv2, &mut net.conv3] {
            let filters = conv.weight.dims()[0];
            conv.bias = Some(Param::from_tensor(Tensor::random(
                [filters],
                Distribution::Normal(0.0, 0.1),
                &device,
            )));
        }
        let images: Tensor<4> = Tensor::random(
            [5, 1, IMAGE_SIDE, IMAGE_SIDE],
            Distribution::Normal(0.0, 1.0),
            &device,
        );
        // A weighted sum, so that every row's gradient differs.
        let weights: Tensor<2> = Tensor::random([5, 1], Distribution::Normal(0.0, 1.0), &device);
        let ours = net.logits(images.clone());
        let theirs = reference_logits(&net, images);
        ours.to_data()
            .assert_approx_eq::<f32>(&theirs.to_data(), Tolerance::absolute(1e-5));
        let ours = (ours * weights.clone()).sum().backward();
        let theirs = (theirs * weights).sum().backward();
        for conv in [&net.conv1, &net.conv2, &net.conv3] {
            let weight = conv.weight.val();
            let grad = |g| weight.grad(g).expect("a weight gradient").into_data();
            grad(&ours).assert_approx_eq::<f32>(&grad(&theirs), Tolerance::rel_abs(1e-4, 1e-5));
            let bias = conv.bias.as_ref().expect("the test set biases").val();
            let grad = |g| bias.grad(g).expect("a bias gradient").into_data();
            grad(&ours).assert_approx_eq::<f32>(&grad(&theirs), Tolerance::rel_abs(1e-4, 1e-5));
        }
    }
}
