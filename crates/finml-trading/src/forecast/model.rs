//! A trained forecaster: a sequence network, the feature standardisation it was trained with,
//! and the rule that turns its forecasts into positions; saved as a model directory.

use std::ops::Range;
use std::path::Path;

use finml_nn::{
    BACKEND, Examples, Progress, SequenceConfig, SequenceKind, SequenceNet, Targets, TrainConfig,
    inference_device, load_weights, predict, predict_outputs, save_weights, train,
    train_regression, training_device,
};
use serde::{Deserialize, Serialize};

use super::ForecastError;
use super::features::{FEATURES, Standardizer, bar_features, future_volatility, log_returns};
use crate::bars::Bars;

const CARD: &str = "model.json";
const WEIGHTS: &str = "weights.bpk";

/// What to train: the network, its input window, the forecast horizon and the optimiser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastSpec {
    pub kind: SequenceKind,
    /// Bars per input window.
    pub window: usize,
    /// Bars whose realised volatility seq2seq forecasts; the others forecast one bar.
    pub horizon: usize,
    pub hidden: usize,
    pub heads: usize,
    pub layers: usize,
    pub train: TrainConfig,
}

impl ForecastSpec {
    /// A spec with finml's defaults: window 60, horizon 5, 16 hidden units, 2 heads, 1 layer,
    /// and the training loop's defaults (10 epochs of 32, Adam 1e-3, seed 42).
    pub fn new(kind: SequenceKind) -> Self {
        Self {
            kind,
            window: 60,
            horizon: 5,
            hidden: 16,
            heads: 2,
            layers: 1,
            train: TrainConfig::default(),
        }
    }

    /// Bars after the last input bar that a training target reads.
    pub fn target_bars(&self) -> usize {
        match self.kind {
            SequenceKind::Seq2seq => self.horizon,
            _ => 1,
        }
    }

    /// The fewest bars a training set may have: one window and its target.
    pub fn min_bars(&self) -> usize {
        self.window + self.target_bars()
    }

    fn network(&self) -> SequenceConfig {
        SequenceConfig {
            kind: self.kind,
            window: self.window,
            features: FEATURES,
            hidden: self.hidden,
            horizon: self.horizon,
            heads: self.heads,
            layers: self.layers,
        }
    }
}

/// The names the command line knows the networks by.
pub fn model_kind(name: &str) -> Result<SequenceKind, ForecastError> {
    KINDS
        .into_iter()
        .find(|kind| model_name(*kind) == name)
        .ok_or_else(|| ForecastError::UnknownModel(name.to_owned()))
}

/// The name of a network, as [`model_kind`] reads it.
pub fn model_name(kind: SequenceKind) -> &'static str {
    match kind {
        SequenceKind::Lstm => "lstm",
        SequenceKind::Gru => "gru",
        SequenceKind::Transformer => "transformer",
        SequenceKind::Seq2seq => "seq2seq",
    }
}

const KINDS: [SequenceKind; 4] = [
    SequenceKind::Lstm,
    SequenceKind::Gru,
    SequenceKind::Transformer,
    SequenceKind::Seq2seq,
];

/// Everything about a forecaster except its weights; written as `model.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    pub finml_version: String,
    pub backend: String,
    pub spec: ForecastSpec,
    pub standardizer: Standardizer,
    /// Mean squared log return of the training bars. Seq2seq learns each future bar's squared
    /// return divided by it, so that its targets are near 1 whatever the asset.
    pub return_variance: f64,
    /// Seq2seq's trading rule holds long while the forecast volatility is at most this: the
    /// median realised `horizon`-bar volatility of the training bars.
    pub volatility_threshold: Option<f64>,
    pub training_bars: usize,
    pub training_rows: usize,
    /// Mean training loss per epoch.
    pub loss_history: Vec<f64>,
    /// SHA-256 of the training file, where the caller knows it.
    pub data_sha256: Option<String>,
}

/// A trained forecaster.
#[derive(Debug)]
pub struct Forecaster {
    pub card: ModelCard,
    net: SequenceNet,
}

impl Forecaster {
    /// Trains on every bar of `bars`: windows ending at bar t with t + target bars inside the
    /// data. Lstm, gru and transformer learn P(next bar's log return > 0) by cross-entropy;
    /// seq2seq learns the next `horizon` squared returns by mean squared error.
    pub fn train(
        bars: &Bars,
        spec: &ForecastSpec,
        threads: usize,
        on_progress: &mut dyn FnMut(&Progress),
    ) -> Result<Self, ForecastError> {
        if bars.len() < spec.min_bars() {
            return Err(ForecastError::TooFewBars {
                bars: bars.len(),
                needed: spec.min_bars(),
                window: spec.window,
            });
        }
        let features = bar_features(bars);
        let returns = log_returns(bars.close());
        let standardizer = Standardizer::fit(&features, bars.len());
        let rows: Vec<usize> = (spec.window - 1..bars.len() - spec.target_bars()).collect();
        let inputs: Vec<f32> = rows
            .iter()
            .flat_map(|&t| standardizer.window(&features, t, spec.window))
            .collect();
        let squares = returns[1..].iter().map(|r| r * r).sum::<f64>();
        let return_variance = match squares / (bars.len() - 1) as f64 {
            variance if variance > 0.0 => variance,
            _ => 1.0,
        };
        let set = TrainingSet {
            inputs: &inputs,
            rows: &rows,
            returns: &returns,
            return_variance,
        };
        let (net, loss_history, volatility_threshold) = if spec.kind == SequenceKind::Seq2seq {
            set.fit_volatility(spec, threads, on_progress)?
        } else {
            set.fit_direction(spec, threads, on_progress)?
        };
        let card = ModelCard {
            finml_version: env!("CARGO_PKG_VERSION").to_owned(),
            backend: BACKEND.to_owned(),
            spec: spec.clone(),
            standardizer,
            return_variance,
            volatility_threshold,
            training_bars: bars.len(),
            training_rows: rows.len(),
            loss_history,
            data_sha256: None,
        };
        Ok(Self { card, net })
    }

    /// One forecast per bar t in `at`, made at t's close from the window ending at t: the
    /// probability that the next bar's close is above t's (lstm, gru, transformer), or the
    /// realised volatility √Σ r² of the next `horizon` bars (seq2seq).
    pub fn forecast(&self, bars: &Bars, at: Range<usize>) -> Result<Vec<f64>, ForecastError> {
        let spec = &self.card.spec;
        if at.start + 1 < spec.window || at.end > bars.len() {
            return Err(ForecastError::OutOfRange {
                first: at.start,
                end: at.end,
                bars: bars.len(),
                window: spec.window,
            });
        }
        let features = bar_features(bars);
        let inputs: Vec<f32> = at
            .clone()
            .flat_map(|t| self.card.standardizer.window(&features, t, spec.window))
            .collect();
        let n_inputs = spec.network().inputs();
        if spec.kind != SequenceKind::Seq2seq {
            return Ok(predict(&self.net, &inputs, n_inputs));
        }
        let outputs = predict_outputs(&self.net, &inputs, n_inputs);
        Ok(outputs
            .chunks(spec.horizon)
            .map(|steps| (steps.iter().sum::<f64>().max(0.0) * self.card.return_variance).sqrt())
            .collect())
    }

    /// Whether to hold a long position after a forecast: P(up) > 0.5 + `margin` for the
    /// direction models; for seq2seq, forecast volatility at most the training median (a
    /// volatility filter: stay in the market while it is calm).
    pub fn long(&self, forecast: f64, margin: f64) -> bool {
        match self.card.volatility_threshold {
            Some(threshold) => forecast <= threshold,
            None => forecast > 0.5 + margin,
        }
    }

    /// Writes `model.json` and `weights.bpk` into `dir`, creating it.
    pub fn save(&self, dir: &Path) -> Result<(), ForecastError> {
        let io = |source| ForecastError::Io {
            path: dir.display().to_string(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let card =
            serde_json::to_string_pretty(&self.card).map_err(|source| ForecastError::Card {
                path: dir.join(CARD).display().to_string(),
                source,
            })?;
        std::fs::write(dir.join(CARD), card).map_err(|source| ForecastError::Io {
            path: dir.join(CARD).display().to_string(),
            source,
        })?;
        save_weights(&self.net, &dir.join(WEIGHTS))?;
        Ok(())
    }

    /// Reads a model directory written by [`Forecaster::save`].
    pub fn load(dir: &Path) -> Result<Self, ForecastError> {
        let path = dir.join(CARD);
        let text = std::fs::read_to_string(&path).map_err(|source| ForecastError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let card: ModelCard =
            serde_json::from_str(&text).map_err(|source| ForecastError::Card {
                path: path.display().to_string(),
                source,
            })?;
        let blank = card
            .spec
            .network()
            .init(card.spec.train.seed, &inference_device())?;
        let net = load_weights(blank, &dir.join(WEIGHTS))?;
        Ok(Self { card, net })
    }
}

/// The windows a forecaster trains on: `rows` are the bars they end at.
struct TrainingSet<'a> {
    inputs: &'a [f32],
    rows: &'a [usize],
    returns: &'a [f64],
    return_variance: f64,
}

/// A trained network, its loss per epoch, and seq2seq's volatility threshold.
type Fitted = (SequenceNet, Vec<f64>, Option<f64>);

impl TrainingSet<'_> {
    /// Seq2seq: each of the next `horizon` squared returns over the training variance, by MSE.
    fn fit_volatility(
        &self,
        spec: &ForecastSpec,
        threads: usize,
        on_progress: &mut dyn FnMut(&Progress),
    ) -> Result<Fitted, ForecastError> {
        let values: Vec<f32> = self
            .rows
            .iter()
            .flat_map(|&t| &self.returns[t + 1..=t + spec.horizon])
            .map(|r| (r * r / self.return_variance) as f32)
            .collect();
        let targets = Targets {
            inputs: self.inputs,
            n_inputs: spec.network().inputs(),
            values: &values,
            n_outputs: spec.horizon,
        };
        let blank = spec.network().init(spec.train.seed, &training_device())?;
        let (net, history) = train_regression(blank, &targets, &spec.train, threads, on_progress)?;
        let mut realised: Vec<f64> = self
            .rows
            .iter()
            .filter_map(|&t| future_volatility(self.returns, t, spec.horizon))
            .collect();
        Ok((net, history, Some(median(&mut realised))))
    }

    /// Lstm, gru, transformer: whether the next bar's log return is positive, by cross-entropy.
    fn fit_direction(
        &self,
        spec: &ForecastSpec,
        threads: usize,
        on_progress: &mut dyn FnMut(&Progress),
    ) -> Result<Fitted, ForecastError> {
        let labels: Vec<u8> = self
            .rows
            .iter()
            .map(|&t| u8::from(self.returns[t + 1] > 0.0))
            .collect();
        let examples = Examples {
            inputs: self.inputs,
            n_inputs: spec.network().inputs(),
            labels: &labels,
        };
        let blank = spec.network().init(spec.train.seed, &training_device())?;
        let (net, history) = train(blank, &examples, &spec.train, threads, on_progress)?;
        Ok((net, history, None))
    }
}

/// The median (mean of the middle two for an even count); NaN when empty.
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}
