//! Walk-forward evaluation: retrain on an expanding window, forecast only bars never seen in
//! training, trade the forecasts through the backtesting engine, and judge them against naive
//! forecasts and the built-in strategies over the same out-of-sample bars.

use std::ops::Range;
use std::time::Instant;

use finml_nn::{Progress, SequenceKind};
use serde::Serialize;

use super::ForecastError;
use super::features::{future_volatility, log_returns, past_volatility};
use super::model::{ForecastSpec, Forecaster};
use super::strategy::ModelStrategy;
use crate::backtest::{Backtest, BacktestResult};
use crate::bars::Bars;
use crate::builtin::{BuyAndHold, SmaCross};

/// The schedule of a walk-forward run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Schedule {
    /// Bars in the first training window.
    pub train_bars: usize,
    /// Bars added to the training window at each retraining, and forecast by each model.
    pub step: usize,
}

/// One retraining: the model trains on bars `0..train_end` and forecasts at the closes of the
/// bars in `forecast`, whose targets start at `train_end` or later.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fold {
    pub train_end: usize,
    pub forecast: Range<usize>,
}

impl Schedule {
    /// The folds over `bars` bars. The last bar gets no forecast: nothing would score it and an
    /// order placed on it never fills.
    pub fn folds(&self, bars: usize, spec: &ForecastSpec) -> Result<Vec<Fold>, ForecastError> {
        if self.step == 0 {
            return Err(ForecastError::ZeroStep);
        }
        if self.train_bars < spec.min_bars() {
            return Err(ForecastError::TooFewBars {
                bars: self.train_bars,
                needed: spec.min_bars(),
                window: spec.window,
            });
        }
        if self.train_bars + 1 >= bars {
            return Err(ForecastError::TrainBarsTooLarge {
                train_bars: self.train_bars,
                bars,
            });
        }
        let end = bars - 1;
        Ok((self.train_bars..bars)
            .step_by(self.step)
            .map(|train_end| Fold {
                train_end,
                forecast: train_end - 1..(train_end - 1 + self.step).min(end),
            })
            .filter(|fold| !fold.forecast.is_empty())
            .collect())
    }
}

/// How good the out-of-sample forecasts were, beside a naive forecast.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "target", rename_all = "snake_case")]
pub enum Evaluation {
    /// Direction of the next bar's close: against a constant 50 % (log loss) and against
    /// always forecasting up (accuracy).
    Direction {
        count: usize,
        log_loss: f64,
        baseline_log_loss: f64,
        accuracy: f64,
        baseline_accuracy: f64,
    },
    /// Realised volatility of the next `horizon` bars: against the last `horizon` bars'.
    Volatility {
        count: usize,
        horizon: usize,
        mse: f64,
        baseline_mse: f64,
    },
}

impl Evaluation {
    /// Each measure as (name, model, baseline, lower is better).
    pub fn rows(&self) -> Vec<(&'static str, f64, f64, bool)> {
        match *self {
            Evaluation::Direction {
                log_loss,
                baseline_log_loss,
                accuracy,
                baseline_accuracy,
                ..
            } => vec![
                (
                    "log loss (baseline: P(up) = 0.5)",
                    log_loss,
                    baseline_log_loss,
                    true,
                ),
                (
                    "accuracy (baseline: always up)",
                    accuracy,
                    baseline_accuracy,
                    false,
                ),
            ],
            Evaluation::Volatility {
                mse, baseline_mse, ..
            } => vec![(
                "volatility MSE (baseline: last period's)",
                mse,
                baseline_mse,
                true,
            )],
        }
    }
}

/// Whether `model` is strictly better than `baseline` on a measure.
pub fn beats(model: f64, baseline: f64, lower_is_better: bool) -> bool {
    if lower_is_better {
        model < baseline
    } else {
        model > baseline
    }
}

/// Everything a walk-forward run produced.
#[derive(Debug)]
pub struct WalkForward {
    pub folds: Vec<FoldReport>,
    /// The first bar with a forecast; `forecasts[i]` was made at the close of bar `first + i`.
    pub first: usize,
    pub forecasts: Vec<f64>,
    pub evaluation: Evaluation,
    /// The bars traded: from the bar before the first forecast to the end.
    pub bars: Bars,
    /// Where `bars` starts in the full series.
    pub offset: usize,
    pub model: BacktestResult,
    pub buy_and_hold: BacktestResult,
    pub sma_cross: BacktestResult,
}

/// One retraining as it ran.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FoldReport {
    #[serde(flatten)]
    pub fold: Fold,
    pub training_rows: usize,
    pub final_loss: f64,
    pub seconds: f64,
}

/// Runs a walk-forward evaluation of `spec` on `bars`. Each fold trains on a copy of the bars
/// before its `train_end` only, so no later bar can reach its model. `margin` widens the
/// direction models' no-trade band around 0.5; `sma` is sma-cross's (fast, slow).
pub fn walk_forward(
    bars: &Bars,
    spec: &ForecastSpec,
    schedule: Schedule,
    backtest: &Backtest,
    margin: f64,
    sma: (usize, usize),
    on_progress: &mut dyn FnMut(usize, &Progress),
) -> Result<WalkForward, ForecastError> {
    let folds = schedule.folds(bars.len(), spec)?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    let mut reports = Vec::with_capacity(folds.len());
    let mut forecasts = Vec::new();
    let mut long = Vec::new();
    for (index, fold) in folds.iter().enumerate() {
        let started = Instant::now();
        let history = bars.slice(0..fold.train_end);
        let model = Forecaster::train(&history, spec, threads, &mut |p| on_progress(index, p))?;
        let values = model.forecast(bars, fold.forecast.clone())?;
        long.extend(values.iter().map(|&value| model.long(value, margin)));
        forecasts.extend(values);
        reports.push(FoldReport {
            fold: fold.clone(),
            training_rows: model.card.training_rows,
            final_loss: model.card.loss_history.last().copied().unwrap_or(f64::NAN),
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    let first = folds[0].forecast.start;
    let evaluation = evaluate(bars, spec, first, &forecasts);
    // The traded bars start one bar before the first forecast: the engine acts from the bar
    // after its warm-up, and every strategy here gets that same first bar.
    let offset = first - 1;
    let traded = bars.slice(offset..bars.len());
    let run = |strategy: &mut dyn crate::strategy::Strategy| backtest.run(&traded, strategy);
    let model = run(&mut ModelStrategy::new(1, long))?;
    let buy_and_hold = run(&mut BuyAndHold::default())?;
    let sma_cross = run(&mut SmaCross::new(sma.0, sma.1))?;
    Ok(WalkForward {
        folds: reports,
        first,
        forecasts,
        evaluation,
        bars: traded,
        offset,
        model,
        buy_and_hold,
        sma_cross,
    })
}

/// Scores the forecasts made at bars `first..` against what happened, where it is known.
fn evaluate(bars: &Bars, spec: &ForecastSpec, first: usize, forecasts: &[f64]) -> Evaluation {
    let returns = log_returns(bars.close());
    let at = |i: usize| first + i;
    if spec.kind == SequenceKind::Seq2seq {
        let k = spec.horizon;
        let scored: Vec<(f64, f64, f64)> = forecasts
            .iter()
            .enumerate()
            .filter_map(|(i, &forecast)| {
                let actual = future_volatility(&returns, at(i), k)?;
                let naive = past_volatility(&returns, at(i), k)?;
                Some((forecast, naive, actual))
            })
            .collect();
        let mse = |pick: fn(&(f64, f64, f64)) -> f64| {
            scored.iter().map(|s| (pick(s) - s.2).powi(2)).sum::<f64>() / scored.len() as f64
        };
        return Evaluation::Volatility {
            count: scored.len(),
            horizon: k,
            mse: mse(|s| s.0),
            baseline_mse: mse(|s| s.1),
        };
    }
    let labels: Vec<u8> = (0..forecasts.len())
        .map(|i| u8::from(returns[at(i) + 1] > 0.0))
        .collect();
    let half = vec![0.5; forecasts.len()];
    let up = vec![1.0; forecasts.len()];
    let metric = |result: Result<f64, finml_metrics::MetricsError>| result.unwrap_or(f64::NAN);
    Evaluation::Direction {
        count: forecasts.len(),
        log_loss: metric(finml_metrics::log_loss(forecasts, &labels)),
        baseline_log_loss: metric(finml_metrics::log_loss(&half, &labels)),
        accuracy: metric(finml_metrics::accuracy(forecasts, &labels, 0.5)),
        baseline_accuracy: metric(finml_metrics::accuracy(&up, &labels, 0.5)),
    }
}
