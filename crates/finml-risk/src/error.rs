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
    /// An input file could not be read, lacks a column, or holds a bad cell; finml-data's
    /// reader, which reads every input file, says where.
    #[error(transparent)]
    Data(#[from] finml_data::DataError),
    /// An output file could not be written.
    #[error("{}: {source}", file.display())]
    Io {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A CSV output could not be written.
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
}

/// The result type of this crate.
pub type Result<T, E = RiskError> = std::result::Result<T, E>;
