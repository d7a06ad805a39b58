//! Gradient-boosted trees: forust-ml's XGBoost-style booster on the preprocessed inputs.
//!
//! Constraints: a well-kept crate that builds from crates.io alone on 2 cores, seeded and
//! reproducible, with early stopping and monotone constraints, whose fitted model can be saved
//! exactly. Solution: forust-ml 0.8 (pure Rust, Apache-2.0, XGBoost's algorithm: second-order
//! gains, histogram splits, L1/L2 leaf penalties), which has per-input monotone constraints,
//! early stopping on evaluation data and a serde representation. Bindings to LightGBM or
//! XGBoost (`lightgbm3`, `xgboost-rs`) compile the C++ library with cmake and clang on every
//! cold build, which costs minutes on 2 cores and tools CI may not have; `gbdt` (gbdt-rs) has
//! neither early stopping nor monotone constraints. Trade-off: forust has no native
//! categorical splits, so categorical columns arrive one-hot, as they do for XGBoost.
//!
//! Tree size is chosen the way the LightGBM peers choose it: for each candidate depth, inner
//! stratified folds of the training rows are fitted with early stopping on the held-out inner
//! fold; the depth with the lowest mean inner log loss wins, and the final model is refitted
//! on all training rows with that depth and the mean of the inner best tree counts. The outer
//! test rows are never passed in, so they cannot take part in any of these choices.

use finml_data::{Folds, InputRole, InputSource, Matrix};
use forust_ml::constraints::{Constraint, ConstraintMap};
use forust_ml::metric::Metric;
use forust_ml::{GradientBooster, Matrix as ColumnMajor};
use serde::{Deserialize, Serialize};

use crate::error::{CreditError, Result, Setting};
use crate::logistic::{log_loss_of_log_odds, sigmoid};

/// The booster's settings and the candidates of the inner search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GbdtConfig {
    pub learning_rate: f32,
    /// Upper bound on trees; early stopping decides the number.
    pub max_trees: usize,
    /// Tree depths tried by the inner search.
    pub depths: Vec<usize>,
    pub inner_folds: usize,
    /// Trees without improvement of the inner log loss before fitting stops.
    pub early_stopping_rounds: usize,
    /// L2 penalty on leaf weights.
    pub l2: f32,
    /// Minimum hessian sum in a leaf (XGBoost's min_child_weight).
    pub min_leaf_weight: f32,
    /// Share of rows drawn for each tree.
    pub subsample: f32,
    /// Share of inputs drawn for each tree.
    pub colsample_bytree: f64,
    /// Columns whose effect on the probability of default may only rise or only fall.
    pub monotone: Vec<Monotone>,
}

impl Default for GbdtConfig {
    fn default() -> Self {
        GbdtConfig {
            learning_rate: 0.03,
            max_trees: 1000,
            depths: vec![2, 3, 4, 6],
            inner_folds: 3,
            early_stopping_rounds: 50,
            l2: 1.0,
            min_leaf_weight: 1.0,
            subsample: 0.8,
            colsample_bytree: 0.8,
            monotone: Vec::new(),
        }
    }
}

/// A monotone constraint on a numeric column, as `COLUMN=+` (PD rises with the value) or
/// `COLUMN=-` (PD falls with it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Monotone {
    pub column: String,
    pub increasing: bool,
}

impl std::str::FromStr for Monotone {
    type Err = CreditError;

    fn from_str(text: &str) -> Result<Self> {
        let invalid = || {
            CreditError::setting(
                Setting::Monotone,
                format!("`{text}`: expected COLUMN=+ or COLUMN=-"),
            )
        };
        let (column, sign) = text.rsplit_once('=').ok_or_else(invalid)?;
        let increasing = match sign.trim() {
            "+" | "+1" => true,
            "-" | "-1" => false,
            _ => return Err(invalid()),
        };
        if column.trim().is_empty() {
            return Err(invalid());
        }
        Ok(Monotone {
            column: column.trim().to_owned(),
            increasing,
        })
    }
}

/// A fitted booster and what the inner search chose.
#[derive(Serialize, Deserialize)]
pub struct Gbdt {
    pub depth: usize,
    pub trees: usize,
    /// Mean inner log loss of each candidate depth, as (depth, log loss).
    pub inner_log_loss: Vec<(usize, f64)>,
    booster: GradientBooster,
}

impl Gbdt {
    /// Searches the depth on inner folds of `inputs`, then refits on all of them.
    pub fn fit(
        inputs: &Matrix,
        labels: &[u8],
        sources: &[InputSource],
        config: &GbdtConfig,
        seed: u64,
    ) -> Result<Gbdt> {
        let constraints = constraint_map(sources, &config.monotone)?;
        let folds = Folds::stratified(labels, config.inner_folds, seed);
        let mut inner_log_loss = Vec::new();
        let mut best: Option<(usize, f64, usize)> = None;
        for &depth in &config.depths {
            let (loss, trees) =
                inner_search(inputs, labels, &folds, depth, &constraints, config, seed)?;
            inner_log_loss.push((depth, loss));
            if best.is_none_or(|(_, best_loss, _)| loss < best_loss) {
                best = Some((depth, loss, trees));
            }
        }
        let (depth, _, trees) = best
            .ok_or_else(|| CreditError::setting(Setting::Depths, "must hold at least one depth"))?;
        let mut booster = booster(depth, trees, &constraints, config, seed)?;
        let all_rows: Vec<usize> = (0..inputs.rows).collect();
        let columns = column_major(inputs, &all_rows);
        let y = targets(labels, &all_rows);
        booster
            .fit_unweighted(
                &ColumnMajor::new(&columns, inputs.rows, inputs.cols),
                &y,
                None,
            )
            .map_err(fit_error)?;
        Ok(Gbdt {
            depth,
            trees,
            inner_log_loss,
            booster,
        })
    }

    /// Probabilities of default for the rows of `inputs`.
    /// Checks that every tree is one the booster can walk: a root, and each split's children
    /// after it and inside the tree (a stored tree pointing elsewhere would index out of the
    /// tree or loop for ever).
    pub(crate) fn check_trees(&self) -> std::result::Result<(), String> {
        for (t, tree) in self.booster.trees.iter().enumerate() {
            if tree.nodes.is_empty() {
                return Err(format!("tree {t} has no nodes"));
            }
            for (i, node) in tree.nodes.iter().enumerate().filter(|(_, n)| !n.is_leaf) {
                let children = [node.left_child, node.right_child, node.missing_node];
                if children.iter().any(|&c| c <= i || c >= tree.nodes.len()) {
                    return Err(format!(
                        "tree {t}, node {i}: its children {children:?} are not nodes after it"
                    ));
                }
            }
        }
        Ok(())
    }

    /// How many inputs the trees read: one more than the highest input any tree splits on.
    pub(crate) fn inputs_used(&self) -> usize {
        self.booster
            .trees
            .iter()
            .flat_map(|tree| &tree.nodes)
            .filter(|node| !node.is_leaf)
            .map(|node| node.split_feature + 1)
            .max()
            .unwrap_or(0)
    }

    pub fn probabilities(&self, inputs: &Matrix) -> Vec<f64> {
        let all_rows: Vec<usize> = (0..inputs.rows).collect();
        let columns = column_major(inputs, &all_rows);
        let matrix = ColumnMajor::new(&columns, inputs.rows, inputs.cols);
        self.booster
            .predict(&matrix, false)
            .into_iter()
            .map(sigmoid)
            .collect()
    }
}

/// Mean held-out log loss over the inner folds at `depth`, and the mean best tree count.
fn inner_search(
    inputs: &Matrix,
    labels: &[u8],
    folds: &Folds,
    depth: usize,
    constraints: &ConstraintMap,
    config: &GbdtConfig,
    seed: u64,
) -> Result<(f64, usize)> {
    let mut loss_sum = 0.0;
    let mut tree_sum = 0;
    let all_rows: Vec<usize> = (0..labels.len()).collect();
    let fold_ids = folds.ids();
    for &fold in &fold_ids {
        let (fit_rows, held_rows) = folds.split(&all_rows, fold);
        let fit_columns = column_major(inputs, &fit_rows);
        let held_columns = column_major(inputs, &held_rows);
        let fit_y = targets(labels, &fit_rows);
        let held_y = targets(labels, &held_rows);
        let held_weights = vec![1.0; held_rows.len()];
        let held = ColumnMajor::new(&held_columns, held_rows.len(), inputs.cols);
        let mut booster = booster(depth, config.max_trees, constraints, config, seed)?
            .set_evaluation_metric(Some(Metric::LogLoss))
            .set_early_stopping_rounds(Some(config.early_stopping_rounds));
        booster
            .fit(
                &ColumnMajor::new(&fit_columns, fit_rows.len(), inputs.cols),
                &fit_y,
                &vec![1.0; fit_rows.len()],
                Some(vec![(held, &held_y, &held_weights)]),
            )
            .map_err(fit_error)?;
        let held = ColumnMajor::new(&held_columns, held_rows.len(), inputs.cols);
        let predictions = booster.predict(&held, false);
        loss_sum += mean_log_loss(&predictions, &held_y);
        tree_sum += booster.prediction_iteration.unwrap_or(config.max_trees);
    }
    let n_folds = fold_ids.len() as f64;
    Ok((
        loss_sum / n_folds,
        (tree_sum as f64 / n_folds).round().max(1.0) as usize,
    ))
}

fn booster(
    depth: usize,
    trees: usize,
    constraints: &ConstraintMap,
    config: &GbdtConfig,
    seed: u64,
) -> Result<GradientBooster> {
    Ok(GradientBooster::default()
        .set_iterations(trees)
        .set_learning_rate(config.learning_rate)
        .set_max_depth(depth)
        .set_l2(config.l2)
        .set_min_leaf_weight(config.min_leaf_weight)
        .set_subsample(config.subsample)
        .set_colsample_bytree(config.colsample_bytree)
        .set_monotone_constraints(Some(constraints.clone()))
        .set_parallel(false)
        .set_seed(seed))
}

/// The inputs that carry a constrained column's value; a constraint on a column that is not a
/// numeric input of the model is an error, not silently ignored.
fn constraint_map(sources: &[InputSource], monotone: &[Monotone]) -> Result<ConstraintMap> {
    let mut map = ConstraintMap::new();
    for constraint in monotone {
        let input = sources.iter().position(|source| {
            source.role == InputRole::Value
                && source.column.eq_ignore_ascii_case(&constraint.column)
        });
        let input = input.ok_or_else(|| {
            CreditError::setting(
                Setting::Monotone,
                format!(
                    "on `{}`: expected a numeric input column of the model",
                    constraint.column
                ),
            )
        })?;
        let direction = if constraint.increasing {
            Constraint::Positive
        } else {
            Constraint::Negative
        };
        map.insert(input, direction);
    }
    Ok(map)
}

/// The rows `rows` of a row-major f32 matrix, column-major in f64.
fn column_major(inputs: &Matrix, rows: &[usize]) -> Vec<f64> {
    let mut data = Vec::with_capacity(rows.len() * inputs.cols);
    for col in 0..inputs.cols {
        data.extend(
            rows.iter()
                .map(|&r| f64::from(inputs.data[r * inputs.cols + col])),
        );
    }
    data
}

fn targets(labels: &[u8], rows: &[usize]) -> Vec<f64> {
    rows.iter().map(|&r| f64::from(labels[r])).collect()
}

fn mean_log_loss(log_odds: &[f64], y: &[f64]) -> f64 {
    let total: f64 = log_odds
        .iter()
        .zip(y)
        .map(|(&z, &y)| log_loss_of_log_odds(z, y))
        .sum();
    total / y.len() as f64
}

fn fit_error(error: forust_ml::errors::ForustError) -> CreditError {
    CreditError::Internal(format!("gradient boosting could not be fitted: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two inputs: x0 drives the default rate up (with a dip the trees could follow), x1 is noise.
    fn sample(rows: usize) -> (Matrix, Vec<u8>, Vec<InputSource>) {
        let mut data = Vec::with_capacity(rows * 2);
        let mut labels = Vec::with_capacity(rows);
        for i in 0..rows {
            let x0 = (i * 37 % 100) as f32 / 10.0;
            let x1 = (i * 53 % 89) as f32 / 10.0;
            let dip = if (4.0..5.0).contains(&x0) { -3.0 } else { 0.0 };
            let noise = (i * 7919 % 100) as f32 / 25.0;
            labels.push(u8::from(x0 + dip + noise > 7.0));
            data.extend([x0, x1]);
        }
        let sources = ["x0", "x1"].map(|column| InputSource {
            column: column.into(),
            role: InputRole::Value,
        });
        (
            Matrix {
                rows,
                cols: 2,
                data,
            },
            labels,
            sources.to_vec(),
        )
    }

    fn grid(x1: f32) -> Matrix {
        let data = (0..100).flat_map(|i| [i as f32 / 10.0, x1]).collect();
        Matrix {
            rows: 100,
            cols: 2,
            data,
        }
    }

    fn quick() -> GbdtConfig {
        GbdtConfig {
            depths: vec![2, 3],
            max_trees: 300,
            learning_rate: 0.1,
            ..GbdtConfig::default()
        }
    }

    #[test]
    fn a_monotone_constraint_holds_everywhere_and_the_search_is_recorded() {
        let (inputs, labels, sources) = sample(600);
        let mut config = quick();
        config.monotone = vec!["X0=+".parse().unwrap()];
        let model = Gbdt::fit(&inputs, &labels, &sources, &config, 7).unwrap();
        for x1 in [0.0, 4.5, 8.8] {
            let p = model.probabilities(&grid(x1));
            assert!(
                p.windows(2).all(|w| w[0] <= w[1]),
                "not monotone at x1 = {x1}"
            );
            assert!(p[99] > p[0] + 0.3, "the rising risk was not learnt");
        }
        let depths: Vec<usize> = model.inner_log_loss.iter().map(|(d, _)| *d).collect();
        assert_eq!(depths, [2, 3]);
        assert!(config.depths.contains(&model.depth));
        assert!((1..=300).contains(&model.trees));
        let unconstrained = Gbdt::fit(&inputs, &labels, &sources, &quick(), 7).unwrap();
        let p = unconstrained.probabilities(&grid(4.5));
        assert!(
            p.windows(2).any(|w| w[0] > w[1]),
            "the dip should show without the constraint"
        );
    }

    #[test]
    fn constraints_are_parsed_and_checked_against_the_inputs() {
        let parsed: Monotone = "debt=-".parse().unwrap();
        assert_eq!(
            parsed,
            Monotone {
                column: "debt".into(),
                increasing: false
            }
        );
        for bad in ["debt", "debt=up", "=+"] {
            let message = bad.parse::<Monotone>().unwrap_err().to_string();
            assert!(
                message.contains("expected COLUMN=+ or COLUMN=-"),
                "{message}"
            );
        }
        let (inputs, labels, sources) = sample(100);
        let mut config = quick();
        config.monotone = vec!["income=+".parse().unwrap()];
        let message = Gbdt::fit(&inputs, &labels, &sources, &config, 1)
            .err()
            .unwrap()
            .to_string();
        assert!(
            message.contains("`income`: expected a numeric input column"),
            "{message}"
        );
    }
}
