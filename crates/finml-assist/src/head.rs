//! A softmax classification head on fixed embeddings, trained by hand: the problem is a
//! convex multinomial logistic regression small enough (hundreds of rows, 384 inputs) that
//! full-batch Adam on plain vectors beats setting up an autodiff graph.

const BETA1: f64 = 0.9;
const BETA2: f64 = 0.999;
const EPSILON: f64 = 1e-8;

pub(crate) struct Fit {
    /// One row of input weights per class.
    pub weights: Vec<Vec<f32>>,
    pub bias: Vec<f32>,
    /// Penalised loss before each step.
    pub losses: Vec<f64>,
}

/// Full-batch Adam from zero weights on mean cross-entropy plus `l2 / 2 * |W|^2`.
pub(crate) fn fit(
    rows: &[Vec<f32>],
    labels: &[usize],
    classes: usize,
    steps: usize,
    learning_rate: f64,
    l2: f64,
) -> Fit {
    let dim = rows.first().map_or(0, Vec::len);
    // Parameters flattened as [class][dim] weights followed by the class biases.
    let mut params = vec![0.0f64; classes * (dim + 1)];
    let mut m = vec![0.0f64; params.len()];
    let mut v = vec![0.0f64; params.len()];
    let mut losses = Vec::with_capacity(steps);
    for step in 1..=steps {
        let (loss, grad) = loss_and_gradient(&params, rows, labels, classes, l2);
        losses.push(loss);
        let (c1, c2) = (1.0 - BETA1.powi(step as i32), 1.0 - BETA2.powi(step as i32));
        for i in 0..params.len() {
            m[i] = BETA1 * m[i] + (1.0 - BETA1) * grad[i];
            v[i] = BETA2 * v[i] + (1.0 - BETA2) * grad[i] * grad[i];
            params[i] -= learning_rate * (m[i] / c1) / ((v[i] / c2).sqrt() + EPSILON);
        }
    }
    let weights = params[..classes * dim]
        .chunks(dim.max(1))
        .map(|w| w.iter().map(|&x| x as f32).collect())
        .collect();
    let bias = params[classes * dim..].iter().map(|&b| b as f32).collect();
    Fit {
        weights,
        bias,
        losses,
    }
}

fn loss_and_gradient(
    params: &[f64],
    rows: &[Vec<f32>],
    labels: &[usize],
    classes: usize,
    l2: f64,
) -> (f64, Vec<f64>) {
    let dim = rows.first().map_or(0, Vec::len);
    let (weights, bias) = params.split_at(classes * dim);
    let mut grad = vec![0.0f64; params.len()];
    let mut loss = 0.0;
    let n = rows.len().max(1) as f64;
    for (row, &label) in rows.iter().zip(labels) {
        let p = softmax(&logits(row, weights, bias));
        loss -= p[label].max(1e-300).ln() / n;
        for (c, &pc) in p.iter().enumerate() {
            let error = (pc - f64::from(u8::from(c == label))) / n;
            for (g, &x) in grad[c * dim..(c + 1) * dim].iter_mut().zip(row) {
                *g += error * f64::from(x);
            }
            grad[classes * dim + c] += error;
        }
    }
    for (g, &w) in grad.iter_mut().zip(weights) {
        *g += l2 * w;
    }
    loss += 0.5 * l2 * weights.iter().map(|w| w * w).sum::<f64>();
    (loss, grad)
}

fn logits(row: &[f32], weights: &[f64], bias: &[f64]) -> Vec<f64> {
    let dim = row.len();
    bias.iter()
        .enumerate()
        .map(|(c, b)| {
            let w = &weights[c * dim..(c + 1) * dim];
            b + w
                .iter()
                .zip(row)
                .map(|(w, &x)| w * f64::from(x))
                .sum::<f64>()
        })
        .collect()
}

fn softmax(logits: &[f64]) -> Vec<f64> {
    let max = logits.iter().copied().fold(f64::MIN, f64::max);
    let exp: Vec<f64> = logits.iter().map(|l| (l - max).exp()).collect();
    let sum: f64 = exp.iter().sum();
    exp.iter().map(|e| e / sum).collect()
}

/// The most probable class for one embedding and its probability.
pub(crate) fn predict(row: &[f32], weights: &[Vec<f32>], bias: &[f32]) -> (usize, f64) {
    let flat: Vec<f64> = weights.iter().flatten().map(|&w| f64::from(w)).collect();
    let bias: Vec<f64> = bias.iter().map(|&b| f64::from(b)).collect();
    let p = softmax(&logits(row, &flat, &bias));
    p.iter().copied().enumerate().fold(
        (0, f64::MIN),
        |best, (c, pc)| if pc > best.1 { (c, pc) } else { best },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_separates_two_directions_and_the_loss_falls() {
        let rows = vec![
            vec![1.0, 0.1],
            vec![0.9, -0.1],
            vec![-0.1, 1.0],
            vec![0.1, 0.9],
        ];
        let labels = [0, 0, 1, 1];
        let fit = fit(&rows, &labels, 2, 100, 0.1, 1e-3);
        assert!(fit.losses[99] < 0.5 * fit.losses[0], "{:?}", fit.losses);
        assert_eq!(predict(&[0.95, 0.0], &fit.weights, &fit.bias).0, 0);
        let (class, p) = predict(&[0.0, 0.95], &fit.weights, &fit.bias);
        assert_eq!(class, 1);
        assert!(p > 0.8, "{p}");
    }
}
