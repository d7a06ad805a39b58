//! What the columns of a file mean: which one is the target and which value of it means
//! default, which one identifies the applicant, which are ignored, and whether each feature is
//! numeric or categorical. A schema file may say any of this; the rest is inferred from the
//! training file, and the resolved schema is saved with the model so that scoring reads new
//! files exactly as training did.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{DataError, Result};
use crate::table::Table;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    Numeric,
    Categorical,
}

impl std::fmt::Display for ColumnKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ColumnKind::Numeric => "numeric",
            ColumnKind::Categorical => "categorical",
        })
    }
}

/// The schema file (TOML), as a user writes it. Every field is optional.
///
/// ```toml
/// target = "creditability"
/// positive = "1"          # the target value that means default ("bad")
/// id = "application_id"
/// ignore = ["branch"]
/// special_values = [-9999]  # codes, not magnitudes: the scorecard bins each on its own
/// [types]
/// installment_rate = "categorical"
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaFile {
    pub target: Option<String>,
    pub positive: Option<String>,
    pub id: Option<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub types: BTreeMap<String, ColumnKind>,
    /// Numeric codes that mean something other than their magnitude (e.g. -9999, "no
    /// record"): `--model scorecard` gives each a bin of its own.
    #[serde(default)]
    pub special_values: Vec<f64>,
}

impl SchemaFile {
    pub fn read(path: &Path) -> Result<SchemaFile> {
        let text = std::fs::read_to_string(path).map_err(|source| DataError::Io {
            path: path.into(),
            source,
        })?;
        toml::from_str(&text)
            .map_err(|e| DataError::invalid(path, format!("not a valid schema file: {e}")))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    pub name: String,
    pub kind: ColumnKind,
}

/// The target column and its two labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub column: String,
    /// The value that means default ("bad"), scored as 1.
    pub positive: String,
    /// The other value, scored as 0.
    pub negative: String,
}

/// A schema with every decision made: saved with the model, applied to every file it scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    pub features: Vec<Feature>,
    pub target: Target,
    pub id: Option<String>,
}

/// The user's choices on the command line, which take precedence over the schema file.
#[derive(Debug, Clone, Default)]
pub struct SchemaRequest {
    pub target: Option<String>,
    pub positive: Option<String>,
    pub file: SchemaFile,
}

/// Values that mean "missing" in any column.
pub fn is_missing(cell: &str) -> bool {
    cell.is_empty()
        || ["na", "nan", "null", "n/a", "none"]
            .iter()
            .any(|token| cell.eq_ignore_ascii_case(token))
}

/// A finite number, or `None` for text (including "inf").
pub fn parse_number(cell: &str) -> Option<f64> {
    cell.parse::<f64>().ok().filter(|v| v.is_finite())
}

impl Schema {
    /// Decides everything the request leaves open by looking at the training table.
    pub fn resolve(table: &Table, request: &SchemaRequest) -> Result<Schema> {
        let file = &request.file;
        let target_column = request
            .target
            .clone()
            .or_else(|| file.target.clone())
            .ok_or_else(|| DataError::NoTarget {
                input: table.source.clone(),
            })?;
        let target_index = table.column_index(&target_column)?;
        let positive = request.positive.clone().or_else(|| file.positive.clone());
        let target = resolve_target(table, target_index, positive)?;
        for name in file.types.keys().chain(&file.ignore).chain(&file.id) {
            table.column_index(name)?;
        }
        let features = table
            .headers
            .iter()
            .enumerate()
            .filter(|(i, name)| {
                *i != target_index && !file.ignore.contains(name) && file.id.as_ref() != Some(name)
            })
            .map(|(i, name)| {
                let kind = match file.types.get(name) {
                    Some(&kind) => kind,
                    None => infer_kind(table, i)?,
                };
                Ok(Feature {
                    name: name.clone(),
                    kind,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Schema {
            features,
            target,
            id: file.id.clone(),
        })
    }
}

/// The largest share of a column's present cells that may fail to read as numbers for the
/// column to count as numeric data with a few bad cells rather than as categorical.
const STRAY_SHARE: f64 = 0.05;

/// A column is numeric when its present cells are finite numbers, and categorical when many
/// are not. A column of numbers but for a few cells (at most [`STRAY_SHARE`]: an `inf`, a
/// stray `12 months`) is dirty data, not a categorical column: typing it categorical would
/// silently turn every distinct number into a level, so it is an error naming the first such
/// cell.
fn infer_kind(table: &Table, column: usize) -> Result<ColumnKind> {
    let (mut count, mut numbers, mut first_text) = (0usize, 0usize, None);
    for (row, cell) in table.column(column).enumerate() {
        if is_missing(cell) {
            continue;
        }
        count += 1;
        if parse_number(cell).is_some() {
            numbers += 1;
        } else {
            first_text.get_or_insert((row, cell));
        }
    }
    match first_text {
        None if count > 0 => Ok(ColumnKind::Numeric),
        Some((row, cell)) if (count - numbers) as f64 <= STRAY_SHARE * count as f64 => Err(table
            .cell_error(
                row,
                column,
                format!(
                    "expected a finite number, found '{cell}': {numbers} of the column's {count} \
                 values are numbers, so it is read as numeric; fix or blank the value, or type \
                 the column in the schema file"
                ),
            )),
        _ => Ok(ColumnKind::Categorical),
    }
}

/// Finds the two labels of the target. Without a stated positive value, `1` (of 0/1) and `bad`
/// (of good/bad) are recognised; anything else must be stated, because guessing which outcome
/// is the default would silently invert every score.
fn resolve_target(table: &Table, column: usize, positive: Option<String>) -> Result<Target> {
    let mut labels: Vec<&str> = Vec::new();
    for (row, cell) in table.column(column).enumerate() {
        if is_missing(cell) || labels.contains(&cell) {
            continue;
        }
        if labels.len() == 2 {
            return Err(table.cell_error(
                row,
                column,
                format!(
                    "the target has a third value '{cell}' besides '{}' and '{}': it must have exactly two",
                    labels[0], labels[1]
                ),
            ));
        }
        labels.push(cell);
    }
    let name = &table.headers[column];
    if labels.len() < 2 {
        return Err(DataError::invalid(
            &table.source,
            format!(
                "target column '{name}' has only one class ({}): a model needs both good and bad outcomes",
                labels
                    .first()
                    .map_or("no values".to_string(), |l| format!("'{l}'"))
            ),
        ));
    }
    let positive = match positive {
        Some(p) if labels.contains(&p.as_str()) => p,
        Some(p) => {
            return Err(DataError::invalid(
                &table.source,
                format!(
                    "the positive value '{p}' does not occur in target column '{name}' (its values: '{}', '{}')",
                    labels[0], labels[1]
                ),
            ));
        }
        None => default_positive(&labels).ok_or_else(|| DataError::UnknownPositive {
            input: table.source.clone(),
            column: name.clone(),
            labels: [labels[0].to_string(), labels[1].to_string()],
        })?,
    };
    let negative = labels.iter().find(|l| **l != positive).unwrap().to_string();
    Ok(Target {
        column: name.clone(),
        positive,
        negative,
    })
}

fn default_positive(labels: &[&str]) -> Option<String> {
    let mut sorted: Vec<String> = labels.iter().map(|l| l.to_ascii_lowercase()).collect();
    sorted.sort();
    match sorted
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["0", "1"] => labels.iter().find(|l| **l == "1").map(|l| l.to_string()),
        ["bad", "good"] => labels
            .iter()
            .find(|l| l.eq_ignore_ascii_case("bad"))
            .map(|l| l.to_string()),
        _ => None,
    }
}
