//! Model monitoring: the Population Stability Index (PSI) of a score and the Characteristic
//! Stability Index (CSI) of each input column between a reference sample (the data the model
//! was built on) and a current sample.
//!
//! Both are Σ (cᵢ − rᵢ)·ln(cᵢ / rᵢ) over bins i, with rᵢ and cᵢ the shares of the reference and
//! current samples in bin i (Siddiqi, N., "Credit Risk Scorecards", Wiley 2006, ch. 8; Yurdakul,
//! B., "Statistical properties of population stability index", 2018). Numeric columns are cut
//! at the deciles of the reference (or, for a score, at the grade boundaries of a master scale);
//! categorical columns have one bin per reference category, one for missing values and one for
//! categories the reference never saw. A bin empty on one side would make the index infinite,
//! so shares are floored at [`MIN_SHARE`]: the report never holds a division by zero or a NaN.
//! By convention an index below 0.1 is stable, 0.1–0.25 a shift to watch and above 0.25 a
//! shift that calls for review; the thresholds are configurable.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use finml_data::{ReadOptions, Table, is_missing};
use serde::Serialize;

use crate::error::{Result, RiskError};

/// The share given to a bin that holds no observation on one side, so that its term stays
/// finite: a bin with 5% of one sample and none of the other adds about 0.05·ln(500) ≈ 0.31.
pub const MIN_SHARE: f64 = 1e-4;

/// Label of the bin of missing values.
pub const MISSING_BIN: &str = "missing";

/// Label of the bin of categories absent from the reference.
pub const UNSEEN_BIN: &str = "unseen in reference";

/// Where an index turns amber and red.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thresholds {
    pub amber: f64,
    pub red: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            amber: 0.1,
            red: 0.25,
        }
    }
}

impl Thresholds {
    /// Checks 0 ≤ amber ≤ red, both finite.
    pub fn validate(&self) -> Result<()> {
        if !(self.amber.is_finite() && self.amber >= 0.0) {
            return Err(RiskError::invalid(
                "amber threshold",
                self.amber,
                "a finite index ≥ 0",
            ));
        }
        if !(self.red.is_finite() && self.red >= self.amber) {
            return Err(RiskError::invalid(
                "red threshold",
                self.red,
                &format!("a finite index ≥ the amber threshold {}", self.amber),
            ));
        }
        Ok(())
    }

    /// The traffic light of an index.
    pub fn status(&self, index: f64) -> Status {
        if index >= self.red {
            Status::Red
        } else if index >= self.amber {
            Status::Amber
        } else {
            Status::Green
        }
    }
}

/// Traffic-light status of a stability index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Below the amber threshold: stable.
    Green,
    /// Between the thresholds: a shift to watch.
    Amber,
    /// At or above the red threshold: a shift that calls for review.
    Red,
}

impl std::fmt::Display for Status {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(match self {
            Status::Green => "green",
            Status::Amber => "amber",
            Status::Red => "red",
        })
    }
}

/// How a numeric column is cut into bins.
#[derive(Debug, Clone, PartialEq)]
pub enum Binning {
    /// At the quantiles of the reference: 10 for deciles. Tied quantiles merge bins.
    ReferenceQuantiles(usize),
    /// At given increasing boundaries, such as the PD boundaries of a master scale's grades;
    /// bin i holds the values in (boundary i−1, boundary i].
    Boundaries(Vec<f64>),
}

/// One bin's counts, shares and term of the index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinShare {
    pub label: String,
    pub reference_count: usize,
    pub current_count: usize,
    pub reference_share: f64,
    pub current_share: f64,
    /// (c − r)·ln(c / r) with the shares floored at [`MIN_SHARE`].
    pub contribution: f64,
}

/// A stability index and the bins it sums.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StabilityIndex {
    pub value: f64,
    pub bins: Vec<BinShare>,
    /// Current categories the reference never saw (categorical columns only).
    pub unseen_categories: Vec<String>,
}

/// The stability index of a numeric variable; `None` values are missing.
///
/// ```
/// use finml_risk::drift::{numeric_stability, Binning};
///
/// let reference: Vec<Option<f64>> = (0..1000).map(|i| Some(i as f64)).collect();
/// let shifted: Vec<Option<f64>> = (0..1000).map(|i| Some(i as f64 + 300.0)).collect();
/// let same = numeric_stability(&reference, &reference, &Binning::ReferenceQuantiles(10))?;
/// let moved = numeric_stability(&reference, &shifted, &Binning::ReferenceQuantiles(10))?;
/// assert_eq!(same.value, 0.0);
/// assert!(moved.value > 0.25);
/// # Ok::<(), finml_risk::RiskError>(())
/// ```
pub fn numeric_stability(
    reference: &[Option<f64>],
    current: &[Option<f64>],
    binning: &Binning,
) -> Result<StabilityIndex> {
    check_not_empty(reference.len(), current.len())?;
    let boundaries = match binning {
        Binning::ReferenceQuantiles(count) => reference_quantiles(reference, *count)?,
        Binning::Boundaries(boundaries) => checked_boundaries(boundaries)?,
    };
    let mut labels = interval_labels(&boundaries);
    let bin_of = |value: &Option<f64>| match value {
        Some(value) => boundaries.partition_point(|boundary| boundary < value),
        None => boundaries.len() + 1,
    };
    let has_missing = reference.iter().chain(current).any(Option::is_none);
    if has_missing {
        labels.push(MISSING_BIN.to_owned());
    }
    let reference_counts = count_bins(reference.iter().map(bin_of), labels.len());
    let current_counts = count_bins(current.iter().map(bin_of), labels.len());
    Ok(index_from_counts(
        labels,
        &reference_counts,
        &current_counts,
        Vec::new(),
    ))
}

/// The stability index of a categorical variable; `None` values are missing. Categories the
/// reference never saw share one bin, and are listed.
pub fn categorical_stability(
    reference: &[Option<&str>],
    current: &[Option<&str>],
) -> Result<StabilityIndex> {
    check_not_empty(reference.len(), current.len())?;
    let categories: BTreeSet<&str> = reference.iter().flatten().copied().collect();
    let unseen: BTreeSet<&str> = current
        .iter()
        .flatten()
        .copied()
        .filter(|category| !categories.contains(category))
        .collect();
    let positions: BTreeMap<&str, usize> = categories
        .iter()
        .enumerate()
        .map(|(i, &c)| (c, i))
        .collect();
    let mut labels: Vec<String> = categories
        .iter()
        .map(|&category| category.to_owned())
        .collect();
    let missing_bin = labels.len();
    let unseen_bin = missing_bin + 1;
    labels.push(MISSING_BIN.to_owned());
    labels.push(UNSEEN_BIN.to_owned());
    let bin_of = |value: &Option<&str>| match value {
        None => missing_bin,
        Some(category) => positions.get(category).copied().unwrap_or(unseen_bin),
    };
    let reference_counts = count_bins(reference.iter().map(bin_of), labels.len());
    let current_counts = count_bins(current.iter().map(bin_of), labels.len());
    let unseen_categories = unseen.into_iter().map(str::to_owned).collect();
    let mut index = index_from_counts(
        labels,
        &reference_counts,
        &current_counts,
        unseen_categories,
    );
    index
        .bins
        .retain(|bin| bin.reference_count + bin.current_count > 0 || !is_special_bin(&bin.label));
    Ok(index)
}

fn is_special_bin(label: &str) -> bool {
    label == MISSING_BIN || label == UNSEEN_BIN
}

fn check_not_empty(reference: usize, current: usize) -> Result<()> {
    if reference == 0 {
        return Err(RiskError::invalid(
            "reference sample",
            "empty",
            "at least one observation",
        ));
    }
    if current == 0 {
        return Err(RiskError::invalid(
            "current sample",
            "empty",
            "at least one observation",
        ));
    }
    Ok(())
}

/// The distinct empirical quantiles k/count, k = 1..count−1, of the reference's values.
fn reference_quantiles(reference: &[Option<f64>], count: usize) -> Result<Vec<f64>> {
    if count < 2 {
        return Err(RiskError::invalid("number of bins", count, "at least 2"));
    }
    let mut values: Vec<f64> = reference.iter().flatten().copied().collect();
    values.sort_unstable_by(f64::total_cmp);
    let mut boundaries: Vec<f64> = (1..count)
        .filter_map(|k| {
            let rank = (k * values.len()).div_ceil(count);
            values.get(rank.checked_sub(1)?).copied()
        })
        .collect();
    boundaries.dedup();
    Ok(boundaries)
}

fn checked_boundaries(boundaries: &[f64]) -> Result<Vec<f64>> {
    let increasing = boundaries.windows(2).all(|pair| pair[0] < pair[1]);
    if boundaries.is_empty() || !increasing || boundaries.iter().any(|b| !b.is_finite()) {
        let listed: Vec<String> = boundaries.iter().map(f64::to_string).collect();
        return Err(RiskError::invalid(
            "bin boundaries",
            listed.join(","),
            "one or more finite, strictly increasing numbers",
        ));
    }
    Ok(boundaries.to_vec())
}

/// "(-inf, b1]", "(b1, b2]", ..., "(bn, +inf)".
fn interval_labels(boundaries: &[f64]) -> Vec<String> {
    let lower = std::iter::once("-inf".to_owned()).chain(boundaries.iter().map(f64::to_string));
    let upper = boundaries
        .iter()
        .map(|boundary| format!("{boundary}]"))
        .chain(std::iter::once("+inf)".to_owned()));
    lower
        .zip(upper)
        .map(|(low, high)| format!("({low}, {high}"))
        .collect()
}

fn count_bins(bins: impl Iterator<Item = usize>, bin_count: usize) -> Vec<usize> {
    let mut counts = vec![0; bin_count];
    for bin in bins {
        counts[bin] += 1;
    }
    counts
}

fn index_from_counts(
    labels: Vec<String>,
    reference_counts: &[usize],
    current_counts: &[usize],
    unseen_categories: Vec<String>,
) -> StabilityIndex {
    let reference_total: usize = reference_counts.iter().sum();
    let current_total: usize = current_counts.iter().sum();
    let bins: Vec<BinShare> = labels
        .into_iter()
        .zip(reference_counts.iter().zip(current_counts))
        .map(|(label, (&reference_count, &current_count))| {
            let reference_share = reference_count as f64 / reference_total as f64;
            let current_share = current_count as f64 / current_total as f64;
            let (floored_reference, floored_current) =
                (reference_share.max(MIN_SHARE), current_share.max(MIN_SHARE));
            BinShare {
                label,
                reference_count,
                current_count,
                reference_share,
                current_share,
                contribution: (floored_current - floored_reference)
                    * (floored_current / floored_reference).ln(),
            }
        })
        .collect();
    StabilityIndex {
        value: bins.iter().map(|bin| bin.contribution).sum(),
        bins,
        unseen_categories,
    }
}

/// What a column holds, as inferred from its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    Numeric,
    Categorical,
}

/// The stability of one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnStability {
    pub column: String,
    pub kind: ColumnKind,
    /// PSI for the score, CSI for the other columns.
    pub index: f64,
    pub status: Status,
    pub bins: Vec<BinShare>,
    pub unseen_categories: Vec<String>,
}

/// How to compare two samples.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftOptions {
    /// The column holding the model's score, if any: its index is the PSI.
    pub score_column: Option<String>,
    /// How the score is binned.
    pub score_binning: Binning,
    /// Number of reference quantile bins of the other numeric columns.
    pub characteristic_bins: usize,
    /// Columns left out (identifiers, dates, the target).
    pub excluded_columns: Vec<String>,
    pub thresholds: Thresholds,
}

impl Default for DriftOptions {
    fn default() -> Self {
        DriftOptions {
            score_column: None,
            score_binning: Binning::ReferenceQuantiles(10),
            characteristic_bins: 10,
            excluded_columns: Vec::new(),
            thresholds: Thresholds::default(),
        }
    }
}

/// The stability of a score and of every column common to two samples.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftReport {
    pub reference_rows: usize,
    pub current_rows: usize,
    pub thresholds: Thresholds,
    /// PSI of the score column, when one was named.
    pub score: Option<ColumnStability>,
    /// CSI of each other common column, in the reference's column order.
    pub characteristics: Vec<ColumnStability>,
    pub only_in_reference: Vec<String>,
    pub only_in_current: Vec<String>,
}

impl DriftReport {
    /// The worst status of the report.
    pub fn overall_status(&self) -> Status {
        self.score
            .iter()
            .chain(&self.characteristics)
            .map(|column| column.status)
            .max()
            .unwrap_or(Status::Green)
    }
}

/// Compares a current sample with a reference sample, both read as finml-data reads a file
/// (CSV with a header line, or Parquet by its extension), so that columns are matched by their
/// exact names and the same cells are missing values.
pub fn compare_files(
    reference: &Path,
    current: &Path,
    options: &DriftOptions,
) -> Result<DriftReport> {
    options.thresholds.validate()?;
    let reference = read_sample(reference)?;
    let current = read_sample(current)?;
    let score = match &options.score_column {
        Some(name) => Some(score_stability(&reference, &current, name, options)?),
        None => None,
    };
    let is_compared = |name: &str| {
        let is_score = options.score_column.as_deref() == Some(name);
        !is_score && !options.excludes(name)
    };
    compare_tables(&reference, &current, score, is_compared, options)
}

/// What a scoring model saw of two samples: its score of every row, in file order, and the
/// columns it reads.
#[derive(Debug, Clone, Copy)]
pub struct ModelView<'a> {
    pub reference_scores: &'a [f64],
    pub current_scores: &'a [f64],
    pub input_columns: &'a [String],
}

/// The name under which a model's own score appears in a report.
pub const MODEL_SCORE: &str = "model score";

/// Compares two samples as a model sees them: the PSI of the model's scores and the CSI of the
/// model's input columns only (identifiers, the target and unused columns are left out).
///
/// `options.score_column` is ignored: the score is the model's.
pub fn compare_files_for_model(
    reference: &Path,
    current: &Path,
    model: ModelView<'_>,
    options: &DriftOptions,
) -> Result<DriftReport> {
    options.thresholds.validate()?;
    let reference_table = read_sample(reference)?;
    let current_table = read_sample(current)?;
    check_score_count(reference, &reference_table, model.reference_scores)?;
    check_score_count(current, &current_table, model.current_scores)?;
    let index = numeric_stability(
        &to_values(model.reference_scores),
        &to_values(model.current_scores),
        &options.score_binning,
    )?;
    let score = ColumnStability {
        column: MODEL_SCORE.to_owned(),
        kind: ColumnKind::Numeric,
        index: index.value,
        status: options.thresholds.status(index.value),
        bins: index.bins,
        unseen_categories: index.unseen_categories,
    };
    let is_compared = |name: &str| {
        let is_input = model.input_columns.iter().any(|input| input == name);
        is_input && !options.excludes(name)
    };
    compare_tables(
        &reference_table,
        &current_table,
        Some(score),
        is_compared,
        options,
    )
}

impl DriftOptions {
    fn excludes(&self, name: &str) -> bool {
        self.excluded_columns
            .iter()
            .any(|excluded| excluded == name)
    }
}

fn read_sample(file: &Path) -> Result<Table> {
    Ok(Table::read(file, ReadOptions::default())?)
}

fn check_score_count(file: &Path, table: &Table, scores: &[f64]) -> Result<()> {
    if scores.len() == table.len() {
        return Ok(());
    }
    Err(RiskError::invalid(
        &format!("number of model scores for {}", file.display()),
        scores.len(),
        &format!("one score per data row ({} rows)", table.len()),
    ))
}

fn to_values(scores: &[f64]) -> Vec<Option<f64>> {
    scores.iter().map(|&score| Some(score)).collect()
}

/// The CSI of every column of the reference that `is_compared` accepts and the current sample
/// holds, in the reference's column order.
fn compare_tables(
    reference: &Table,
    current: &Table,
    score: Option<ColumnStability>,
    is_compared: impl Fn(&str) -> bool,
    options: &DriftOptions,
) -> Result<DriftReport> {
    let mut characteristics = Vec::new();
    for (index, name) in reference.headers.iter().enumerate() {
        if let Some(current_index) = current
            .column_index(name)
            .ok()
            .filter(|_| is_compared(name))
        {
            let bins = Binning::ReferenceQuantiles(options.characteristic_bins);
            characteristics.push(column_stability(
                reference,
                index,
                current,
                current_index,
                &bins,
                options,
            )?);
        }
    }
    Ok(DriftReport {
        reference_rows: reference.len(),
        current_rows: current.len(),
        thresholds: options.thresholds,
        score,
        characteristics,
        only_in_reference: missing_from(reference, current),
        only_in_current: missing_from(current, reference),
    })
}

fn score_stability(
    reference: &Table,
    current: &Table,
    name: &str,
    options: &DriftOptions,
) -> Result<ColumnStability> {
    let reference_index = reference.column_index(name)?;
    let current_index = current.column_index(name)?;
    for (table, index) in [(reference, reference_index), (current, current_index)] {
        if let Some(row) =
            (0..table.len()).find(|&row| parse_numeric_cell(table.cell(row, index)).is_err())
        {
            let found = table.cell(row, index);
            let message = format!("found `{found}`, expected a numeric score or a missing value");
            return Err(table.cell_error(row, index, message).into());
        }
    }
    column_stability(
        reference,
        reference_index,
        current,
        current_index,
        &options.score_binning,
        options,
    )
}

fn column_stability(
    reference: &Table,
    reference_index: usize,
    current: &Table,
    current_index: usize,
    binning: &Binning,
    options: &DriftOptions,
) -> Result<ColumnStability> {
    let reference_cells = column_cells(reference, reference_index);
    let current_cells = column_cells(current, current_index);
    let numeric = numeric_cells(&reference_cells).zip(numeric_cells(&current_cells));
    let (kind, index) = match numeric {
        Some((reference_values, current_values)) => (
            ColumnKind::Numeric,
            numeric_stability(&reference_values, &current_values, binning)?,
        ),
        None => (
            ColumnKind::Categorical,
            categorical_stability(
                &categorical_cells(&reference_cells),
                &categorical_cells(&current_cells),
            )?,
        ),
    };
    Ok(ColumnStability {
        column: reference.headers[reference_index].clone(),
        kind,
        index: index.value,
        status: options.thresholds.status(index.value),
        bins: index.bins,
        unseen_categories: index.unseen_categories,
    })
}

fn column_cells(table: &Table, column: usize) -> Vec<&str> {
    (0..table.len())
        .map(|row| table.cell(row, column))
        .collect()
}

/// A cell as a number: `Ok(None)` when missing, `Err` when not a finite number.
fn parse_numeric_cell(cell: &str) -> std::result::Result<Option<f64>, ()> {
    if is_missing(cell) {
        return Ok(None);
    }
    match cell.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(Some(value)),
        _ => Err(()),
    }
}

/// The cells as numbers, or `None` if one of them is not a number.
fn numeric_cells(cells: &[&str]) -> Option<Vec<Option<f64>>> {
    cells
        .iter()
        .map(|cell| parse_numeric_cell(cell).ok())
        .collect()
}

fn categorical_cells<'a>(cells: &[&'a str]) -> Vec<Option<&'a str>> {
    cells
        .iter()
        .map(|&cell| (!is_missing(cell)).then_some(cell))
        .collect()
}

fn missing_from(table: &Table, other: &Table) -> Vec<String> {
    table
        .headers
        .iter()
        .filter(|name| other.column_index(name).is_err())
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(range: std::ops::Range<i32>) -> Vec<Option<f64>> {
        range.map(|value| Some(f64::from(value))).collect()
    }

    #[test]
    fn identical_samples_have_zero_index() {
        let sample = values(0..500);
        let index = numeric_stability(&sample, &sample, &Binning::ReferenceQuantiles(10)).unwrap();
        assert_eq!(index.value, 0.0);
        assert_eq!(index.bins.len(), 10);
        assert!(index.bins.iter().all(|bin| bin.reference_count == 50));
    }

    #[test]
    fn empty_bins_stay_finite() {
        let reference = values(0..100);
        let current = values(1000..1100);
        let index =
            numeric_stability(&reference, &current, &Binning::ReferenceQuantiles(10)).unwrap();
        assert!(index.value.is_finite() && index.value > 1.0);
        // All current values fall in the last bin: 0.9 of the reference moved out of nine bins.
        let expected =
            9.0 * (MIN_SHARE - 0.1) * (MIN_SHARE / 0.1).ln() + 0.9 * (1.0_f64 / 0.1).ln();
        assert!((index.value - expected).abs() < 1e-12);
    }

    #[test]
    fn ties_merge_quantile_bins_and_missing_values_get_their_own() {
        let mut reference = vec![Some(1.0); 80];
        reference.extend(values(2..22));
        let mut current = reference.clone();
        current[0] = None;
        let index =
            numeric_stability(&reference, &current, &Binning::ReferenceQuantiles(10)).unwrap();
        let labels: Vec<&str> = index.bins.iter().map(|bin| bin.label.as_str()).collect();
        assert_eq!(labels, ["(-inf, 1]", "(1, 11]", "(11, +inf)", "missing"]);
        assert_eq!(index.bins[3].current_count, 1);
    }

    #[test]
    fn master_scale_boundaries() {
        let reference = vec![Some(0.001), Some(0.004), Some(0.02), Some(0.2)];
        let binning = Binning::Boundaries(vec![0.002, 0.01, 0.05]);
        let index = numeric_stability(&reference, &reference, &binning).unwrap();
        let counts: Vec<usize> = index.bins.iter().map(|bin| bin.reference_count).collect();
        assert_eq!(counts, [1, 1, 1, 1]);
        let unsorted = Binning::Boundaries(vec![0.01, 0.002]);
        assert_eq!(
            numeric_stability(&reference, &reference, &unsorted)
                .unwrap_err()
                .to_string(),
            "bin boundaries = 0.01,0.002: expected one or more finite, strictly increasing numbers"
        );
    }

    #[test]
    fn unseen_categories_are_counted_apart() {
        let reference = [Some("rent"), Some("own"), Some("own"), None];
        let current = [Some("own"), Some("boat"), Some("car"), Some("rent")];
        let index = categorical_stability(&reference, &current).unwrap();
        assert_eq!(index.unseen_categories, ["boat", "car"]);
        let labels: Vec<&str> = index.bins.iter().map(|bin| bin.label.as_str()).collect();
        assert_eq!(labels, ["own", "rent", MISSING_BIN, UNSEEN_BIN]);
        assert_eq!(index.bins[3].current_count, 2);
        assert!(index.value.is_finite() && index.value > 0.25);
    }

    #[test]
    fn thresholds_give_traffic_lights() {
        let thresholds = Thresholds::default();
        assert_eq!(thresholds.status(0.0999), Status::Green);
        assert_eq!(thresholds.status(0.1), Status::Amber);
        assert_eq!(thresholds.status(0.25), Status::Red);
        let inverted = Thresholds {
            amber: 0.3,
            red: 0.2,
        };
        assert_eq!(
            inverted.validate().unwrap_err().to_string(),
            "red threshold = 0.2: expected a finite index ≥ the amber threshold 0.3"
        );
    }

    #[test]
    fn empty_samples_are_rejected() {
        assert_eq!(
            categorical_stability(&[Some("a")], &[])
                .unwrap_err()
                .to_string(),
            "current sample = empty: expected at least one observation"
        );
    }
}
