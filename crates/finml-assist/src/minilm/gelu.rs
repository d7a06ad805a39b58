//! BERT's GELU, `x · Φ(x) = x/2 · (1 + erf(x/√2))`, for the encoder's feed-forward block.
//!
//! Constraints: the exact erf form (not the tanh estimate), so that embeddings stay within
//! float rounding of sentence-transformers'; and speed: flex evaluates it element by element
//! through libm's branchy scalar `erff`, which was a quarter of the encoder's time at batch 32
//! once the matrix products ran on AVX-512 (BENCHMARKS.md). Solution: erf as one branch-free
//! rational function of `x` clamped to [-4, 4] (the single-precision approximation Eigen and
//! XLA use; beyond ±4 erf is ±1 in f32), which the compiler vectorises. Trade-off: it works on
//! the values, outside burn's autodiff graph; the encoder is frozen, so nothing needs its
//! gradient.

use burn::tensor::{Tensor, TensorData};

/// GELU of every element of `x`.
pub(crate) fn gelu<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let (shape, device) = (x.shape(), x.device());
    let mut values = x
        .into_data()
        .try_into_vec::<f32>()
        .expect("the encoder computes in f32");
    values.iter_mut().for_each(|v| *v = gelu_scalar(*v));
    Tensor::from_data(TensorData::new(values, shape), &device)
}

fn gelu_scalar(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// erf(x) as x·P(x²)/Q(x²); the GELU built on it is within 1e-6 of libm's (test below).
fn erf(x: f32) -> f32 {
    const P: [f32; 7] = [
        -2.726_142_3e-10,
        2.770_681_4e-8,
        -2.101_024e-6,
        -5.692_506_4e-5,
        -7.349_906_3e-4,
        -2.954_600_1e-3,
        -1.609_603_3e-2,
    ];
    const Q: [f32; 5] = [
        -1.456_607_2e-5,
        -2.133_740_6e-4,
        -1.682_827e-3,
        -7.373_329_2e-3,
        -1.426_473_9e-2,
    ];
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let p = P.iter().fold(0.0, |acc, &c| acc * x2 + c);
    let q = Q.iter().fold(0.0, |acc, &c| acc * x2 + c);
    x * p / q
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against flex's GELU (libm's erff) on a grid over [-8, 8], past the clamp at ±4·√2.
    #[test]
    fn matches_the_libm_gelu_across_the_range() {
        let device = finml_nn::inference_device();
        let grid: Vec<f32> = (-800..800).map(|i| i as f32 / 100.0).collect();
        let x = Tensor::<2>::from_data(TensorData::new(grid, [40, 40]), &device);
        let got = gelu(x.clone());
        assert_eq!(got.dims(), [40, 40]);
        let got = got.into_data().try_into_vec::<f32>().unwrap();
        let want = burn::tensor::activation::gelu(x)
            .into_data()
            .try_into_vec::<f32>()
            .unwrap();
        let worst = got
            .iter()
            .zip(&want)
            .map(|(g, w)| (g - w).abs())
            .fold(0.0, f32::max);
        assert!(
            worst < 2e-6,
            "largest difference from libm's GELU: {worst:e}"
        );
    }
}
