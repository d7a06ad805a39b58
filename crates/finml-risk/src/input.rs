//! Reading CSV inputs with errors that name the file, the line and the column.

use std::path::{Path, PathBuf};

use crate::error::{Result, RiskError};

/// A CSV file read whole: its header and its rows with their line numbers.
pub struct CsvTable {
    file: PathBuf,
    headers: Vec<String>,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl CsvTable {
    /// Reads a CSV file with a header line; fails on a file without data rows.
    pub fn read(file: &Path) -> Result<Self> {
        let csv_error = |source| RiskError::Csv {
            file: file.to_path_buf(),
            source,
        };
        let opened = std::fs::File::open(file).map_err(|source| RiskError::Io {
            file: file.to_path_buf(),
            source,
        })?;
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(opened);
        let headers = reader
            .headers()
            .map_err(csv_error)?
            .iter()
            .map(str::to_owned)
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(csv_error)?;
            let line = record.position().map_or(0, csv::Position::line);
            rows.push((line, record));
        }
        if rows.is_empty() {
            return Err(RiskError::EmptyFile {
                file: file.to_path_buf(),
            });
        }
        Ok(CsvTable {
            file: file.to_path_buf(),
            headers,
            rows,
        })
    }

    /// The file this table was read from.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The column names, in file order.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The position of a column, matching its name without regard to case.
    pub fn find_column(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|header| header.eq_ignore_ascii_case(name))
    }

    /// The position of a column the caller cannot do without; `expected` lists the columns
    /// the caller reads, for the error message.
    pub fn require_column(&self, name: &str, expected: &str) -> Result<usize> {
        self.find_column(name)
            .ok_or_else(|| RiskError::MissingColumn {
                file: self.file.clone(),
                column: name.to_owned(),
                expected: expected.to_owned(),
            })
    }

    /// The data rows in file order.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|(line, record)| Row {
            table: self,
            line: *line,
            record,
        })
    }

    /// The number of data rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table has no data rows (never, once read).
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The cells of one column, top to bottom.
    pub fn column(&self, index: usize) -> impl Iterator<Item = &str> {
        self.rows
            .iter()
            .map(move |(_, record)| record.get(index).unwrap_or(""))
    }
}

/// One data row of a [`CsvTable`].
pub struct Row<'a> {
    table: &'a CsvTable,
    line: u64,
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    /// The line of the row in its file (1 for the header).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The text of a cell, empty when the row is short.
    pub fn text(&self, column: usize) -> &str {
        self.record.get(column).unwrap_or("")
    }

    /// The row's cells, one per header column.
    pub fn cells(&self) -> Vec<String> {
        (0..self.table.headers.len())
            .map(|column| self.text(column).to_owned())
            .collect()
    }

    /// A cell that must hold a finite number.
    pub fn number(&self, column: usize, expected: &str) -> Result<f64> {
        self.optional_number(column, expected)?
            .ok_or_else(|| self.invalid(column, "an empty cell".to_owned(), expected))
    }

    /// A cell that may be empty or must hold a finite number.
    pub fn optional_number(&self, column: usize, expected: &str) -> Result<Option<f64>> {
        let text = self.text(column);
        if text.is_empty() {
            return Ok(None);
        }
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() => Ok(Some(value)),
            _ => Err(self.invalid(column, format!("`{text}`"), expected)),
        }
    }

    /// Places a value error of this row at its file and line.
    pub fn locate(&self, error: RiskError) -> RiskError {
        error.at(&self.table.file, self.line)
    }

    fn invalid(&self, column: usize, found: String, expected: &str) -> RiskError {
        RiskError::InvalidField {
            file: self.table.file.clone(),
            line: self.line,
            column: self.table.headers.get(column).cloned().unwrap_or_default(),
            found,
            expected: expected.to_owned(),
        }
    }
}
