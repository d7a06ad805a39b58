//! Credit scoring: fitting models on loan applications, the model package, and the one
//! scoring path that evaluation, batch scoring and the service share.
//!
//! ```no_run
//! use std::path::Path;
//! use finml_credit::{DataSource, ModelKind, ModelSpec, train};
//! use finml_data::{MissingTarget, ReadOptions, SchemaRequest};
//!
//! let source = DataSource {
//!     path: Path::new("german.csv"),
//!     read: ReadOptions::default(),
//!     schema: SchemaRequest { target: Some("creditability".into()), ..Default::default() },
//!     missing_target: MissingTarget::Error,
//! };
//! let (model, metadata) = train(&source, &ModelSpec::new(ModelKind::SeedCnn), 0.2, 2, &mut |_| {})?;
//! println!("test AUC {:.3}", metadata.test_metrics.as_ref().unwrap().auc);
//! model.save(Path::new("model"), &metadata)?;
//! # Ok::<(), finml_credit::CreditError>(())
//! ```

mod compare;
mod deep;
mod ensemble;
mod error;
pub mod gbdt;
mod legacy;
pub mod logistic;
mod model;
mod monitor;
mod package;
pub mod scorecard;
mod workflow;

pub use compare::{Comparison, Paired, compare};
pub use deep::DeepConfig;
pub use ensemble::EnsembleConfig;
pub use error::{CreditError, ErrorKind, Result, Setting};
pub use finml_nn::{FtTransformerConfig, ResMlpConfig, SeedCnnConfig, TrainConfig};
pub use model::{
    CreditModel, DEFAULT_SEED, FitOptions, ModelConfig, ModelKind, ModelSpec, SeedCnnSettings,
};
pub use monitor::drift_through_model;
pub use package::{FORMAT_VERSION, Metadata, TrainingData};
pub use workflow::{
    CvReport, DataSource, Evaluation, FoldMetrics, FoldResult, Scores, THRESHOLD, cross_validate,
    evaluate, fit_fold, measure, predict, train,
};
