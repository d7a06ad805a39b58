//! Metrics of binary scores against 0/1 outcomes (1 = default), defined as scikit-learn
//! defines them and tested against its values.
//!
//! ```
//! use finml_metrics::{roc_auc, Summary};
//! let scores = [0.1, 0.4, 0.35, 0.8];
//! let labels = [0, 0, 1, 1];
//! assert_eq!(roc_auc(&scores, &labels)?, 0.75);
//! let summary = Summary::compute(&scores, &labels, 0.5)?;
//! assert_eq!(summary.accuracy, 0.75);
//! # Ok::<(), finml_metrics::MetricsError>(())
//! ```

use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MetricsError {
    #[error("{scores} scores but {labels} outcomes")]
    LengthMismatch { scores: usize, labels: usize },
    #[error("no rows to evaluate")]
    Empty,
    #[error(
        "only one class is present ({count} rows, all {label}): AUC and KS need both good and bad outcomes"
    )]
    OneClass { label: u8, count: usize },
    #[error("score {index} is {value}: scores must be finite probabilities")]
    NotAProbability { index: usize, value: f64 },
}

pub type Result<T> = std::result::Result<T, MetricsError>;

/// Counts at a threshold; a score above the threshold is predicted as default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    pub true_positive: usize,
    pub false_positive: usize,
    pub true_negative: usize,
    pub false_negative: usize,
}

/// Every metric of one evaluation, as reported by `evaluate` and `cv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub auc: f64,
    pub ks: f64,
    pub gini: f64,
    pub brier: f64,
    pub log_loss: f64,
    pub accuracy: f64,
    pub threshold: f64,
    pub confusion: ConfusionMatrix,
    pub rows: usize,
    pub defaults: usize,
}

impl Summary {
    pub fn compute(scores: &[f64], labels: &[u8], threshold: f64) -> Result<Summary> {
        let auc = roc_auc(scores, labels)?;
        Ok(Summary {
            auc,
            ks: ks_statistic(scores, labels)?,
            gini: 2.0 * auc - 1.0,
            brier: brier_score(scores, labels)?,
            log_loss: log_loss(scores, labels)?,
            accuracy: accuracy(scores, labels, threshold)?,
            threshold,
            confusion: confusion_matrix(scores, labels, threshold)?,
            rows: labels.len(),
            defaults: labels.iter().filter(|&&l| l == 1).count(),
        })
    }
}

fn check(scores: &[f64], labels: &[u8]) -> Result<()> {
    if scores.len() != labels.len() {
        return Err(MetricsError::LengthMismatch {
            scores: scores.len(),
            labels: labels.len(),
        });
    }
    if scores.is_empty() {
        return Err(MetricsError::Empty);
    }
    match scores.iter().position(|s| !s.is_finite()) {
        Some(index) => Err(MetricsError::NotAProbability {
            index,
            value: scores[index],
        }),
        None => Ok(()),
    }
}

/// (positives, negatives), or an error when one of them is absent.
fn class_counts(labels: &[u8]) -> Result<(usize, usize)> {
    let positives = labels.iter().filter(|&&l| l == 1).count();
    let negatives = labels.len() - positives;
    match (positives, negatives) {
        (0, n) => Err(MetricsError::OneClass { label: 0, count: n }),
        (p, 0) => Err(MetricsError::OneClass { label: 1, count: p }),
        counts => Ok(counts),
    }
}

/// Indices sorted by ascending score.
fn ascending(scores: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    order
}

/// Area under the ROC curve: the Mann-Whitney probability that a random default scores
/// above a random non-default, ties counting one half.
pub fn roc_auc(scores: &[f64], labels: &[u8]) -> Result<f64> {
    check(scores, labels)?;
    let (positives, negatives) = class_counts(labels)?;
    let order = ascending(scores);
    let mut rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let end = tie_end(scores, &order, start);
        // Tied scores share the mean of their 1-based ranks start+1 ..= end.
        let mean_rank = (start + 1 + end) as f64 / 2.0;
        let tied_positives = order[start..end]
            .iter()
            .filter(|&&i| labels[i] == 1)
            .count();
        rank_sum += mean_rank * tied_positives as f64;
        start = end;
    }
    let p = positives as f64;
    Ok((rank_sum - p * (p + 1.0) / 2.0) / (p * negatives as f64))
}

/// The end (exclusive) of the run of scores equal to `scores[order[start]]`.
fn tie_end(scores: &[f64], order: &[usize], start: usize) -> usize {
    let value = scores[order[start]];
    start
        + order[start..]
            .iter()
            .take_while(|&&i| scores[i] == value)
            .count()
}

/// Kolmogorov-Smirnov statistic: the largest gap between the score distributions of
/// defaults and non-defaults, over all thresholds.
pub fn ks_statistic(scores: &[f64], labels: &[u8]) -> Result<f64> {
    check(scores, labels)?;
    let (positives, negatives) = class_counts(labels)?;
    let order = ascending(scores);
    let (mut cum_pos, mut cum_neg, mut ks) = (0usize, 0usize, 0f64);
    let mut start = 0;
    while start < order.len() {
        let end = tie_end(scores, &order, start);
        for &i in &order[start..end] {
            if labels[i] == 1 {
                cum_pos += 1
            } else {
                cum_neg += 1
            }
        }
        let gap = cum_neg as f64 / negatives as f64 - cum_pos as f64 / positives as f64;
        ks = ks.max(gap.abs());
        start = end;
    }
    Ok(ks)
}

/// Mean squared difference between the probability and the outcome.
pub fn brier_score(scores: &[f64], labels: &[u8]) -> Result<f64> {
    check(scores, labels)?;
    let sum: f64 = scores
        .iter()
        .zip(labels)
        .map(|(s, &l)| (s - f64::from(l)).powi(2))
        .sum();
    Ok(sum / scores.len() as f64)
}

/// Mean negative log-likelihood; probabilities are clipped to [eps, 1 - eps] with the f64
/// machine epsilon, as scikit-learn does for float64 input.
pub fn log_loss(scores: &[f64], labels: &[u8]) -> Result<f64> {
    check(scores, labels)?;
    let eps = f64::EPSILON;
    let sum: f64 = scores
        .iter()
        .zip(labels)
        .map(|(&s, &l)| {
            let p = s.clamp(eps, 1.0 - eps);
            if l == 1 { -p.ln() } else { -(1.0 - p).ln() }
        })
        .sum();
    Ok(sum / scores.len() as f64)
}

/// Share of rows whose prediction (default when the score is above `threshold`) is right.
pub fn accuracy(scores: &[f64], labels: &[u8], threshold: f64) -> Result<f64> {
    let c = confusion_matrix(scores, labels, threshold)?;
    Ok((c.true_positive + c.true_negative) as f64 / labels.len() as f64)
}

pub fn confusion_matrix(scores: &[f64], labels: &[u8], threshold: f64) -> Result<ConfusionMatrix> {
    check(scores, labels)?;
    let mut c = ConfusionMatrix {
        true_positive: 0,
        false_positive: 0,
        true_negative: 0,
        false_negative: 0,
    };
    for (&s, &l) in scores.iter().zip(labels) {
        match (s > threshold, l == 1) {
            (true, true) => c.true_positive += 1,
            (true, false) => c.false_positive += 1,
            (false, false) => c.true_negative += 1,
            (false, true) => c.false_negative += 1,
        }
    }
    Ok(c)
}
