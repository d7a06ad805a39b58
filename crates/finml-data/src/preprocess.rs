//! Turning typed columns into the numeric inputs of a model. Fitted on training rows only and
//! saved with the model; at scoring time the same fitted steps are replayed, so a row is
//! encoded identically whichever file or command it arrives through.

use serde::{Deserialize, Serialize};

use crate::dataset::{ColumnValues, Features};

/// How numeric columns are put on a common scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scaling {
    /// To [0, 1] over the training range, as the spec's worked example does.
    MinMax,
    /// To zero mean and unit variance over the training rows.
    Standard,
}

/// What one model input means, in the applicant's own fields: explanations speak in these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputSource {
    pub column: String,
    pub role: InputRole,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "level")]
pub enum InputRole {
    /// The scaled value of a numeric column.
    Value,
    /// 1 when the numeric column was missing (and imputed), else 0.
    MissingIndicator,
    /// 1 when the categorical column has this level (`None`: the value was missing).
    Level(Option<String>),
    /// 1 when the categorical column has a level never seen in training.
    Unseen,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum ColumnStep {
    Numeric {
        column: String,
        median: f64,
        indicate_missing: bool,
        offset: f64,
        scale: f64,
    },
    Categorical {
        column: String,
        levels: Vec<Option<String>>,
    },
}

/// A dense row-major matrix of model inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f32>,
}

impl Matrix {
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preprocessor {
    scaling: Scaling,
    steps: Vec<ColumnStep>,
}

impl Preprocessor {
    /// Learns imputation values, scales and category levels from the training rows.
    pub fn fit(features: &Features, scaling: Scaling) -> Preprocessor {
        let steps = features
            .columns
            .iter()
            .map(|column| match &column.values {
                ColumnValues::Numeric(values) => fit_numeric(&column.name, values, scaling),
                ColumnValues::Categorical(values) => ColumnStep::Categorical {
                    column: column.name.clone(),
                    levels: sorted_levels(values),
                },
            })
            .collect();
        Preprocessor { scaling, steps }
    }

    pub fn scaling(&self) -> Scaling {
        self.scaling
    }

    /// The meaning of each model input, in input order: the numeric values, then the missing
    /// indicators, then each categorical column's levels and its unseen slot. This is the
    /// column order of a scikit-learn `ColumnTransformer` of imputer-with-indicator, scaler and
    /// one-hot encoder, which the Keras reference used for the spec's image, except for the
    /// unseen slots (scikit-learn encodes an unseen level as all zeros) and a missing category,
    /// which sorts first here. The spec's CNN is sensitive to that layout (BENCHMARKS.md).
    pub fn input_sources(&self) -> Vec<InputSource> {
        let mut values = Vec::new();
        let mut indicators = Vec::new();
        let mut levels = Vec::new();
        for step in &self.steps {
            match step {
                ColumnStep::Numeric {
                    column,
                    indicate_missing,
                    ..
                } => {
                    values.push(source(column, InputRole::Value));
                    if *indicate_missing {
                        indicators.push(source(column, InputRole::MissingIndicator));
                    }
                }
                ColumnStep::Categorical {
                    column,
                    levels: known,
                } => {
                    levels.extend(
                        known
                            .iter()
                            .map(|l| source(column, InputRole::Level(l.clone()))),
                    );
                    levels.push(source(column, InputRole::Unseen));
                }
            }
        }
        values.into_iter().chain(indicators).chain(levels).collect()
    }

    pub fn n_inputs(&self) -> usize {
        self.steps
            .iter()
            .map(|step| match step {
                ColumnStep::Numeric {
                    indicate_missing, ..
                } => 1 + usize::from(*indicate_missing),
                ColumnStep::Categorical { levels, .. } => levels.len() + 1,
            })
            .sum()
    }

    /// Encodes rows. `features` must hold the fitted columns in the same order, which reading
    /// through the model's saved schema guarantees.
    pub fn transform(&self, features: &Features) -> Matrix {
        let cols = self.n_inputs();
        let rows = features.len();
        let mut data = vec![0f32; rows * cols];
        let numeric = self
            .steps
            .iter()
            .filter(|s| matches!(s, ColumnStep::Numeric { .. }))
            .count();
        let indicators = self
            .steps
            .iter()
            .filter(|s| {
                matches!(
                    s,
                    ColumnStep::Numeric {
                        indicate_missing: true,
                        ..
                    }
                )
            })
            .count();
        let mut offsets = Offsets {
            value: 0,
            indicator: numeric,
            level: numeric + indicators,
        };
        for (step, column) in self.steps.iter().zip(&features.columns) {
            encode_column(step, &column.values, &mut data, cols, &mut offsets);
        }
        Matrix { rows, cols, data }
    }
}

/// The next free input of each block (see [`Preprocessor::input_sources`]).
struct Offsets {
    value: usize,
    indicator: usize,
    level: usize,
}

fn source(column: &str, role: InputRole) -> InputSource {
    InputSource {
        column: column.to_string(),
        role,
    }
}

/// Writes one column's inputs into every row at the next free inputs of their blocks.
fn encode_column(
    step: &ColumnStep,
    values: &ColumnValues,
    data: &mut [f32],
    cols: usize,
    at: &mut Offsets,
) {
    match (step, values) {
        (
            ColumnStep::Numeric {
                median,
                indicate_missing,
                offset: shift,
                scale,
                ..
            },
            ColumnValues::Numeric(values),
        ) => {
            for (row, value) in values.iter().enumerate() {
                let x = value.unwrap_or(*median);
                data[row * cols + at.value] = ((x - shift) / scale) as f32;
                if *indicate_missing {
                    data[row * cols + at.indicator] = f32::from(u8::from(value.is_none()));
                }
            }
            at.value += 1;
            at.indicator += usize::from(*indicate_missing);
        }
        (ColumnStep::Categorical { levels, .. }, ColumnValues::Categorical(values)) => {
            for (row, value) in values.iter().enumerate() {
                let slot = levels
                    .iter()
                    .position(|l| l == value)
                    .unwrap_or(levels.len());
                data[row * cols + at.level + slot] = 1.0;
            }
            at.level += levels.len() + 1;
        }
        _ => unreachable!("features are read through the schema the preprocessor was fitted on"),
    }
}

fn fit_numeric(column: &str, values: &[Option<f64>], scaling: Scaling) -> ColumnStep {
    let mut present: Vec<f64> = values.iter().flatten().copied().collect();
    present.sort_by(f64::total_cmp);
    let median = median_of_sorted(&present);
    let indicate_missing = present.len() < values.len();
    // Statistics are taken after imputation, as a scikit-learn pipeline of imputer then scaler does.
    let imputed: Vec<f64> = values.iter().map(|v| v.unwrap_or(median)).collect();
    let (offset, scale) = match scaling {
        Scaling::MinMax => {
            let min = imputed.iter().copied().fold(f64::INFINITY, f64::min);
            let max = imputed.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (min, nonzero(max - min))
        }
        Scaling::Standard => {
            let n = imputed.len() as f64;
            let mean = imputed.iter().sum::<f64>() / n;
            let variance = imputed.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
            (mean, nonzero(variance.sqrt()))
        }
    };
    ColumnStep::Numeric {
        column: column.to_string(),
        median,
        indicate_missing,
        offset,
        scale,
    }
}

/// A constant column keeps its values at zero instead of dividing by zero.
fn nonzero(spread: f64) -> f64 {
    if spread > 0.0 && spread.is_finite() {
        spread
    } else {
        1.0
    }
}

fn median_of_sorted(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Levels in a fixed order (missing first, then by text) so that the same training rows
/// always give the same inputs.
fn sorted_levels(values: &[Option<String>]) -> Vec<Option<String>> {
    let mut levels: Vec<Option<String>> = values.to_vec();
    levels.sort();
    levels.dedup();
    levels
}
