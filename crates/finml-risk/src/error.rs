//! The errors of this crate. Every message says what was wrong and what was expected; errors in
//! files also say where (file, line, column).

use std::path::PathBuf;

use thiserror::Error;

/// Why a risk computation could not be done.
#[derive(Debug, Error)]
pub enum RiskError {
    /// A parameter or input value is out of its domain.
    #[error("{name} = {value}: expected {expected}")]
    InvalidValue {
        name: String,
        value: String,
        expected: String,
    },
    /// A value in an input file is missing or out of its domain.
    #[error("{}, line {line}, column {column}: found {found}, expected {expected}", file.display())]
    InvalidField {
        file: PathBuf,
        line: u64,
        column: String,
        found: String,
        expected: String,
    },
    /// An input file lacks a column this computation needs.
    #[error("{}: no column {column} in the header (expected the columns {expected})", file.display())]
    MissingColumn {
        file: PathBuf,
        column: String,
        expected: String,
    },
    /// An input file holds no data rows.
    #[error("{}: no data rows (expected a header line and at least one row)", file.display())]
    EmptyFile { file: PathBuf },
    /// An input or output file could not be read or written.
    #[error("{}: {source}", file.display())]
    Io {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A CSV file is malformed (for example a row with the wrong number of fields).
    #[error("{}: {source}", file.display())]
    Csv {
        file: PathBuf,
        #[source]
        source: csv::Error,
    },
    /// The worker threads could not be started.
    #[error("cannot start {threads} worker threads: {message}")]
    ThreadPool { threads: usize, message: String },
    /// A chart could not be drawn or written.
    #[error("{}: cannot draw the chart: {message}", file.display())]
    Plot { file: PathBuf, message: String },
}

impl RiskError {
    /// An [`RiskError::InvalidValue`] for `name` holding `value`.
    pub fn invalid(name: &str, value: impl ToString, expected: &str) -> Self {
        RiskError::InvalidValue {
            name: name.to_owned(),
            value: value.to_string(),
            expected: expected.to_owned(),
        }
    }

    /// Places a value error at a line of a file; other errors pass unchanged.
    pub fn at(self, file: &std::path::Path, line: u64) -> Self {
        match self {
            RiskError::InvalidValue {
                name,
                value,
                expected,
            } => RiskError::InvalidField {
                file: file.to_path_buf(),
                line,
                column: name,
                found: if value.is_empty() {
                    "an empty cell".to_owned()
                } else {
                    format!("`{value}`")
                },
                expected,
            },
            other => other,
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = RiskError> = std::result::Result<T, E>;
