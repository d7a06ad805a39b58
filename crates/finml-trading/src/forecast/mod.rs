//! Forecasting models that trade through the backtester: features without look-ahead, sequence
//! networks from finml-nn trained on them, the `model` strategy, and walk-forward evaluation.

mod features;
mod model;
mod strategy;
mod walk;

use thiserror::Error;

pub use finml_nn::{Progress, SequenceKind};

pub use features::{
    FEATURES, Standardizer, bar_features, future_volatility, log_returns, past_volatility,
};
pub use model::{ForecastSpec, Forecaster, ModelCard, model_kind, model_name};
pub use strategy::ModelStrategy;
pub use walk::{Evaluation, Fold, FoldReport, Schedule, WalkForward, beats, walk_forward};

/// A forecaster that could not be trained, used, saved or loaded.
#[derive(Debug, Error)]
pub enum ForecastError {
    #[error("unknown model '{0}'; the models are lstm, gru, transformer and seq2seq")]
    UnknownModel(String),
    #[error(
        "training needs at least {needed} bars (a window of {window} and the bars its target reads), but has {bars}"
    )]
    TooFewBars {
        bars: usize,
        needed: usize,
        window: usize,
    },
    #[error(
        "--train-bars {train_bars} leaves nothing to forecast: the data has {bars} bars, so it must be at most {}",
        bars.saturating_sub(2)
    )]
    TrainBarsTooLarge { train_bars: usize, bars: usize },
    #[error("the walk-forward step must be at least 1 bar")]
    ZeroStep,
    #[error(
        "cannot forecast bars {first}..{end}: a window of {window} needs bars from {} on, and the data has {bars}",
        window.saturating_sub(1)
    )]
    OutOfRange {
        first: usize,
        end: usize,
        bars: usize,
        window: usize,
    },
    #[error(transparent)]
    Network(#[from] finml_nn::NnError),
    #[error(transparent)]
    Backtest(#[from] crate::backtest::BacktestError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a finml forecaster's model card: {source}")]
    Card {
        path: String,
        source: serde_json::Error,
    },
}
