//! Reading a file of records into raw text cells. Typing happens later, against a schema, so
//! that CSV and Parquet inputs are validated by the same code and give the same messages.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::error::{DataError, Position, Result};

/// How to read a file: the delimiter applies to CSV only; Parquet is recognised by its
/// extension (`.parquet` or `.pq`).
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    pub delimiter: u8,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions { delimiter: b',' }
    }
}

/// A file's header and its records as text, with the position of each record in the file.
#[derive(Debug, Clone)]
pub struct Table {
    pub path: PathBuf,
    pub headers: Vec<String>,
    rows: Vec<Vec<String>>,
    positions: Vec<Position>,
}

impl Table {
    /// Reads a CSV or Parquet file. Every record must have as many fields as the header.
    pub fn read(path: &Path, options: ReadOptions) -> Result<Table> {
        let table = if is_parquet(path) {
            read_parquet(path)?
        } else {
            read_csv(path, options.delimiter)?
        };
        if table.rows.is_empty() {
            return Err(DataError::Empty { path: path.into() });
        }
        Ok(table)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn column_index(&self, name: &str) -> Result<usize> {
        self.headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| DataError::MissingColumn {
                path: self.path.clone(),
                column: name.to_string(),
                available: self.headers.join(", "),
            })
    }

    /// The text of one column, record by record.
    pub fn column(&self, index: usize) -> impl Iterator<Item = &str> + '_ {
        self.rows.iter().map(move |row| row[index].as_str())
    }

    pub fn cell(&self, row: usize, column: usize) -> &str {
        &self.rows[row][column]
    }

    pub fn position(&self, row: usize) -> Position {
        self.positions[row]
    }

    /// An error about one cell, located for the user.
    pub fn cell_error(&self, row: usize, column: usize, message: impl Into<String>) -> DataError {
        DataError::Cell {
            path: self.path.clone(),
            position: self.positions[row],
            column: self.headers[column].clone(),
            message: message.into(),
        }
    }
}

fn is_parquet(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("parquet" | "pq")
    )
}

fn open(path: &Path) -> Result<File> {
    File::open(path).map_err(|source| DataError::Io {
        path: path.into(),
        source,
    })
}

fn read_csv(path: &Path, delimiter: u8) -> Result<Table> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(open(path)?);
    let csv_error = |e: csv::Error| DataError::invalid(path, format!("not readable as CSV: {e}"));
    let headers: Vec<String> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers.is_empty() || headers.iter().all(String::is_empty) {
        return Err(DataError::Empty { path: path.into() });
    }
    check_unique_headers(path, &headers)?;
    let mut rows = Vec::new();
    let mut positions = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let position = Position::Line(record.position().map_or(0, |p| p.line()));
        if record.len() == 1 && record[0].trim().is_empty() {
            continue; // a blank line carries no record
        }
        if record.len() != headers.len() {
            return Err(DataError::FieldCount {
                path: path.into(),
                position,
                expected: headers.len(),
                found: record.len(),
            });
        }
        rows.push(record.iter().map(|c| c.trim().to_string()).collect());
        positions.push(position);
    }
    Ok(Table {
        path: path.into(),
        headers,
        rows,
        positions,
    })
}

fn check_unique_headers(path: &Path, headers: &[String]) -> Result<()> {
    for (i, header) in headers.iter().enumerate() {
        if headers[..i].contains(header) {
            return Err(DataError::invalid(
                path,
                format!("the header names column '{header}' twice"),
            ));
        }
    }
    Ok(())
}

fn read_parquet(path: &Path) -> Result<Table> {
    let parquet_error = |e: &dyn std::fmt::Display| {
        DataError::invalid(path, format!("not readable as Parquet: {e}"))
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(open(path)?)
        .map_err(|e| parquet_error(&e))?
        .build()
        .map_err(|e| parquet_error(&e))?;
    let headers: Vec<String> = reader
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    check_unique_headers(path, &headers)?;
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| parquet_error(&e))?;
        append_batch_as_text(&batch, &mut rows).map_err(|e| parquet_error(&e))?;
    }
    let positions = (1..=rows.len() as u64).map(Position::Row).collect();
    Ok(Table {
        path: path.into(),
        headers,
        rows,
        positions,
    })
}

/// Nulls become empty cells, which the typing step reads as missing values.
fn append_batch_as_text(
    batch: &RecordBatch,
    rows: &mut Vec<Vec<String>>,
) -> std::result::Result<(), arrow_schema::ArrowError> {
    let options = FormatOptions::default();
    let formatters = batch
        .columns()
        .iter()
        .map(|array| ArrayFormatter::try_new(array.as_ref(), &options))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    for row in 0..batch.num_rows() {
        let cells = batch
            .columns()
            .iter()
            .zip(&formatters)
            .map(|(array, formatter)| {
                if array.is_null(row) {
                    String::new()
                } else {
                    formatter.value(row).to_string()
                }
            })
            .collect();
        rows.push(cells);
    }
    Ok(())
}

impl Table {
    /// The line a record starts on in a CSV file; `None` for Parquet, whose records have no
    /// lines. For readers that locate their own errors in a row.
    pub fn line(&self, row: usize) -> Option<u64> {
        match self.positions[row] {
            Position::Line(line) => Some(line),
            Position::Row(_) => None,
        }
    }
}
