use std::fmt;
use std::path::PathBuf;

/// Where in an input a problem sits: a 1-based line of a text file, or a 1-based row of a
/// columnar file (Parquet has no lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    Line(u64),
    Row(u64),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(n) => write!(f, "line {n}"),
            Position::Row(n) => write!(f, "row {n}"),
        }
    }
}

/// Everything that can be wrong with the data a user hands us. Each variant names the file,
/// and where it can, the line and the column, so the message alone lets the user fix the input.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{}: cannot read the file: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: the file is empty: expected a header row and at least one data row", path.display())]
    Empty { path: PathBuf },
    #[error("{}, {position}: expected {expected} fields as in the header, found {found}", path.display())]
    FieldCount {
        path: PathBuf,
        position: Position,
        expected: usize,
        found: usize,
    },
    #[error("{}, {position}, column '{column}': {message}", path.display())]
    Cell {
        path: PathBuf,
        position: Position,
        column: String,
        message: String,
    },
    #[error("{}: no column named '{column}'; the columns are: {available}", path.display())]
    MissingColumn {
        path: PathBuf,
        column: String,
        available: String,
    },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

impl DataError {
    pub(crate) fn invalid(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        DataError::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }
}

pub type Result<T, E = DataError> = std::result::Result<T, E>;
