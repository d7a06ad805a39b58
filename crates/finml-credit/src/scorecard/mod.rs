//! The WoE scorecard: each column is binned, each bin replaced by its weight of evidence, a
//! logistic regression fitted on the WoE values, and its log-odds turned into points per bin.
//!
//! The score of an applicant is the sum of the points of their bins, and the model's
//! probability of default is derived from that sum alone, so the printed table (and its CSV,
//! JSON and SQL exports) reproduces the model's score exactly.

pub mod binning;
pub mod export;

use std::ops::Add;

use finml_data::{ColumnKind, ColumnValues, Feature, Features};
use serde::{Deserialize, Serialize};

use crate::error::{CreditError, Result};
use crate::logistic::{Design, fit_fixed, sigmoid};
use binning::{Counts, Monotonic, optimal_groups, prebin_starts, woe_iv};

/// How a scorecard is built: recorded in the package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScorecardConfig {
    /// Event-rate trend of numeric columns' bins.
    pub monotonic: Monotonic,
    /// The smallest share of training rows in a regular bin.
    pub min_bin_share: f64,
    /// Pre-bins per numeric column before the optimal grouping.
    pub max_prebins: usize,
    /// Columns whose information value is below this are left out.
    pub min_iv: f64,
    /// Numeric codes that are not magnitudes (e.g. -9999): each gets a bin of its own.
    pub special_values: Vec<f64>,
    /// Inverse regularisation strength of the logistic regression on WoE.
    pub c: f64,
    /// Points that double the odds of being good.
    pub pdo: f64,
    /// The score at which the odds of being good are `base_odds` to 1.
    pub base_score: f64,
    pub base_odds: f64,
}

impl Default for ScorecardConfig {
    fn default() -> Self {
        ScorecardConfig {
            monotonic: Monotonic::Auto,
            min_bin_share: 0.05,
            max_prebins: 20,
            min_iv: 0.02,
            special_values: Vec::new(),
            c: 1.0,
            pdo: 20.0,
            base_score: 600.0,
            base_odds: 50.0,
        }
    }
}

/// Which values of a column fall in a bin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum BinRule {
    Missing,
    /// A declared special value of a numeric column.
    Special {
        value: f64,
    },
    /// `lower <= x < upper`; `None` is unbounded.
    Range {
        lower: Option<f64>,
        upper: Option<f64>,
    },
    /// Any of these levels of a categorical column.
    Levels {
        levels: Vec<String>,
    },
    /// A level of a categorical column not seen in training.
    Unseen,
}

impl BinRule {
    fn matches_number(&self, x: f64) -> bool {
        match self {
            BinRule::Special { value } => x == *value,
            BinRule::Range { lower, upper } => {
                lower.is_none_or(|l| x >= l) && upper.is_none_or(|u| x < u)
            }
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    pub rule: BinRule,
    pub rows: usize,
    pub bads: usize,
    pub woe: f64,
    pub iv: f64,
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variable {
    pub column: String,
    pub iv: f64,
    pub coefficient: f64,
    pub bins: Vec<Bin>,
}

impl Variable {
    /// The bin a value falls in. Special values are checked before ranges, so that -9999 is
    /// never binned as a magnitude; every value has a bin (missing, unseen and unbounded
    /// ranges close the cases).
    fn bin_of(&self, values: &ColumnValues, row: usize) -> Option<&Bin> {
        match values {
            ColumnValues::Numeric(v) => match v[row] {
                None => self.bins.iter().find(|b| b.rule == BinRule::Missing),
                Some(x) => self.bins.iter().find(|b| b.rule.matches_number(x)),
            },
            ColumnValues::Categorical(v) => match &v[row] {
                None => self.bins.iter().find(|b| b.rule == BinRule::Missing),
                Some(level) => self
                    .bins
                    .iter()
                    .find(
                        |b| matches!(&b.rule, BinRule::Levels { levels } if levels.contains(level)),
                    )
                    .or_else(|| self.bins.iter().find(|b| b.rule == BinRule::Unseen)),
            },
        }
    }
}

/// Why a column is not in the scorecard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DropReason {
    /// Information value below `min_iv`.
    LowIv,
    /// Its coefficient rose the odds of default with the WoE (the share of goods), which
    /// happens when correlated columns share its effect: its points would run against its own
    /// bad rates, so it is left out and the regression refitted.
    WrongSign,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dropped {
    pub column: String,
    pub iv: f64,
    pub reason: DropReason,
}

/// A fitted scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    pub config: ScorecardConfig,
    /// The selected columns with their bins and points.
    pub variables: Vec<Variable>,
    /// Columns left out, with their IV and why.
    pub dropped: Vec<Dropped>,
    pub intercept: f64,
    /// score = offset - factor * ln(odds of default).
    pub offset: f64,
    pub factor: f64,
}

impl Scorecard {
    /// Checks that every variable is a column of `features` of the kind its bins read.
    pub(crate) fn check_columns(&self, features: &[Feature]) -> std::result::Result<(), String> {
        for variable in &self.variables {
            let feature = features
                .iter()
                .find(|f| f.name == variable.column)
                .ok_or_else(|| {
                    format!(
                        "the scorecard's column '{}' is not in the schema",
                        variable.column
                    )
                })?;
            let reads_levels = variable
                .bins
                .iter()
                .any(|b| matches!(b.rule, BinRule::Levels { .. }));
            let reads_numbers = variable
                .bins
                .iter()
                .any(|b| matches!(b.rule, BinRule::Range { .. } | BinRule::Special { .. }));
            let fits = match feature.kind {
                ColumnKind::Numeric => !reads_levels,
                ColumnKind::Categorical => !reads_numbers,
            };
            if !fits {
                return Err(format!(
                    "the scorecard bins column '{}' as it would not bin a {} column",
                    variable.column, feature.kind
                ));
            }
        }
        Ok(())
    }
}

/// Points are rounded to this many decimals, so that each one is a short decimal that a SQL
/// engine parses to exactly the same double as finml.
const POINT_DECIMALS: i32 = 4;

impl Scorecard {
    /// Bins every column on the training rows, selects by IV, fits the regression on WoE
    /// and scales to points.
    pub fn fit(features: &Features, labels: &[u8], config: &ScorecardConfig) -> Result<Scorecard> {
        let total = Counts {
            rows: labels.len(),
            bads: labels.iter().filter(|&&y| y == 1).count(),
        };
        let mut binned: Vec<Variable> = features
            .columns
            .iter()
            .map(|c| bin_column(&c.name, &c.values, labels, total, config))
            .collect();
        if binned.is_empty() {
            return Err(CreditError::Unfit(
                "a scorecard needs at least one feature column".into(),
            ));
        }
        binned.sort_by(|a, b| b.iv.total_cmp(&a.iv));
        // The strongest column is kept even below the threshold: a scorecard needs one.
        let keep = binned
            .iter()
            .skip(1)
            .take_while(|v| v.iv >= config.min_iv)
            .count()
            + 1;
        let mut dropped: Vec<Dropped> = binned[keep..]
            .iter()
            .map(|v| drop(v, DropReason::LowIv))
            .collect();
        binned.truncate(keep);
        let mut variables = restore_column_order(binned, features);
        let regression = loop {
            let regression = fit_fixed(&woe_design(&variables, features)?, labels, config.c, None)?;
            // WoE grows with the share of goods, so a sound coefficient is negative.
            let wrong = (0..variables.len())
                .filter(|&j| regression.weights[j] > 0.0)
                .max_by(|&a, &b| regression.weights[a].total_cmp(&regression.weights[b]));
            match wrong {
                Some(j) if variables.len() > 1 => {
                    dropped.push(drop(&variables.remove(j), DropReason::WrongSign));
                }
                _ => break regression,
            }
        };
        let factor = config.pdo / std::f64::consts::LN_2;
        let offset = config.base_score - factor * config.base_odds.ln();
        let mut card = Scorecard {
            config: config.clone(),
            variables,
            dropped,
            intercept: regression.intercept,
            offset,
            factor,
        };
        card.assign_points(&regression.weights);
        Ok(card)
    }

    /// Splits offset - factor * (intercept + sum of coefficient * WoE) over the variables:
    /// each bin carries its variable's term plus an equal share of the constant.
    fn assign_points(&mut self, coefficients: &[f64]) {
        let k = self.variables.len() as f64;
        let constant = (self.offset - self.factor * self.intercept) / k;
        let scale = 10f64.powi(POINT_DECIMALS);
        for (variable, &beta) in self.variables.iter_mut().zip(coefficients) {
            variable.coefficient = beta;
            for bin in &mut variable.bins {
                let points = constant - self.factor * beta * bin.woe;
                bin.points = (points * scale).round() / scale;
            }
        }
    }

    /// Each row's points per variable, in variable order.
    pub fn points(&self, features: &Features) -> Result<Vec<Vec<f64>>> {
        let columns = self
            .variables
            .iter()
            .map(|v| {
                features
                    .columns
                    .iter()
                    .find(|c| c.name == v.column)
                    .map(|c| &c.values)
                    .ok_or_else(|| {
                        CreditError::Internal(format!(
                            "the scorecard's column '{}' is missing",
                            v.column
                        ))
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        (0..features.len())
            .map(|row| {
                self.variables
                    .iter()
                    .zip(&columns)
                    .map(|(v, values)| {
                        v.bin_of(values, row).map(|b| b.points).ok_or_else(|| {
                            CreditError::Internal(format!(
                                "column '{}': no bin holds row {row}",
                                v.column
                            ))
                        })
                    })
                    .collect()
            })
            .collect()
    }

    /// Total points per row, summed in variable order (as the exported SQL sums them).
    pub fn scores(&self, features: &Features) -> Result<Vec<f64>> {
        Ok(self
            .points(features)?
            .iter()
            .map(|row| row.iter().fold(0.0, |sum, p| sum + p))
            .collect())
    }

    /// The probability of default that a total score stands for.
    pub fn probability(&self, score: f64) -> f64 {
        sigmoid((self.offset - score) / self.factor)
    }
}

fn drop(variable: &Variable, reason: DropReason) -> Dropped {
    Dropped {
        column: variable.column.clone(),
        iv: variable.iv,
        reason,
    }
}

fn restore_column_order(mut selected: Vec<Variable>, features: &Features) -> Vec<Variable> {
    let position = |name: &str| features.columns.iter().position(|c| c.name == name);
    selected.sort_by_key(|v| position(&v.column));
    selected
}

fn woe_design(variables: &[Variable], features: &Features) -> Result<Design> {
    let k = variables.len();
    let mut data = vec![0.0; features.len() * k];
    for (j, v) in variables.iter().enumerate() {
        let column = features
            .columns
            .iter()
            .find(|c| c.name == v.column)
            .ok_or_else(|| CreditError::Internal(format!("column '{}' is missing", v.column)))?;
        for row in 0..features.len() {
            data[row * k + j] = v.bin_of(&column.values, row).map_or(0.0, |b| b.woe);
        }
    }
    Ok(Design::new(features.len(), k, data))
}

fn bin_column(
    name: &str,
    values: &ColumnValues,
    labels: &[u8],
    total: Counts,
    config: &ScorecardConfig,
) -> Variable {
    let min_rows = (config.min_bin_share * total.rows as f64).ceil() as usize;
    let mut bins = match values {
        ColumnValues::Numeric(v) => numeric_bins(v, labels, total, min_rows, config),
        ColumnValues::Categorical(v) => categorical_bins(v, labels, total, min_rows),
    };
    for bin in &mut bins {
        (bin.woe, bin.iv) = woe_iv(
            Counts {
                rows: bin.rows,
                bads: bin.bads,
            },
            total,
        );
    }
    Variable {
        column: name.to_string(),
        iv: bins.iter().map(|b| b.iv).sum(),
        coefficient: 0.0,
        bins,
    }
}

fn bin(rule: BinRule, counts: Counts) -> Bin {
    Bin {
        rule,
        rows: counts.rows,
        bads: counts.bads,
        woe: 0.0,
        iv: 0.0,
        points: 0.0,
    }
}

fn tally(labels: &[u8], rows: impl Iterator<Item = usize>) -> Counts {
    rows.fold(Counts::default(), |c, i| {
        c.add(Counts {
            rows: 1,
            bads: usize::from(labels[i]),
        })
    })
}

fn numeric_bins(
    values: &[Option<f64>],
    labels: &[u8],
    total: Counts,
    min_rows: usize,
    config: &ScorecardConfig,
) -> Vec<Bin> {
    let special = |x: f64| config.special_values.contains(&x);
    let mut regular: Vec<(f64, u8)> = values
        .iter()
        .zip(labels)
        .filter_map(|(v, &y)| v.filter(|&x| !special(x)).map(|x| (x, y)))
        .collect();
    regular.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Runs of equal values: a value is never split across bins.
    let mut distinct: Vec<f64> = Vec::new();
    let mut runs: Vec<Counts> = Vec::new();
    for &(x, y) in &regular {
        if distinct.last() != Some(&x) {
            distinct.push(x);
            runs.push(Counts::default());
        }
        let run = runs.last_mut().expect("a run was just pushed");
        *run = run.add(Counts {
            rows: 1,
            bads: usize::from(y),
        });
    }
    let prebin_bounds: Vec<usize> = std::iter::once(0)
        .chain(prebin_starts(&runs, config.max_prebins))
        .collect();
    let prebins = group_runs(&runs, &prebin_bounds);
    let groups = optimal_groups(&prebins, total, min_rows, config.monotonic);
    let starts: Vec<usize> = groups.iter().map(|&g| prebin_bounds[g]).collect();
    let mut bins = vec![bin(
        BinRule::Missing,
        tally(labels, (0..values.len()).filter(|&i| values[i].is_none())),
    )];
    for &s in &config.special_values {
        let rows = (0..values.len()).filter(|&i| values[i] == Some(s));
        bins.push(bin(BinRule::Special { value: s }, tally(labels, rows)));
    }
    let bounds: Vec<usize> = starts.iter().copied().chain([runs.len()]).collect();
    // A cut sits halfway between the last value of one bin and the first of the next.
    let cut = |start: usize| {
        (start > 0 && start < distinct.len()).then(|| (distinct[start - 1] + distinct[start]) / 2.0)
    };
    for w in bounds.windows(2) {
        let counts = runs[w[0]..w[1]]
            .iter()
            .fold(Counts::default(), |a, &b| a.add(b));
        let rule = BinRule::Range {
            lower: cut(w[0]),
            upper: if w[1] < runs.len() { cut(w[1]) } else { None },
        };
        bins.push(bin(rule, counts));
    }
    bins
}

fn group_runs(runs: &[Counts], bounds: &[usize]) -> Vec<Counts> {
    let ends = bounds.iter().skip(1).copied().chain([runs.len()]);
    bounds
        .iter()
        .zip(ends)
        .map(|(&a, b)| runs[a..b].iter().fold(Counts::default(), |x, &y| x.add(y)))
        .collect()
}

/// Levels ordered by event rate are grouped like numeric pre-bins with a rising trend, so a
/// bin gathers levels of similar risk.
fn categorical_bins(
    values: &[Option<String>],
    labels: &[u8],
    total: Counts,
    min_rows: usize,
) -> Vec<Bin> {
    let mut levels: Vec<(String, Counts)> = Vec::new();
    for (v, &y) in values.iter().zip(labels) {
        let Some(level) = v else { continue };
        let one = Counts {
            rows: 1,
            bads: usize::from(y),
        };
        match levels.iter_mut().find(|(l, _)| l == level) {
            Some((_, c)) => *c = c.add(one),
            None => levels.push((level.clone(), one)),
        }
    }
    let rate = |c: &Counts| c.bads as f64 / c.rows as f64;
    levels.sort_by(|a, b| {
        rate(&a.1)
            .total_cmp(&rate(&b.1))
            .then_with(|| a.0.cmp(&b.0))
    });
    let prebins: Vec<Counts> = levels.iter().map(|(_, c)| *c).collect();
    let starts = optimal_groups(&prebins, total, min_rows, Monotonic::Ascending);
    let mut bins = vec![bin(
        BinRule::Missing,
        tally(labels, (0..values.len()).filter(|&i| values[i].is_none())),
    )];
    let ends = starts.iter().skip(1).copied().chain([levels.len()]);
    for (a, b) in starts.iter().copied().zip(ends).filter(|(a, b)| a < b) {
        let mut names: Vec<String> = levels[a..b].iter().map(|(l, _)| l.clone()).collect();
        names.sort();
        let counts = prebins[a..b]
            .iter()
            .fold(Counts::default(), |x, &y| x.add(y));
        bins.push(bin(BinRule::Levels { levels: names }, counts));
    }
    bins.push(bin(BinRule::Unseen, Counts::default()));
    bins
}
