//! One error type for the crate, whose [`CreditError::kind`] tells a front end whose fault a
//! failure is: the caller's data or settings (an HTTP 4xx, a message to fix the input), a
//! model package that cannot be trusted, or finml's own (a 5xx). Messages speak of the
//! library's settings ([`Setting`]); a front end names them its own way (a CLI flag, a JSON key).

use std::fmt;
use std::path::PathBuf;

use finml_data::DataError;
use finml_data::image::TooManyInputs;
use finml_metrics::MetricsError;
use finml_nn::NnError;
use finml_risk::RiskError;

#[derive(Debug, thiserror::Error)]
pub enum CreditError {
    /// Data that cannot be read or typed: the error names its source, record and column.
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
    /// A drift comparison that could not be made: its error names the file and column.
    #[error(transparent)]
    Risk(#[from] RiskError),
    /// A model package that is unreadable, inconsistent or not finml's.
    #[error("model package {}: {message}", path.display())]
    Package { path: PathBuf, message: String },
    #[error("unknown model '{name}'; the models are: {known}")]
    UnknownModel { name: String, known: String },
    /// A setting outside its domain.
    #[error("{setting} {requirement}")]
    Setting {
        setting: Setting,
        requirement: String,
    },
    /// Data that cannot support the model asked for: too few rows, one class where both are
    /// needed, a fit that cannot converge on them.
    #[error("{0}")]
    Unfit(String),
    /// finml disagreeing with itself: a bug to report, not something the caller can fix.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Whose fault an error is, so that a front end can answer it: a service answers `Input` and
/// `Setting` with a client error, `Package` and `Internal` with a server error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The records or files handed over: fix the data.
    Input,
    /// A setting or option outside its domain: fix the request.
    Setting,
    /// A model package that cannot be loaded or trusted.
    Package,
    /// finml's own fault.
    Internal,
}

impl CreditError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            CreditError::Data(DataError::Mismatch(_)) | CreditError::Internal(_) => {
                ErrorKind::Internal
            }
            CreditError::Risk(RiskError::InvalidValue { .. }) => ErrorKind::Setting,
            CreditError::Data(_)
            | CreditError::Risk(_)
            | CreditError::Metrics { .. }
            | CreditError::Layout(_)
            | CreditError::Unfit(_) => ErrorKind::Input,
            CreditError::Network(NnError::Config(_))
            | CreditError::Setting { .. }
            | CreditError::UnknownModel { .. } => ErrorKind::Setting,
            CreditError::Network(NnError::Weights(_)) | CreditError::Package { .. } => {
                ErrorKind::Package
            }
        }
    }

    pub(crate) fn package(path: impl Into<PathBuf>, message: impl ToString) -> Self {
        CreditError::Package {
            path: path.into(),
            message: message.to_string(),
        }
    }

    pub(crate) fn setting(setting: Setting, requirement: impl Into<String>) -> Self {
        CreditError::Setting {
            setting,
            requirement: requirement.into(),
        }
    }

    pub(crate) fn metrics(context: impl Into<String>) -> impl FnOnce(MetricsError) -> Self {
        let context = context.into();
        move |source| CreditError::Metrics { context, source }
    }
}

/// The settings whose values the library checks, in the library's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// The models a comparison cross-validates.
    ComparedModels,
    /// The share of rows held out to measure a trained model.
    TestFraction,
    /// The networks a deep model averages.
    DeepMembers,
    /// Epochs without a better validation metric before a deep network stops.
    Patience,
    /// The share of training rows a deep network holds out for early stopping.
    ValidationFraction,
    /// The members of a blended ensemble.
    EnsembleMembers,
    /// The candidate inverse L2 strengths of logistic regression.
    CGrid,
    /// The candidate tree depths of gradient boosting.
    Depths,
    /// A monotone constraint of gradient boosting.
    Monotone,
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Setting::ComparedModels => "the models to compare",
            Setting::TestFraction => "the test fraction",
            Setting::DeepMembers => "the number of networks averaged",
            Setting::Patience => "the early-stopping patience",
            Setting::ValidationFraction => "the validation share",
            Setting::EnsembleMembers => "the ensemble members",
            Setting::CGrid => "the C grid",
            Setting::Depths => "the candidate depths",
            Setting::Monotone => "the monotone constraint",
        })
    }
}

pub type Result<T, E = CreditError> = std::result::Result<T, E>;
