use std::fmt;
use std::path::{Path, PathBuf};

/// Where a table's records came from, so that every error about a value can name it: a file a
/// user gave, the records of one request, or an Arrow batch a caller handed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A CSV (positions are lines) or Parquet file (positions are rows).
    File(PathBuf),
    /// Records handed over in memory (positions are records, columns are fields), named by
    /// the caller: "request 7", "applications".
    Records(String),
    /// An Arrow record batch handed over in memory (positions are rows), named by the caller:
    /// "batch 3".
    Batch(String),
}

impl Source {
    /// What a column is called in messages about this source.
    pub fn column_noun(&self) -> &'static str {
        match self {
            Source::Records(_) => "field",
            Source::File(_) | Source::Batch(_) => "column",
        }
    }
}

impl Source {
    /// What an empty source lacks, in its own terms.
    fn emptiness(&self) -> &'static str {
        match self {
            Source::File(_) => "the file is empty: expected a header row and at least one data row",
            Source::Records(_) => "no records: expected at least one",
            Source::Batch(_) => "no rows: expected at least one",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File(path) => write!(f, "{}", path.display()),
            Source::Records(name) | Source::Batch(name) => f.write_str(name),
        }
    }
}

impl From<&Path> for Source {
    fn from(path: &Path) -> Source {
        Source::File(path.to_path_buf())
    }
}

impl From<&Source> for Source {
    fn from(source: &Source) -> Source {
        source.clone()
    }
}

impl From<PathBuf> for Source {
    fn from(path: PathBuf) -> Source {
        Source::File(path)
    }
}

/// Where in its source a record sits, 1-based: a line of a text file, a row of a columnar
/// file or batch (Parquet and Arrow have no lines), or a record handed over in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    Line(u64),
    Row(u64),
    Record(u64),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(n) => write!(f, "line {n}"),
            Position::Row(n) => write!(f, "row {n}"),
            Position::Record(n) => write!(f, "record {n}"),
        }
    }
}

/// Everything that can be wrong with the data a caller hands us. Each variant names the
/// source, and where it can, the record and the column, so the message alone lets the user
/// fix the input. Only [`DataError::Mismatch`] is not the input's fault.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{}: cannot read the file: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{input}: {}", input.emptiness())]
    Empty { input: Source },
    #[error("{input}, {position}: expected {expected} fields as in the header, found {found}")]
    FieldCount {
        input: Source,
        position: Position,
        expected: usize,
        found: usize,
    },
    #[error("{input}, {position}, {} '{column}': {message}", input.column_noun())]
    Cell {
        input: Source,
        position: Position,
        column: String,
        message: String,
    },
    #[error("{input}: no {noun} named '{column}'; the {noun}s are: {available}", noun = input.column_noun())]
    MissingColumn {
        input: Source,
        column: String,
        available: String,
    },
    #[error("{input}: {message}")]
    Invalid { input: Source, message: String },
    #[error("{input}: no target column is named: say which column holds the outcome")]
    NoTarget { input: Source },
    #[error(
        "{input}: cannot tell which value of target column '{column}' means default ('{}' or '{}'): say which", labels[0], labels[1]
    )]
    UnknownPositive {
        input: Source,
        column: String,
        labels: [String; 2],
    },
    #[error("{input}, {position}, {} '{column}': the target is missing", input.column_noun())]
    MissingTarget {
        input: Source,
        position: Position,
        column: String,
    },
    /// Typed columns that do not fit a fitted preprocessor: a caller's or a package's fault,
    /// never the applicant's.
    #[error("the columns do not match the fitted preprocessing: {0}")]
    Mismatch(String),
}

impl DataError {
    pub(crate) fn invalid(input: impl Into<Source>, message: impl Into<String>) -> Self {
        DataError::Invalid {
            input: input.into(),
            message: message.into(),
        }
    }
}

pub type Result<T, E = DataError> = std::result::Result<T, E>;
