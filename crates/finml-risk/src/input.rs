//! Reading numbers from the cells of an input file that finml-data's reader has read, with
//! errors that name the file, the line (or row) and the column.

use finml_data::{Table, is_missing};

use crate::error::{Result, RiskError};

/// A cell that must hold a finite number.
pub(crate) fn number(table: &Table, row: usize, column: usize, expected: &str) -> Result<f64> {
    optional_number(table, row, column, expected)?
        .ok_or_else(|| invalid_cell(table, row, column, table.cell(row, column), expected))
}

/// A cell that may hold a missing value (as finml-data reads one) or must hold a finite number.
pub(crate) fn optional_number(
    table: &Table,
    row: usize,
    column: usize,
    expected: &str,
) -> Result<Option<f64>> {
    let text = table.cell(row, column);
    if is_missing(text) {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(Some(value)),
        _ => Err(invalid_cell(table, row, column, text, expected)),
    }
}

/// The cells of one row, one per column.
pub(crate) fn row_cells(table: &Table, row: usize) -> Vec<String> {
    (0..table.headers.len())
        .map(|column| table.cell(row, column).to_owned())
        .collect()
}

/// Places a value error of a row at the cell of the column the value is named after. A row
/// can need a column the file lacks (a corporate exposure needs M): the error then says that
/// the column is missing. Other errors pass unchanged.
pub(crate) fn locate(table: &Table, row: usize, error: RiskError) -> RiskError {
    match error {
        RiskError::InvalidValue {
            name,
            value,
            expected,
        } => match table.column_index(&name) {
            Ok(column) => invalid_cell(table, row, column, &value, &expected),
            Err(missing) => missing.into(),
        },
        other => other,
    }
}

fn invalid_cell(
    table: &Table,
    row: usize,
    column: usize,
    found: &str,
    expected: &str,
) -> RiskError {
    let found = if found.is_empty() {
        "an empty cell".to_owned()
    } else {
        format!("`{found}`")
    };
    table
        .cell_error(row, column, format!("found {found}, expected {expected}"))
        .into()
}
