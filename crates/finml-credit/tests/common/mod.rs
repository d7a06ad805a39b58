//! What the credit library tests share.

use std::path::Path;

use finml_credit::DataSource;
use finml_data::{MissingTarget, ReadOptions, SchemaRequest};

/// A synthetic loan file read with target `bad` and ID column `id`.
pub fn source(path: &Path) -> DataSource<'_> {
    DataSource {
        path,
        read: ReadOptions::default(),
        schema: SchemaRequest {
            target: Some("bad".into()),
            file: toml::from_str("id = \"id\"").unwrap(),
            ..Default::default()
        },
        missing_target: MissingTarget::Error,
    }
}
