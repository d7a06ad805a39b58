//! Intent metrics: accuracy, macro-F1 and out-of-scope precision and recall at a hand-off
//! threshold, from any classifier's top intent and probability.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::data::OUT_OF_SCOPE;

/// A classifier's best intent for a message and its probability, before the hand-off rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    pub intent: String,
    pub probability: f64,
}

impl Scored {
    /// True when a person should take the message: the best intent is out of scope, or the
    /// classifier is less sure than `threshold`.
    pub fn handoff(&self, threshold: f64) -> bool {
        self.intent == OUT_OF_SCOPE || self.probability < threshold
    }

    /// The routed intent: the best one, or `out_of_scope` when handed off.
    pub fn routed(&self, threshold: f64) -> &str {
        if self.handoff(threshold) {
            OUT_OF_SCOPE
        } else {
            &self.intent
        }
    }
}

/// One evaluation at one threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub rows: usize,
    pub threshold: f64,
    pub accuracy: f64,
    /// Unweighted mean of the per-intent F1 over every intent in the truth or the routing,
    /// out_of_scope included (scikit-learn's `f1_score(average="macro")`).
    pub macro_f1: f64,
    /// Of the messages handed off, the share that was out of scope.
    pub oos_precision: f64,
    /// Of the out-of-scope messages, the share handed off.
    pub oos_recall: f64,
    pub handoffs: usize,
}

impl Evaluation {
    /// Scores of one message per row against the true intents, at `threshold`.
    ///
    /// ```
    /// use finml_assist::{Evaluation, Scored};
    /// let scored = [
    ///     Scored { intent: "card_declined".into(), probability: 0.9 },
    ///     Scored { intent: "card_declined".into(), probability: 0.3 },
    /// ];
    /// let e = Evaluation::compute(&scored, &["card_declined", "out_of_scope"], 0.5);
    /// assert_eq!((e.accuracy, e.oos_precision, e.oos_recall), (1.0, 1.0, 1.0));
    /// ```
    pub fn compute(scored: &[Scored], truth: &[&str], threshold: f64) -> Evaluation {
        let routed: Vec<&str> = scored.iter().map(|s| s.routed(threshold)).collect();
        let pairs: Vec<(&str, &str)> = routed.iter().copied().zip(truth.iter().copied()).collect();
        let rows = pairs.len();
        let correct = pairs.iter().filter(|(p, t)| p == t).count();
        let labels: BTreeSet<&str> = pairs.iter().flat_map(|&(p, t)| [p, t]).collect();
        let f1_sum: f64 = labels.iter().map(|label| f1(&pairs, label)).sum();
        let (oos_precision, oos_recall) = precision_recall(&pairs, OUT_OF_SCOPE);
        Evaluation {
            rows,
            threshold,
            accuracy: ratio(correct, rows),
            macro_f1: f1_sum / labels.len().max(1) as f64,
            oos_precision,
            oos_recall,
            handoffs: routed.iter().filter(|r| **r == OUT_OF_SCOPE).count(),
        }
    }
}

/// A division that is 0 when nothing was counted, as scikit-learn's `zero_division=0`.
fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn precision_recall(pairs: &[(&str, &str)], label: &str) -> (f64, f64) {
    let hit = pairs
        .iter()
        .filter(|(p, t)| *p == label && *t == label)
        .count();
    let predicted = pairs.iter().filter(|(p, _)| *p == label).count();
    let actual = pairs.iter().filter(|(_, t)| *t == label).count();
    (ratio(hit, predicted), ratio(hit, actual))
}

fn f1(pairs: &[(&str, &str)], label: &str) -> f64 {
    let (precision, recall) = precision_recall(pairs, label);
    if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scored(intent: &str, probability: f64) -> Scored {
        Scored {
            intent: intent.into(),
            probability,
        }
    }

    #[test]
    fn metrics_match_scikit_learn_on_a_small_case() {
        // y_true = [a, a, b, oos], y_pred = [a, b, b, oos]:
        // accuracy 0.75; F1 a = 2/3, b = 2/3, oos = 1 -> macro 7/9.
        let s = [
            scored("a", 0.9),
            scored("b", 0.8),
            scored("b", 0.7),
            scored("a", 0.2),
        ];
        let e = Evaluation::compute(&s, &["a", "a", "b", OUT_OF_SCOPE], 0.5);
        assert_eq!(e.accuracy, 0.75);
        assert!((e.macro_f1 - 7.0 / 9.0).abs() < 1e-12);
        assert_eq!((e.oos_precision, e.oos_recall, e.handoffs), (1.0, 1.0, 1));
    }

    #[test]
    fn a_higher_threshold_hands_off_more() {
        let s = [
            scored("a", 0.6),
            scored(OUT_OF_SCOPE, 0.9),
            scored("a", 0.95),
        ];
        let truth = ["a", OUT_OF_SCOPE, "a"];
        let low = Evaluation::compute(&s, &truth, 0.5);
        let high = Evaluation::compute(&s, &truth, 0.7);
        assert_eq!((low.handoffs, low.oos_precision), (1, 1.0));
        assert_eq!((high.handoffs, high.oos_precision), (2, 0.5));
        assert_eq!(high.accuracy, 2.0 / 3.0);
    }
}
