use std::path::PathBuf;

use finml_data::DataError;
use finml_data::image::TooManyInputs;
use finml_metrics::MetricsError;
use finml_nn::NnError;
use finml_risk::RiskError;

#[derive(Debug, thiserror::Error)]
pub enum CreditError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("{context}: {source}")]
    Metrics {
        context: String,
        source: MetricsError,
    },
    #[error(transparent)]
    Network(#[from] NnError),
    #[error(transparent)]
    Layout(#[from] TooManyInputs),
    #[error(transparent)]
    Risk(#[from] RiskError),
    #[error("model package {}: {message}", path.display())]
    Package { path: PathBuf, message: String },
    #[error("{0}")]
    Invalid(String),
}

impl CreditError {
    pub(crate) fn package(path: impl Into<PathBuf>, message: impl ToString) -> Self {
        CreditError::Package {
            path: path.into(),
            message: message.to_string(),
        }
    }

    pub(crate) fn metrics(context: impl Into<String>) -> impl FnOnce(MetricsError) -> Self {
        let context = context.into();
        move |source| CreditError::Metrics { context, source }
    }
}

pub type Result<T, E = CreditError> = std::result::Result<T, E>;
