//! Reading records into raw text cells. Typing happens later, against a schema, so that CSV
//! and Parquet files, in-memory records and Arrow batches are validated by the same code and
//! give the same messages: a file is one case of records with a [`Source`].

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::{Deserialize, Serialize};

use crate::error::{DataError, Position, Result, Source};

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

/// One field of an in-memory record, as a front end receives it (a JSON value, a Python
/// object). A number becomes the shortest text that reads back as the same `f64`, so a record
/// types exactly as the same row of a CSV file does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// JSON `null`: a missing value, as an empty CSV cell.
    Missing,
    Bool(bool),
    Number(f64),
    Text(String),
}

impl Value {
    fn to_cell(&self) -> String {
        match self {
            Value::Missing => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Number(x) => number_text(*x),
            Value::Text(text) => text.trim().to_string(),
        }
    }
}

/// The shortest text that reads back as `x`, as `f64`'s `Display` writes it; whole numbers, most
/// of a loan file's, through the integer formatter, which writes the same digits faster.
fn number_text(x: f64) -> String {
    const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0; // 2^53
    if x.fract() == 0.0 && x.abs() < EXACT_INTEGERS && !(x == 0.0 && x.is_sign_negative()) {
        (x as i64).to_string()
    } else {
        x.to_string()
    }
}

/// One application held in memory: its fields by name.
pub type Record = BTreeMap<String, Value>;

/// A source's header and its records as text, with the position of each record.
#[derive(Debug, Clone)]
pub struct Table {
    pub source: Source,
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
        table.non_empty()
    }

    /// Records handed over in memory. The header is every field name of any record, sorted;
    /// a field a record lacks is missing in that record, as JSON's absent and `null` mean the
    /// same. A model reads its columns by name, so the order never changes a score.
    /// The records stay the caller's (a service keeps its request to log it).
    pub fn from_records<'a>(
        source: Source,
        records: impl IntoIterator<Item = &'a Record>,
    ) -> Result<Table> {
        let records: Vec<&Record> = records.into_iter().collect();
        let headers = field_names(&records);
        let rows = records
            .into_iter()
            .map(|record| cells(record, &headers))
            .collect();
        Table::numbered(source, headers, rows, Position::Record).non_empty()
    }

    /// An Arrow record batch handed over in memory; nulls are missing values.
    pub fn from_batch(source: Source, batch: &RecordBatch) -> Result<Table> {
        let headers: Vec<String> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        check_unique_headers(&source, &headers)?;
        let mut rows = Vec::with_capacity(batch.num_rows());
        append_batch_as_text(batch, &mut rows)
            .map_err(|e| DataError::invalid(&source, format!("not readable as text: {e}")))?;
        Table::numbered(source, headers, rows, Position::Row).non_empty()
    }

    /// Records that have no lines, numbered from 1 in order: rows of a batch, records of a
    /// request.
    fn numbered(
        source: Source,
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
        position: fn(u64) -> Position,
    ) -> Table {
        let positions = (1..=rows.len() as u64).map(position).collect();
        Table {
            source,
            headers,
            rows,
            positions,
        }
    }

    fn non_empty(self) -> Result<Table> {
        if self.rows.is_empty() {
            return Err(DataError::Empty { input: self.source });
        }
        Ok(self)
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
                input: self.source.clone(),
                column: name.to_string(),
                available: self.headers.join(", "),
            })
    }

    /// The column named `name`, ignoring ASCII case, for files whose conventional column
    /// names come in any case (`PD`, `pd`). An exact match wins; two columns that match only
    /// ignoring case are ambiguous, an error naming both.
    pub fn column_index_any_case(&self, name: &str) -> Result<usize> {
        if let Ok(index) = self.column_index(name) {
            return Ok(index);
        }
        let mut matches =
            (0..self.headers.len()).filter(|&i| self.headers[i].eq_ignore_ascii_case(name));
        match (matches.next(), matches.next()) {
            (Some(index), None) => Ok(index),
            (Some(first), Some(second)) => Err(DataError::invalid(
                &self.source,
                format!(
                    "both {noun} '{}' and {noun} '{}' could be '{name}'",
                    self.headers[first],
                    self.headers[second],
                    noun = self.source.column_noun()
                ),
            )),
            (None, _) => self.column_index(name),
        }
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

    /// The line a record starts on in a CSV file; `None` for other sources, whose records
    /// have no lines. For readers that locate their own errors in a row.
    pub fn line(&self, row: usize) -> Option<u64> {
        match self.positions[row] {
            Position::Line(line) => Some(line),
            Position::Row(_) | Position::Record(_) => None,
        }
    }

    /// An error about one cell, located for the user.
    pub fn cell_error(&self, row: usize, column: usize, message: impl Into<String>) -> DataError {
        DataError::Cell {
            input: self.source.clone(),
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
        return Err(DataError::Empty { input: path.into() });
    }
    check_unique_headers(&path.into(), &headers)?;
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
                input: path.into(),
                position,
                expected: headers.len(),
                found: record.len(),
            });
        }
        rows.push(record.iter().map(|c| c.trim().to_string()).collect());
        positions.push(position);
    }
    Ok(Table {
        source: path.into(),
        headers,
        rows,
        positions,
    })
}

/// Every field name of any record, sorted. A record with the same fields as the one before,
/// the usual case, costs one comparison per field.
fn field_names(records: &[&Record]) -> Vec<String> {
    let mut names = std::collections::BTreeSet::new();
    let mut previous: Option<&Record> = None;
    for &record in records {
        if previous.is_some_and(|p| p.keys().eq(record.keys())) {
            continue;
        }
        names.extend(record.keys().map(String::as_str));
        previous = Some(record);
    }
    names.into_iter().map(str::to_string).collect()
}

/// A record's cells in the order of `headers`, which hold all its fields; a field it lacks is
/// an empty, missing cell.
fn cells(record: &Record, headers: &[String]) -> Vec<String> {
    if record.len() == headers.len() {
        // Sorted as the headers are, and holding every one of them.
        return record.values().map(Value::to_cell).collect();
    }
    let mut cells = vec![String::new(); headers.len()];
    for (name, value) in record {
        if let Ok(column) = headers.binary_search(name) {
            cells[column] = value.to_cell();
        }
    }
    cells
}

fn check_unique_headers(source: &Source, headers: &[String]) -> Result<()> {
    for (i, header) in headers.iter().enumerate() {
        if headers[..i].contains(header) {
            return Err(DataError::invalid(
                source,
                format!("the header names {} '{header}' twice", source.column_noun()),
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
    check_unique_headers(&path.into(), &headers)?;
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| parquet_error(&e))?;
        append_batch_as_text(&batch, &mut rows).map_err(|e| parquet_error(&e))?;
    }
    Ok(Table::numbered(path.into(), headers, rows, Position::Row))
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
