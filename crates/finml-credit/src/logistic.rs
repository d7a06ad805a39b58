//! L2-regularised logistic regression, fitted by Newton's method (IRLS) with a backtracking
//! line search, and its regularisation strength chosen by stratified inner cross-validation.
//!
//! The objective is scikit-learn's: `sum_i logloss_i + |w|^2 / (2C)`, the intercept not
//! penalised. It is strictly convex for any finite C, so Newton's method with a line search
//! converges from any start; each step solves the Hessian system by Cholesky.

use finml_data::{Folds, Matrix};
use serde::{Deserialize, Serialize};

use crate::error::{CreditError, Result, Setting};

/// How a logistic regression is fitted: recorded in the package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticConfig {
    /// Candidate inverse regularisation strengths C; inner cross-validation picks one.
    pub c_grid: Vec<f64>,
    /// Stratified inner folds over the training rows (seeded by the model's seed).
    pub inner_folds: usize,
}

impl Default for LogisticConfig {
    fn default() -> Self {
        LogisticConfig {
            c_grid: vec![0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0],
            inner_folds: 5,
        }
    }
}

/// A fitted logistic regression: log-odds of default = intercept + weights . inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logistic {
    pub c: f64,
    pub intercept: f64,
    pub weights: Vec<f64>,
    /// Mean inner-validation log loss of each candidate C, in grid order (empty when fitted
    /// with a fixed C).
    pub inner_log_loss: Vec<f64>,
}

impl Logistic {
    pub fn log_odds(&self, row: &[f64]) -> f64 {
        self.weights
            .iter()
            .zip(row)
            .fold(self.intercept, |z, (w, x)| z + w * x)
    }

    pub fn probabilities(&self, x: &Design) -> Vec<f64> {
        (0..x.rows)
            .map(|i| sigmoid(self.log_odds(x.row(i))))
            .collect()
    }
}

pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// The log loss of log-odds `z` against a 0/1 label `y`, in the overflow-free form
/// max(z, 0) − z·y + log(1 + e^−|z|): what inner searches compare models by.
pub(crate) fn log_loss_of_log_odds(z: f64, y: f64) -> f64 {
    z.max(0.0) - z * y + (-z.abs()).exp().ln_1p()
}

/// A dense row-major f64 design matrix, with the non-zero positions of each row kept so that
/// the Hessian of one-hot inputs costs the square of the non-zeros, not of the columns.
#[derive(Debug, Clone)]
pub struct Design {
    pub rows: usize,
    pub cols: usize,
    data: Vec<f64>,
    nonzero: Vec<Vec<usize>>,
}

impl Design {
    pub fn new(rows: usize, cols: usize, data: Vec<f64>) -> Design {
        let nonzero = (0..rows)
            .map(|i| (0..cols).filter(|&j| data[i * cols + j] != 0.0).collect())
            .collect();
        Design {
            rows,
            cols,
            data,
            nonzero,
        }
    }

    pub fn from_matrix(m: &Matrix) -> Design {
        Design::new(
            m.rows,
            m.cols,
            m.data.iter().map(|&v| f64::from(v)).collect(),
        )
    }

    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    pub fn select(&self, rows: &[usize]) -> Design {
        let data = rows.iter().flat_map(|&i| self.row(i).to_vec()).collect();
        Design::new(rows.len(), self.cols, data)
    }
}

const MAX_ITERATIONS: usize = 100;

/// Fits with a fixed C, starting from `start` (a warm start along the C grid) or zero.
pub fn fit_fixed(x: &Design, y: &[u8], c: f64, start: Option<&Logistic>) -> Result<Logistic> {
    let p = x.cols + 1;
    let mut theta = start.map_or(vec![0.0; p], |m| {
        std::iter::once(m.intercept)
            .chain(m.weights.iter().copied())
            .collect()
    });
    let mut f = objective(x, y, c, &theta);
    for _ in 0..MAX_ITERATIONS {
        let (gradient, hessian) = gradient_and_hessian(x, y, c, &theta);
        let step = solve_spd(hessian, &gradient, p)?;
        // Newton decrement: g.H^-1.g / 2 bounds the gap to the optimum.
        let decrement: f64 = gradient.iter().zip(&step).map(|(g, s)| g * s).sum();
        if decrement / 2.0 <= 1e-10 * (1.0 + f.abs()) {
            // Inside the region of quadratic convergence: one full step squares the error.
            theta.iter_mut().zip(&step).for_each(|(t, s)| *t -= s);
            return Ok(into_model(c, &theta));
        }
        let (next, f_next) = line_search(x, y, c, &theta, &step, f, decrement)?;
        theta = next;
        f = f_next;
    }
    Err(CreditError::Unfit(format!(
        "logistic regression with C = {c} did not converge in {MAX_ITERATIONS} Newton steps"
    )))
}

fn into_model(c: f64, theta: &[f64]) -> Logistic {
    Logistic {
        c,
        intercept: theta[0],
        weights: theta[1..].to_vec(),
        inner_log_loss: Vec::new(),
    }
}

/// Halves the Newton step until the objective falls enough (Armijo's condition).
fn line_search(
    x: &Design,
    y: &[u8],
    c: f64,
    theta: &[f64],
    step: &[f64],
    f: f64,
    decrement: f64,
) -> Result<(Vec<f64>, f64)> {
    let mut t = 1.0;
    while t > 1e-12 {
        let candidate: Vec<f64> = theta.iter().zip(step).map(|(a, s)| a - t * s).collect();
        let f_candidate = objective(x, y, c, &candidate);
        if f_candidate <= f - 1e-4 * t * decrement {
            return Ok((candidate, f_candidate));
        }
        t /= 2.0;
    }
    // No descent is possible at machine precision: theta is the optimum to within rounding.
    Ok((theta.to_vec(), f))
}

/// log(1 + e^z), without overflow.
fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

fn log_odds_at(x: &Design, i: usize, theta: &[f64]) -> f64 {
    let row = x.row(i);
    x.nonzero[i]
        .iter()
        .fold(theta[0], |z, &j| z + theta[j + 1] * row[j])
}

fn objective(x: &Design, y: &[u8], c: f64, theta: &[f64]) -> f64 {
    let loss: f64 = (0..x.rows)
        .map(|i| {
            let z = log_odds_at(x, i, theta);
            softplus(z) - f64::from(y[i]) * z
        })
        .sum();
    loss + theta[1..].iter().map(|w| w * w).sum::<f64>() / (2.0 * c)
}

/// The gradient and the (upper triangle of the) Hessian of the objective.
fn gradient_and_hessian(x: &Design, y: &[u8], c: f64, theta: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let p = x.cols + 1;
    let mut gradient = vec![0.0; p];
    let mut hessian = vec![0.0; p * p];
    for (i, &label) in y.iter().enumerate() {
        let prob = sigmoid(log_odds_at(x, i, theta));
        let residual = prob - f64::from(label);
        let weight = prob * (1.0 - prob);
        let row = x.row(i);
        gradient[0] += residual;
        hessian[0] += weight;
        for (a, &j) in x.nonzero[i].iter().enumerate() {
            gradient[j + 1] += residual * row[j];
            hessian[j + 1] += weight * row[j];
            for &k in &x.nonzero[i][a..] {
                hessian[(j + 1) * p + k + 1] += weight * row[j] * row[k];
            }
        }
    }
    for j in 1..p {
        gradient[j] += theta[j] / c;
        hessian[j * p + j] += 1.0 / c;
    }
    (gradient, hessian)
}

/// Solves H s = g for a symmetric positive definite H given by its upper triangle (Cholesky).
fn solve_spd(mut h: Vec<f64>, g: &[f64], p: usize) -> Result<Vec<f64>> {
    // Lower factor L stored in the lower triangle: h[i * p + j], j <= i, read from h[j * p + i].
    for i in 0..p {
        for j in 0..=i {
            let mut sum = h[j * p + i];
            for k in 0..j {
                sum -= h[i * p + k] * h[j * p + k];
            }
            if i == j {
                if sum <= 0.0 || !sum.is_finite() {
                    return Err(CreditError::Unfit(
                        "logistic regression: the Hessian is not positive definite".into(),
                    ));
                }
                h[i * p + i] = sum.sqrt();
            } else {
                h[i * p + j] = sum / h[j * p + j];
            }
        }
    }
    let mut z = g.to_vec();
    for i in 0..p {
        z[i] = (z[i] - (0..i).map(|k| h[i * p + k] * z[k]).sum::<f64>()) / h[i * p + i];
    }
    for i in (0..p).rev() {
        z[i] = (z[i] - (i + 1..p).map(|k| h[k * p + i] * z[k]).sum::<f64>()) / h[i * p + i];
    }
    Ok(z)
}

/// Inputs for inner cross-validation: builds each fold's design from the fold's training rows
/// alone, so that anything fitted on data (scaling, binning) is refitted per inner fold.
pub trait InnerData {
    /// (design of the fitting rows, design of the validation rows) for one inner split.
    fn split(&self, fit: &[usize], validate: &[usize]) -> Result<(Design, Design)>;
}

/// Chooses C by mean log loss over stratified inner folds of the training rows only (ties: the
/// earlier C in the grid), then refits on all of them; a grid of one C is fitted directly.
/// Log loss, a proper scoring rule, varies smoothly with C, where AUC on a few hundred
/// validation rows jumps between ties and picked extreme values of C on German credit.
pub fn fit_cv(
    all: &Design,
    data: &dyn InnerData,
    y: &[u8],
    config: &LogisticConfig,
    seed: u64,
) -> Result<Logistic> {
    if let [c] = config.c_grid[..] {
        return fit_fixed(all, y, c, None);
    }
    let folds = Folds::stratified(y, config.inner_folds, seed);
    let rows: Vec<usize> = (0..y.len()).collect();
    let mut sums = vec![0.0; config.c_grid.len()];
    for fold in folds.ids() {
        let (fit_rows, validate_rows) = folds.split(&rows, fold);
        let (x_fit, x_validate) = data.split(&fit_rows, &validate_rows)?;
        let y_fit: Vec<u8> = fit_rows.iter().map(|&i| y[i]).collect();
        let y_validate: Vec<u8> = validate_rows.iter().map(|&i| y[i]).collect();
        let mut previous: Option<Logistic> = None;
        for (sum, &c) in sums.iter_mut().zip(&config.c_grid) {
            let model = fit_fixed(&x_fit, &y_fit, c, previous.as_ref())?;
            *sum += finml_metrics::log_loss(&model.probabilities(&x_validate), &y_validate)
                .map_err(CreditError::metrics(format!("inner fold {fold}")))?;
            previous = Some(model);
        }
    }
    let n_folds = folds.ids().len() as f64;
    let inner_log_loss: Vec<f64> = sums.iter().map(|s| s / n_folds).collect();
    let best = (0..inner_log_loss.len())
        .fold(None, |best: Option<usize>, i| match best {
            Some(b) if inner_log_loss[b] <= inner_log_loss[i] => Some(b),
            _ => Some(i),
        })
        .ok_or_else(|| CreditError::setting(Setting::CGrid, "is empty"))?;
    let mut model = fit_fixed(all, y, config.c_grid[best], None)?;
    model.inner_log_loss = inner_log_loss;
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Labels drawn from a known logistic model so that the fit can be checked against it.
    fn synthetic(n: usize) -> (Design, Vec<u8>) {
        let mut data = Vec::new();
        let mut y = Vec::new();
        let mut state = 12345u64;
        let mut uniform = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..n {
            let (a, b) = (uniform() * 4.0 - 2.0, f64::from(u8::from(uniform() < 0.3)));
            data.extend([a, b, 0.0]);
            y.push(u8::from(uniform() < sigmoid(-0.5 + 1.5 * a - 1.0 * b)));
        }
        (Design::new(n, 3, data), y)
    }

    #[test]
    fn newton_recovers_the_generating_coefficients_and_zero_columns_stay_zero() {
        let (x, y) = synthetic(20_000);
        let model = fit_fixed(&x, &y, 1e6, None).unwrap();
        let check = |got: f64, want: f64, what: &str| {
            assert!((got - want).abs() < 0.1, "{what}: {got} vs {want}");
        };
        check(model.intercept, -0.5, "intercept");
        check(model.weights[0], 1.5, "a");
        check(model.weights[1], -1.0, "b");
        assert_eq!(model.weights[2], 0.0, "a column of zeros");
    }

    #[test]
    fn the_optimum_has_zero_gradient_and_stronger_penalties_shrink_the_weights() {
        let (x, y) = synthetic(500);
        let loose = fit_fixed(&x, &y, 10.0, None).unwrap();
        let theta: Vec<f64> = std::iter::once(loose.intercept)
            .chain(loose.weights.iter().copied())
            .collect();
        let (gradient, _) = gradient_and_hessian(&x, &y, 10.0, &theta);
        assert!(gradient.iter().all(|g| g.abs() < 1e-6), "{gradient:?}");
        let tight = fit_fixed(&x, &y, 0.01, Some(&loose)).unwrap();
        assert!(tight.weights[0].abs() < loose.weights[0].abs());
    }

    #[test]
    fn cholesky_solves_a_known_system() {
        // H = [[4, 2], [2, 3]], g = [2, 1] -> s = [0.5, 0]
        let s = solve_spd(vec![4.0, 2.0, 0.0, 3.0], &[2.0, 1.0], 2).unwrap();
        assert!((s[0] - 0.5).abs() < 1e-12 && s[1].abs() < 1e-12, "{s:?}");
        assert!(solve_spd(vec![-1.0, 0.0, 0.0, 1.0], &[1.0, 1.0], 2).is_err());
    }
}
