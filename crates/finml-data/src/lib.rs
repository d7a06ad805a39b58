//! Reading, validating and preprocessing tabular credit data.
//!
//! The path from a file or from records in memory to model inputs is: [`Table::read`],
//! [`Table::from_records`] or [`Table::from_batch`] (text cells, each record located in its
//! [`Source`] for error messages), [`Schema::resolve`] (which column is what, decided once on the training file),
//! [`Dataset::from_table`] (typed features and 0/1 labels), [`Preprocessor::fit`] on the
//! training rows and [`Preprocessor::transform`] on any rows.
//!
//! ```
//! use finml_data::{Dataset, MissingTarget, Preprocessor, ReadOptions, Scaling, Schema,
//!     SchemaRequest, Table};
//! # let dir = tempfile::tempdir().unwrap();
//! # let path = dir.path().join("loans.csv");
//! # std::fs::write(&path, "income,home,bad\n100,rent,0\n,own,1\n300,rent,0\n").unwrap();
//! let table = Table::read(&path, ReadOptions::default())?;
//! let request = SchemaRequest { target: Some("bad".into()), ..Default::default() };
//! let schema = Schema::resolve(&table, &request)?;
//! let data = Dataset::from_table(&table, &schema, MissingTarget::Error)?;
//! let inputs = Preprocessor::fit(&data.features, Scaling::MinMax).transform(&data.features)?;
//! // income (scaled), income missing, home = own, home = rent, home unseen
//! assert_eq!(inputs.row(1), &[0.5, 1.0, 1.0, 0.0, 0.0]);
//! # Ok::<(), finml_data::DataError>(())
//! ```

mod dataset;
mod error;
pub mod image;
mod preprocess;
mod schema;
mod split;
mod table;

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

pub use dataset::{
    Column, ColumnValues, Dataset, Features, MissingTarget, read_features, read_ids,
};
pub use error::{DataError, Position, Result, Source};
pub use preprocess::{InputRole, InputSource, Matrix, Preprocessor, Scaling, UnseenSlots};
pub use schema::{ColumnKind, Feature, Schema, SchemaFile, SchemaRequest, Target, is_missing};
pub use split::{Folds, stratified_split};
pub use table::{ReadOptions, Record, Table, Value};

/// The SHA-256 of a file, in hex: recorded with a model so that its training data can be
/// identified later.
pub fn file_sha256(path: &Path) -> Result<String> {
    let io_error = |source| DataError::Io {
        path: path.into(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io_error)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buffer).map_err(io_error)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// The SHA-256 of bytes in memory, in hex: what a model package records of each of its files.
pub fn bytes_sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
