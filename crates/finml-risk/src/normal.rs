//! The standard normal distribution to double precision: density, distribution function, its
//! inverse and the bivariate distribution function.
//!
//! Capital and loss quantiles are differences of normal probabilities far in the tails, so the
//! usual single-precision approximations (Abramowitz–Stegun 26.2.23, Moro) are not enough: the
//! inverse here is Wichura's AS241 (PPND16, relative error about 1e-16) polished by one Newton
//! step on an erfc accurate to the last bit, and the bivariate function is Genz's refinement of
//! Drezner–Wesolowsky (absolute error about 1e-15).

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// 1 / sqrt(2 pi).
const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// The standard normal density.
pub fn pdf(x: f64) -> f64 {
    FRAC_1_SQRT_2PI * (-0.5 * x * x).exp()
}

/// The standard normal distribution function Φ(x) = P(X ≤ x).
///
/// Computed through erfc so that the lower tail keeps its relative precision (1 - Φ(-x) would
/// lose it all below about -8).
pub fn cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x * FRAC_1_SQRT_2)
}

/// The standard normal quantile Φ⁻¹(p): -∞ at 0, +∞ at 1 and NaN outside [0, 1].
pub fn inverse_cdf(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    newton_polish(p, wichura_as241(p))
}

/// One Newton step on Φ(x) = p. The residual is taken in the tail that holds p, where 1 - p is
/// exact for p ≥ 0.5, so the step never subtracts two numbers close to 1.
fn newton_polish(p: f64, x: f64) -> f64 {
    let density = pdf(x);
    if density == 0.0 {
        return x;
    }
    // Φ(x) − p, written as (1 − p) − Φ(−x) in the upper tail.
    let residual = if x <= 0.0 {
        cdf(x) - p
    } else {
        (1.0 - p) - cdf(-x)
    };
    x - residual / density
}

/// Wichura, M. J. (1988), Algorithm AS 241: The percentage points of the normal distribution,
/// Applied Statistics 37(3), 477–484 (PPND16). The coefficients are kept digit for digit as
/// published.
#[allow(clippy::excessive_precision)]
fn wichura_as241(p: f64) -> f64 {
    const A: [f64; 8] = [
        3.387_132_872_796_366_608,
        1.331_416_678_917_843_774_5e2,
        1.971_590_950_306_551_442_7e3,
        1.373_169_376_550_946_112_5e4,
        4.592_195_393_154_987_145_7e4,
        6.726_577_092_700_870_085_3e4,
        3.343_057_558_358_812_810_5e4,
        2.509_080_928_730_122_672_7e3,
    ];
    const B: [f64; 8] = [
        1.0,
        4.231_333_070_160_091_125_2e1,
        6.871_870_074_920_579_083e2,
        5.394_196_021_424_751_107_7e3,
        2.121_379_430_158_659_586_7e4,
        3.930_789_580_009_271_061e4,
        2.872_908_573_572_194_267_4e4,
        5.226_495_278_852_854_561e3,
    ];
    const C: [f64; 8] = [
        1.423_437_110_749_683_577_34,
        4.630_337_846_156_545_295_9,
        5.769_497_221_460_691_405_5,
        3.647_848_324_763_204_605_04,
        1.270_458_252_452_368_382_58,
        2.417_807_251_774_506_117_7e-1,
        2.272_384_498_926_918_458_33e-2,
        7.745_450_142_783_414_076_4e-4,
    ];
    const D: [f64; 8] = [
        1.0,
        2.053_191_626_637_758_821_87,
        1.676_384_830_183_803_849_4,
        6.897_673_349_851_000_045_5e-1,
        1.481_039_764_274_800_745_9e-1,
        1.519_866_656_361_645_719_66e-2,
        5.475_938_084_995_344_946e-4,
        1.050_750_071_644_416_843_24e-9,
    ];
    const E: [f64; 8] = [
        6.657_904_643_501_103_777_2,
        5.463_784_911_164_114_369_9,
        1.784_826_539_917_291_335_8,
        2.965_605_718_285_048_912_3e-1,
        2.653_218_952_657_612_309_3e-2,
        1.242_660_947_388_078_438_6e-3,
        2.711_555_568_743_487_578_15e-5,
        2.010_334_399_292_288_132_65e-7,
    ];
    const F: [f64; 8] = [
        1.0,
        5.998_322_065_558_879_376_9e-1,
        1.369_298_809_227_358_053_1e-1,
        1.487_536_129_085_061_485_25e-2,
        7.868_691_311_456_132_591e-4,
        1.846_318_317_510_054_681_8e-5,
        1.421_511_758_316_445_888_7e-7,
        2.044_263_103_389_939_785_64e-15,
    ];
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180_625 - q * q;
        return q * polynomial(&A, r) / polynomial(&B, r);
    }
    let tail_probability = if q < 0.0 { p } else { 1.0 - p };
    let r = (-tail_probability.ln()).sqrt();
    let magnitude = if r <= 5.0 {
        polynomial(&C, r - 1.6) / polynomial(&D, r - 1.6)
    } else {
        polynomial(&E, r - 5.0) / polynomial(&F, r - 5.0)
    };
    if q < 0.0 { -magnitude } else { magnitude }
}

/// Horner evaluation of c[0] + c[1] x + ... + c[n] xⁿ.
fn polynomial(coefficients: &[f64], x: f64) -> f64 {
    coefficients
        .iter()
        .rev()
        .fold(0.0, |accumulator, &coefficient| {
            accumulator * x + coefficient
        })
}

/// The bivariate standard normal distribution function P(X ≤ h, Y ≤ k) for correlation r in
/// [-1, 1].
///
/// Genz, A. (2004), Numerical computation of rectangular bivariate and trivariate normal and t
/// probabilities, Statistics and Computing 14, 251–260, after Drezner, Z. and Wesolowsky, G. O.
/// (1990), On the computation of the bivariate normal integral, J. Statist. Comput. Simul. 35.
pub fn bivariate_cdf(h: f64, k: f64, r: f64) -> f64 {
    upper_orthant(-h, -k, r)
}

/// P(X > h, Y > k).
fn upper_orthant(h: f64, k: f64, r: f64) -> f64 {
    if h == f64::INFINITY || k == f64::INFINITY {
        return 0.0;
    }
    if h == f64::NEG_INFINITY {
        return cdf(-k);
    }
    if k == f64::NEG_INFINITY {
        return cdf(-h);
    }
    let probability = if r.abs() < 0.925 {
        moderate_correlation(h, k, r)
    } else {
        strong_correlation(h, k, r)
    };
    probability.clamp(0.0, 1.0)
}

/// Gauss–Legendre nodes in (0, 1) and weights of the rules Genz picks by |r|: the more
/// correlated the pair, the more nodes the integrand needs.
fn gauss_legendre_rule(r: f64) -> &'static [(f64, f64)] {
    const SIX: [(f64, f64); 3] = [
        (0.932_469_514_203_152_2, 0.171_324_492_379_170_5),
        (0.661_209_386_466_264_7, 0.360_761_573_048_138_4),
        (0.238_619_186_083_197, 0.467_913_934_572_690_4),
    ];
    const TWELVE: [(f64, f64); 6] = [
        (0.981_560_634_246_719_1, 0.047_175_336_386_511_77),
        (0.904_117_256_370_475, 0.106_939_325_995_318_3),
        (0.769_902_674_194_305, 0.160_078_328_543_346_4),
        (0.587_317_954_286_617_1, 0.203_167_426_723_065_9),
        (0.367_831_498_998_180_2, 0.233_492_536_538_354_7),
        (0.125_233_408_511_469_2, 0.249_147_045_813_402_9),
    ];
    const TWENTY: [(f64, f64); 10] = [
        (0.993_128_599_185_094_9, 0.017_614_007_139_152_12),
        (0.963_971_927_277_913_8, 0.040_601_429_800_386_94),
        (0.912_234_428_251_326, 0.062_672_048_334_109_06),
        (0.839_116_971_822_218_8, 0.083_276_741_576_704_75),
        (0.746_331_906_460_150_8, 0.101_930_119_817_240_4),
        (0.636_053_680_726_515, 0.118_194_531_961_518_4),
        (0.510_867_001_950_827_1, 0.131_688_638_449_176_6),
        (0.373_706_088_715_419_6, 0.142_096_109_318_382_1),
        (0.227_785_851_141_645_1, 0.149_172_986_472_603_7),
        (0.076_526_521_133_497_33, 0.152_753_387_130_725_9),
    ];
    if r.abs() < 0.3 {
        &SIX
    } else if r.abs() < 0.75 {
        &TWELVE
    } else {
        &TWENTY
    }
}

/// |r| < 0.925: integrate the density of the correlation along θ in (0, asin r) (Drezner and
/// Wesolowsky's formula) and add the independent part.
fn moderate_correlation(h: f64, k: f64, r: f64) -> f64 {
    let hk = h * k;
    let half_sum_of_squares = (h * h + k * k) / 2.0;
    let arc = r.asin();
    let integrand = |node: f64| {
        let sine = (arc * node / 2.0).sin();
        ((sine * hk - half_sum_of_squares) / (1.0 - sine * sine)).exp()
    };
    let integral: f64 = gauss_legendre_rule(r)
        .iter()
        .map(|&(node, weight)| weight * (integrand(1.0 - node) + integrand(1.0 + node)))
        .sum();
    integral * arc / (4.0 * PI) + cdf(-h) * cdf(-k)
}

/// |r| ≥ 0.925: Genz's expansion around the perfectly correlated case, where the plain
/// integrand above becomes too peaked for a fixed rule.
fn strong_correlation(h: f64, k: f64, r: f64) -> f64 {
    let (k, hk) = if r < 0.0 { (-k, -h * k) } else { (k, h * k) };
    let mut deviation = 0.0;
    if r.abs() < 1.0 {
        deviation = near_perfect_deviation(h, k, hk, r);
    }
    if r > 0.0 {
        deviation + cdf(-h.max(k))
    } else {
        -deviation + (cdf(-h) - cdf(-k)).max(0.0)
    }
}

/// The difference between the bivariate probability at |r| < 1 and its limit at |r| = 1.
fn near_perfect_deviation(h: f64, k: f64, hk: f64, r: f64) -> f64 {
    let two_pi = 2.0 * PI;
    let a_squared = (1.0 - r) * (1.0 + r);
    let a = a_squared.sqrt();
    let b_squared = (h - k) * (h - k);
    let c = (4.0 - hk) / 8.0;
    let d = (12.0 - hk) / 16.0;
    let mut sum = 0.0;
    let exponent = -(b_squared / a_squared + hk) / 2.0;
    if exponent > -100.0 {
        sum = a
            * exponent.exp()
            * (1.0 - c * (b_squared - a_squared) * (1.0 - d * b_squared / 5.0) / 3.0
                + c * d * a_squared * a_squared / 5.0);
    }
    if hk > -100.0 {
        let b = b_squared.sqrt();
        let tail = two_pi.sqrt() * cdf(-b / a);
        sum -= (-hk / 2.0).exp()
            * tail
            * b
            * (1.0 - c * b_squared * (1.0 - d * b_squared / 5.0) / 3.0);
    }
    let half_a = a / 2.0;
    for &(node, weight) in gauss_legendre_rule(r) {
        for side in [-1.0, 1.0] {
            let x_squared = (half_a + half_a * side * node).powi(2);
            let root = (1.0 - x_squared).sqrt();
            let exponent = -(b_squared / x_squared + hk) / 2.0;
            if exponent > -100.0 {
                let series = 1.0 + c * x_squared * (1.0 + d * x_squared);
                let exact = (-hk * (1.0 - root) / (2.0 * (1.0 + root))).exp() / root;
                sum += half_a * weight * exponent.exp() * (exact - series);
            }
        }
    }
    -sum / two_pi
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_relative(actual: f64, expected: f64, tolerance: f64) {
        let error = ((actual - expected) / expected).abs();
        assert!(
            error <= tolerance,
            "{actual} vs {expected}: relative error {error:e}"
        );
    }

    #[test]
    #[allow(clippy::excessive_precision)]
    fn quantiles_match_high_precision_values() {
        // Φ⁻¹ of each f64 probability, from mpmath at 60 digits.
        let table = [
            (1e-300, -37.047_096_299_361_199_237),
            (1e-100, -21.273_453_560_965_324_294),
            (1e-20, -9.262_340_089_798_407_579_6),
            (1e-10, -6.361_340_902_404_056_199_1),
            (1e-05, -4.264_890_793_922_824_610_2),
            (0.001, -3.090_232_306_167_813_535_4),
            (0.01, -2.326_347_874_040_841_093_1),
            (0.05, -1.644_853_626_951_472_688),
            (0.1, -1.281_551_565_544_600_435_3),
            (0.2, -0.841_621_233_572_914_165_52),
            (0.3, -0.524_400_512_708_040_815_97),
            (0.45, -0.125_661_346_855_074_006_16),
            (0.500_000_1, 2.506_628_273_311_648_301_2e-7),
            (0.6, 0.253_347_103_135_799_741_32),
            (0.9, 1.281_551_565_544_600_593_5),
            (0.975, 1.959_963_984_540_053_855_6),
            (0.999, 3.090_232_306_167_813_277_8),
            (0.999_999_999_9, 6.361_340_889_697_421_864_2),
            (1.0 - f64::EPSILON * 4.0, 7.956_038_125_481_530_962_2),
        ];
        for (p, expected) in table {
            check_relative(inverse_cdf(p), expected, 4e-16);
        }
    }

    #[test]
    fn inverse_cdf_round_trips_through_cdf() {
        // Φ amplifies a relative error δ of x into about x²·δ, and Φ itself carries a few ulps.
        let tolerance = |x: f64| 1e-15 * (1.0 + x * x);
        for exponent in 1..300 {
            let p = 10f64.powf(-(exponent as f64) / 10.0);
            let x = inverse_cdf(p);
            check_relative(cdf(x), p, tolerance(x));
        }
        // The upper tail: 1 - q is exact for q ≥ 0.5, so it is the probability to recover.
        for exponent in 4..150 {
            let q = 1.0 - 10f64.powf(-(exponent as f64) / 10.0);
            let x = inverse_cdf(q);
            check_relative(cdf(-x), 1.0 - q, tolerance(x));
        }
    }

    #[test]
    fn inverse_cdf_edges() {
        assert_eq!(inverse_cdf(0.0), f64::NEG_INFINITY);
        assert_eq!(inverse_cdf(1.0), f64::INFINITY);
        assert!(inverse_cdf(-0.1).is_nan());
        assert!(inverse_cdf(f64::NAN).is_nan());
        assert_eq!(inverse_cdf(0.5), 0.0);
    }

    #[test]
    fn bivariate_cdf_special_cases() {
        // Independence, and Sheppard's formula P(X ≤ 0, Y ≤ 0) = 1/4 + asin(r) / (2 pi).
        check_relative(bivariate_cdf(-1.0, 0.5, 0.0), cdf(-1.0) * cdf(0.5), 1e-15);
        for r in [-0.99, -0.9, -0.5, 0.2, 0.5, 0.8, 0.95, 0.999] {
            check_relative(
                bivariate_cdf(0.0, 0.0, r),
                0.25 + r.asin() / (2.0 * PI),
                1e-14,
            );
        }
        check_relative(bivariate_cdf(1.0, 2.0, 1.0), cdf(1.0), 1e-15);
        check_relative(bivariate_cdf(1.0, 2.0, -1.0), cdf(1.0) - cdf(-2.0), 1e-15);
        assert_eq!(bivariate_cdf(f64::NEG_INFINITY, 2.0, 0.3), 0.0);
        check_relative(bivariate_cdf(f64::INFINITY, 2.0, 0.3), cdf(2.0), 1e-15);
    }

    #[test]
    fn bivariate_cdf_matches_one_dimensional_quadrature() {
        // P(X ≤ h, Y ≤ k) = ∫_{-∞}^{k} φ(y) Φ((h - r y) / sqrt(1 - r²)) dy, by composite Simpson.
        for &(h, k, r) in &[
            (-3.09, -3.09, 0.35),
            (-2.0, 1.0, 0.6),
            (-1.2, -2.5, 0.94),
            (0.5, -0.7, -0.4),
        ] {
            let steps = 200_000;
            let lower = -12.0;
            let width = (k - lower) / steps as f64;
            let integrand = |y: f64| pdf(y) * cdf((h - r * y) / (1.0 - r * r).sqrt());
            let mut sum = integrand(lower) + integrand(k);
            for step in 1..steps {
                let weight = if step % 2 == 1 { 4.0 } else { 2.0 };
                sum += weight * integrand(lower + step as f64 * width);
            }
            check_relative(bivariate_cdf(h, k, r), sum * width / 3.0, 1e-11);
        }
    }
}
