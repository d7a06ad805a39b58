//! Typed columns read from a table under a resolved schema.

use crate::error::{DataError, Result};
use crate::schema::{ColumnKind, Schema, is_missing, parse_number};
use crate::table::Table;

#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValues {
    Numeric(Vec<Option<f64>>),
    Categorical(Vec<Option<String>>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub values: ColumnValues,
}

/// The feature columns of a set of applications, in schema order.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    pub columns: Vec<Column>,
    rows: usize,
}

impl Features {
    pub fn new(columns: Vec<Column>, rows: usize) -> Features {
        Features { columns, rows }
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The rows at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Features {
        let columns = self
            .columns
            .iter()
            .map(|c| Column {
                name: c.name.clone(),
                values: match &c.values {
                    ColumnValues::Numeric(v) => ColumnValues::Numeric(pick(v, indices)),
                    ColumnValues::Categorical(v) => ColumnValues::Categorical(pick(v, indices)),
                },
            })
            .collect();
        Features::new(columns, indices.len())
    }
}

fn pick<T: Clone>(values: &[T], indices: &[usize]) -> Vec<T> {
    indices.iter().map(|&i| values[i].clone()).collect()
}

/// What to do with a record whose target is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingTarget {
    /// Stop with an error naming the record: the default, so that nothing is dropped silently.
    #[default]
    Error,
    /// Leave the record out and count it.
    Skip,
}

/// Applications with known outcomes: features, labels (1 = default) and the IDs.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub features: Features,
    pub labels: Vec<u8>,
    pub ids: Option<Vec<String>>,
    /// For each kept record, its 0-based data row in the file (what fold files refer to).
    pub source_rows: Vec<usize>,
    /// Records left out because their target was missing.
    pub skipped_missing_target: usize,
}

impl Dataset {
    pub fn from_table(table: &Table, schema: &Schema, missing: MissingTarget) -> Result<Dataset> {
        let (labels, source_rows) = read_labels(table, schema, missing)?;
        let skipped = table.len() - source_rows.len();
        let features = read_features(table, schema)?.select(&source_rows);
        let ids = read_ids(table, schema)?.map(|ids| pick(&ids, &source_rows));
        Ok(Dataset {
            features,
            labels,
            ids,
            source_rows,
            skipped_missing_target: skipped,
        })
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn select(&self, indices: &[usize]) -> Dataset {
        Dataset {
            features: self.features.select(indices),
            labels: pick(&self.labels, indices),
            ids: self.ids.as_ref().map(|ids| pick(ids, indices)),
            source_rows: pick(&self.source_rows, indices),
            skipped_missing_target: 0,
        }
    }
}

/// Reads the feature columns the schema names, checking each cell against its type.
pub fn read_features(table: &Table, schema: &Schema) -> Result<Features> {
    let columns = schema
        .features
        .iter()
        .map(|feature| {
            let index = table.column_index(&feature.name)?;
            let values = match feature.kind {
                ColumnKind::Numeric => ColumnValues::Numeric(read_numeric(table, index)?),
                ColumnKind::Categorical => ColumnValues::Categorical(
                    table
                        .column(index)
                        .map(|c| (!is_missing(c)).then(|| c.to_string()))
                        .collect(),
                ),
            };
            Ok(Column {
                name: feature.name.clone(),
                values,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Features::new(columns, table.len()))
}

fn read_numeric(table: &Table, column: usize) -> Result<Vec<Option<f64>>> {
    table
        .column(column)
        .enumerate()
        .map(|(row, cell)| {
            if is_missing(cell) {
                return Ok(None);
            }
            parse_number(cell).map(Some).ok_or_else(|| {
                table.cell_error(row, column, format!("expected a number, found '{cell}'"))
            })
        })
        .collect()
}

/// The ID column, when the schema names one.
pub fn read_ids(table: &Table, schema: &Schema) -> Result<Option<Vec<String>>> {
    let Some(id) = &schema.id else {
        return Ok(None);
    };
    let index = table.column_index(id)?;
    Ok(Some(table.column(index).map(str::to_string).collect()))
}

fn read_labels(
    table: &Table,
    schema: &Schema,
    missing: MissingTarget,
) -> Result<(Vec<u8>, Vec<usize>)> {
    let target = &schema.target;
    let column = table.column_index(&target.column)?;
    let mut labels = Vec::with_capacity(table.len());
    let mut rows = Vec::with_capacity(table.len());
    for (row, cell) in table.column(column).enumerate() {
        let label = if is_missing(cell) {
            match missing {
                MissingTarget::Skip => continue,
                MissingTarget::Error => {
                    return Err(DataError::MissingTarget {
                        input: table.source.clone(),
                        position: table.position(row),
                        column: target.column.clone(),
                    });
                }
            }
        } else if cell == target.positive {
            1
        } else if cell == target.negative {
            0
        } else {
            return Err(table.cell_error(
                row,
                column,
                format!(
                    "expected the target to be '{}' (default) or '{}', found '{cell}'",
                    target.positive, target.negative
                ),
            ));
        };
        labels.push(label);
        rows.push(row);
    }
    if labels.is_empty() {
        return Err(DataError::invalid(
            &table.source,
            "no row has a target value",
        ));
    }
    Ok((labels, rows))
}
