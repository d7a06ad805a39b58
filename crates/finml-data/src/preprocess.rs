//! Turning typed columns into the numeric inputs of a model. Fitted on training rows only and
//! saved with the model; at scoring time the same fitted steps are replayed, so a row is
//! encoded identically whichever file or command it arrives through.

use serde::{Deserialize, Serialize};

use crate::dataset::{ColumnValues, Features};
use crate::error::{DataError, Result};
use crate::schema::{ColumnKind, Feature};

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

/// Where the inputs that flag a categorical level unseen in training sit.
///
/// Constraint: the spec's CNN is sensitive to which inputs are neighbours in its 28x28 image,
/// and the Keras reference builds that image with scikit-learn, which encodes an unseen level
/// as all zeros. Solution: the unseen slots come after every seen level, so for each row whose
/// levels were all seen in training the inputs, and so the image, are exactly those of the
/// reference's min-max pipeline (see [`Preprocessor::input_sources`]; the slots are zero in
/// every training row, like the image's padding).
/// Trade-off: a column's unseen slot is not beside its levels; `input_sources` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnseenSlots {
    /// One block after all categorical levels: every model fitted since package format 2.
    AfterAllLevels,
    /// After each column's own levels: preprocessing saved by package format 1, which had no
    /// such field (a missing field means this layout).
    AfterEachColumn,
}

impl UnseenSlots {
    fn of_format_1() -> UnseenSlots {
        UnseenSlots::AfterEachColumn
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preprocessor {
    scaling: Scaling,
    #[serde(default = "UnseenSlots::of_format_1")]
    unseen_slots: UnseenSlots,
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
        Preprocessor {
            scaling,
            unseen_slots: UnseenSlots::AfterAllLevels,
            steps,
        }
    }

    pub fn scaling(&self) -> Scaling {
        self.scaling
    }

    /// The meaning of each model input, in input order: the numeric values, then the missing
    /// indicators, then each categorical column's levels, then the unseen slots (see
    /// [`UnseenSlots`]). Up to the unseen slots this is the column order of a scikit-learn
    /// `ColumnTransformer` of imputer-with-indicator and scaler for the numeric columns and
    /// one-hot encoder for the others, which the Keras reference used for the spec's image.
    /// Two details differ from scikit-learn's defaults: a missing category is a level that
    /// sorts first (fill it with "" there to match), and standard scaling leaves the missing
    /// indicators at 0 or 1.
    pub fn input_sources(&self) -> Vec<InputSource> {
        let mut values = Vec::new();
        let mut indicators = Vec::new();
        let mut levels = Vec::new();
        let mut unseen = Vec::new();
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
                    let slot = source(column, InputRole::Unseen);
                    match self.unseen_slots {
                        UnseenSlots::AfterAllLevels => unseen.push(slot),
                        UnseenSlots::AfterEachColumn => levels.push(slot),
                    }
                }
            }
        }
        values
            .into_iter()
            .chain(indicators)
            .chain(levels)
            .chain(unseen)
            .collect()
    }

    pub fn n_inputs(&self) -> usize {
        self.input_blocks().total()
    }

    /// The columns this preprocessor was fitted on, in order, with their kinds: a model
    /// package checks them against its schema when it is loaded.
    pub fn columns(&self) -> Vec<Feature> {
        self.steps
            .iter()
            .map(|step| match step {
                ColumnStep::Numeric { column, .. } => Feature {
                    name: column.clone(),
                    kind: ColumnKind::Numeric,
                },
                ColumnStep::Categorical { column, .. } => Feature {
                    name: column.clone(),
                    kind: ColumnKind::Categorical,
                },
            })
            .collect()
    }

    /// Encodes rows. `features` must hold the fitted columns, in order and of their kinds,
    /// which reading through the model's saved schema guarantees; anything else is a
    /// [`DataError::Mismatch`].
    pub fn transform(&self, features: &Features) -> Result<Matrix> {
        self.check(features)?;
        let blocks = self.input_blocks();
        let cols = blocks.total();
        let rows = features.len();
        let mut data = vec![0f32; rows * cols];
        let mut next = blocks.starts();
        for (step, column) in self.steps.iter().zip(&features.columns) {
            self.encode_column(step, &column.values, &mut data, cols, &mut next);
        }
        Ok(Matrix { rows, cols, data })
    }

    fn check(&self, features: &Features) -> Result<()> {
        let expected = self.columns();
        if features.columns.len() != expected.len() {
            return Err(DataError::Mismatch(format!(
                "{} columns given, {} fitted",
                features.columns.len(),
                expected.len()
            )));
        }
        for (i, (column, fitted)) in features.columns.iter().zip(&expected).enumerate() {
            let (kind, rows) = match &column.values {
                ColumnValues::Numeric(v) => (ColumnKind::Numeric, v.len()),
                ColumnValues::Categorical(v) => (ColumnKind::Categorical, v.len()),
            };
            if column.name != fitted.name || kind != fitted.kind {
                return Err(DataError::Mismatch(format!(
                    "column {} is '{}' ({kind}), the preprocessing was fitted on '{}' ({})",
                    i + 1,
                    column.name,
                    fitted.name,
                    fitted.kind
                )));
            }
            if rows != features.len() {
                return Err(DataError::Mismatch(format!(
                    "column '{}' has {rows} values for {} rows",
                    column.name,
                    features.len()
                )));
            }
        }
        Ok(())
    }

    fn input_blocks(&self) -> Blocks {
        let mut blocks = Blocks::default();
        for step in &self.steps {
            match step {
                ColumnStep::Numeric {
                    indicate_missing, ..
                } => {
                    blocks.values += 1;
                    blocks.indicators += usize::from(*indicate_missing);
                }
                ColumnStep::Categorical { levels, .. } => {
                    blocks.levels += levels.len();
                    blocks.unseen += 1;
                }
            }
        }
        blocks
    }

    /// Writes one column's inputs into every row at the next free inputs of their blocks;
    /// [`Preprocessor::check`] has matched the column to its step.
    fn encode_column(
        &self,
        step: &ColumnStep,
        values: &ColumnValues,
        data: &mut [f32],
        cols: usize,
        next: &mut Offsets,
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
                    data[row * cols + next.value] = ((x - shift) / scale) as f32;
                    if *indicate_missing {
                        data[row * cols + next.indicator] = f32::from(u8::from(value.is_none()));
                    }
                }
                next.value += 1;
                next.indicator += usize::from(*indicate_missing);
            }
            (ColumnStep::Categorical { levels, .. }, ColumnValues::Categorical(values)) => {
                let after_levels = next.level + levels.len();
                // This column's unseen input, and where the next column's levels start.
                let (unseen, next_level) = match self.unseen_slots {
                    UnseenSlots::AfterAllLevels => (next.unseen, after_levels),
                    UnseenSlots::AfterEachColumn => (after_levels, after_levels + 1),
                };
                for (row, value) in values.iter().enumerate() {
                    let input = levels
                        .iter()
                        .position(|l| l == value)
                        .map_or(unseen, |slot| next.level + slot);
                    data[row * cols + input] = 1.0;
                }
                next.level = next_level;
                next.unseen += 1;
            }
            // Checked before encoding: a column always meets the step of its own kind.
            _ => {}
        }
    }
}

/// How many inputs each block holds (see [`Preprocessor::input_sources`]). With
/// [`UnseenSlots::AfterEachColumn`] the unseen slots are counted here but interleaved with
/// the levels.
#[derive(Default)]
struct Blocks {
    values: usize,
    indicators: usize,
    levels: usize,
    unseen: usize,
}

impl Blocks {
    fn total(&self) -> usize {
        self.values + self.indicators + self.levels + self.unseen
    }

    fn starts(&self) -> Offsets {
        Offsets {
            value: 0,
            indicator: self.values,
            level: self.values + self.indicators,
            unseen: self.values + self.indicators + self.levels,
        }
    }
}

/// The next free input of each block.
struct Offsets {
    value: usize,
    indicator: usize,
    level: usize,
    unseen: usize,
}

fn source(column: &str, role: InputRole) -> InputSource {
    InputSource {
        column: column.to_string(),
        role,
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
