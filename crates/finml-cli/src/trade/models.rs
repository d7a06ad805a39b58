//! `finml trade train` and `finml trade walk-forward`: sequence forecasters on OHLCV bars, and
//! their out-of-sample trading beside the built-in strategies.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use finml_trading::forecast::{
    Evaluation, ForecastError, ForecastSpec, Forecaster, Progress, Schedule, SequenceKind,
    WalkForward, beats, model_kind, model_name, walk_forward,
};
use finml_trading::{Backtest, Bars, Commission, StatValue, Stats};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

/// The network and how to train it, shared by `train` and `walk-forward`.
#[derive(Args)]
pub struct ModelArgs {
    /// Network: lstm, gru (gated RNNs), transformer (self-attention encoder) or seq2seq (LSTM
    /// encoder-decoder forecasting the next --horizon bars' realised volatility)
    #[arg(long, value_parser = parse_model)]
    model: SequenceKind,
    /// Bars per input window
    #[arg(long, default_value_t = 60)]
    window: usize,
    /// Bars whose realised volatility seq2seq forecasts
    #[arg(long, default_value_t = 5)]
    horizon: usize,
    /// Hidden units of the RNNs; width of the transformer
    #[arg(long, default_value_t = 16)]
    hidden: usize,
    /// Passes over the training windows
    #[arg(long, default_value_t = 10)]
    epochs: usize,
    /// Windows per optimiser step
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Adam's learning rate
    #[arg(long, default_value_t = 1e-3)]
    learning_rate: f64,
    /// Seed of the initial weights and the batch order
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

fn parse_model(name: &str) -> Result<SequenceKind, ForecastError> {
    model_kind(name)
}

impl ModelArgs {
    fn spec(&self) -> ForecastSpec {
        let mut spec = ForecastSpec::new(self.model);
        spec.window = self.window;
        spec.horizon = self.horizon;
        spec.hidden = self.hidden;
        spec.train.epochs = self.epochs;
        spec.train.batch_size = self.batch_size;
        spec.train.learning_rate = self.learning_rate;
        spec.train.seed = self.seed;
        spec
    }
}

#[derive(Args)]
pub struct TrainArgs {
    /// OHLCV data (.csv or .parquet); every bar is used for training
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    #[command(flatten)]
    model: ModelArgs,
    /// Model directory to write (model.json and weights.bpk)
    #[arg(long, value_name = "MODEL")]
    out: PathBuf,
}

#[derive(Args)]
pub struct WalkForwardArgs {
    /// OHLCV data (.csv or .parquet)
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// Starting cash of every backtest
    #[arg(long, default_value_t = 10_000.0)]
    cash: f64,
    /// Commission rate per fill, charged at entry and again at exit (0.002 = 0.2 %)
    #[arg(long, default_value_t = 0.0)]
    commission: f64,
    #[command(flatten)]
    model: ModelArgs,
    /// Bars in the first training window
    #[arg(long, default_value_t = 1000)]
    train_bars: usize,
    /// Bars added to the training window at each retraining, and forecast by each model
    #[arg(long, default_value_t = 250)]
    step: usize,
    /// Direction models go long only when P(up) > 0.5 + margin
    #[arg(long, default_value_t = 0.0)]
    margin: f64,
    /// Fast SMA period of the sma-cross comparison
    #[arg(long, default_value_t = 10)]
    fast: usize,
    /// Slow SMA period of the sma-cross comparison
    #[arg(long, default_value_t = 20)]
    slow: usize,
    /// Print one JSON object instead of tables
    #[arg(long)]
    json: bool,
}

/// A progress bar over all epochs and batches, on stderr when it is a terminal.
fn progress_bar(label: &str) -> (ProgressBar, impl FnMut(usize, &Progress)) {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {msg} [{elapsed}]").expect("a valid template"),
    );
    let shown = bar.clone();
    let label = label.to_owned();
    let update = move |fold: usize, p: &Progress| {
        shown.set_length((p.epochs * p.batches) as u64);
        shown.set_position(((p.epoch - 1) * p.batches + p.batch) as u64);
        shown.set_message(format!(
            "{label} fold {} epoch {}/{} loss {:.4}",
            fold + 1,
            p.epoch,
            p.epochs,
            p.loss
        ));
    };
    (bar, update)
}

pub fn train(args: TrainArgs) -> Result<()> {
    let bars = finml_trading::load_bars(&args.data)?;
    let spec = args.model.spec();
    let started = std::time::Instant::now();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    let (bar, mut update) = progress_bar(model_name(spec.kind));
    let mut model = Forecaster::train(&bars, &spec, threads, &mut |p| update(0, p))?;
    bar.finish_and_clear();
    model.card.data_sha256 = Some(finml_data::file_sha256(&args.data)?);
    model.save(&args.out)?;
    let card = &model.card;
    println!(
        "{} trained on {} windows of {} bars from {} in {:.1} s; final loss {:.5}",
        model_name(spec.kind),
        card.training_rows,
        spec.window,
        data_name(&args.data),
        started.elapsed().as_secs_f64(),
        card.loss_history.last().copied().unwrap_or(f64::NAN)
    );
    println!("wrote {}", args.out.display());
    Ok(())
}

fn data_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// The no-trade band around 0.5 must leave room for a long signal.
pub fn check_margin(margin: f64) -> Result<()> {
    if !(0.0..0.5).contains(&margin) {
        anyhow::bail!("--margin must lie in [0, 0.5), not {margin}");
    }
    Ok(())
}

pub fn walk(args: WalkForwardArgs) -> Result<()> {
    check_margin(args.margin)?;
    let bars = finml_trading::load_bars(&args.data)?;
    let backtest = Backtest::new(args.cash, Commission::rate(args.commission))?;
    let spec = args.model.spec();
    let schedule = Schedule {
        train_bars: args.train_bars,
        step: args.step,
    };
    let started = std::time::Instant::now();
    let (bar, mut update) = progress_bar(model_name(spec.kind));
    let result = walk_forward(
        &bars,
        &spec,
        schedule,
        &backtest,
        args.margin,
        (args.fast, args.slow),
        &mut update,
    )
    .with_context(|| format!("walk-forward on {}", args.data.display()))?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    let sma = format!("sma-cross(fast={},slow={})", args.fast, args.slow);
    if args.json {
        let report = Report::new(&spec, &result, &sma, seconds);
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    print_walk(&args, &spec, &result, &sma, seconds, &bars);
    Ok(())
}

/// The statistics set side by side in the text report.
const COMPARED: [&str; 10] = [
    "Return [%]",
    "Buy & Hold Return [%]",
    "Return (Ann.) [%]",
    "Volatility (Ann.) [%]",
    "Sharpe Ratio",
    "Sortino Ratio",
    "Max. Drawdown [%]",
    "# Trades",
    "Win Rate [%]",
    "Exposure Time [%]",
];

fn print_walk(
    args: &WalkForwardArgs,
    spec: &ForecastSpec,
    result: &WalkForward,
    sma: &str,
    seconds: f64,
    bars: &Bars,
) {
    let when = |bar: usize| {
        bars.timestamps()[bar]
            .datetime()
            .format("%Y-%m-%d")
            .to_string()
    };
    let last = result.first + result.forecasts.len() - 1;
    println!(
        "Walk-forward {} on {}: {} folds, forecasts at bars {}..={} ({} to {}), {:.1} s",
        model_name(spec.kind),
        data_name(&args.data),
        result.folds.len(),
        result.first,
        last,
        when(result.first),
        when(last),
        seconds
    );
    println!(
        "\n{:>5}  {:>10}  {:>15}  {:>6}  {:>10}  {:>8}",
        "fold", "train bars", "forecast bars", "rows", "final loss", "seconds"
    );
    for (index, fold) in result.folds.iter().enumerate() {
        let range = format!("{}..{}", fold.fold.forecast.start, fold.fold.forecast.end);
        println!(
            "{:>5}  {:>10}  {range:>15}  {:>6}  {:>10.5}  {:>8.1}",
            index + 1,
            fold.fold.train_end,
            fold.training_rows,
            fold.final_loss,
            fold.seconds
        );
    }
    println!(
        "\n{:<44}{:>12}{:>12}  beats baseline",
        format!(
            "forecasts ({} scored)",
            evaluation_count(&result.evaluation)
        ),
        "model",
        "baseline"
    );
    for (name, model, baseline, lower) in result.evaluation.rows() {
        let verdict = yes_no(beats(model, baseline, lower));
        println!("{name:<44}{model:>12.6}{baseline:>12.6}  {verdict}");
    }
    let strategy = format!("model({})", model_name(spec.kind));
    println!(
        "\n{:<26}{strategy:>16}{:>16}{sma:>28}",
        "out-of-sample trading", "buy-and-hold"
    );
    let results = [&result.model, &result.buy_and_hold, &result.sma_cross];
    for name in COMPARED {
        let cells: Vec<String> = results
            .iter()
            .map(|run| format_stat(&run.stats, name))
            .collect();
        println!("{name:<26}{:>16}{:>16}{:>28}", cells[0], cells[1], cells[2]);
    }
    let sharpe = |stats: &Stats| stats.value("Sharpe Ratio").unwrap_or(f64::NAN);
    let model_sharpe = sharpe(&result.model.stats);
    println!(
        "\nSharpe ratio above buy-and-hold: {}; above {sma}: {}",
        yes_no(model_sharpe > sharpe(&result.buy_and_hold.stats)),
        yes_no(model_sharpe > sharpe(&result.sma_cross.stats))
    );
}

fn evaluation_count(evaluation: &Evaluation) -> usize {
    match evaluation {
        Evaluation::Direction { count, .. } | Evaluation::Volatility { count, .. } => *count,
    }
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

fn format_stat(stats: &Stats, name: &str) -> String {
    let value = stats
        .entries()
        .into_iter()
        .find(|(entry, _)| *entry == name)
        .map(|(_, value)| value);
    match value {
        Some(StatValue::Count(count)) => count.to_string(),
        Some(StatValue::Number(number)) => format!("{number:.4}"),
        _ => "-".to_owned(),
    }
}

/// The JSON of a walk-forward run.
#[derive(Serialize)]
struct Report<'a> {
    model: &'static str,
    spec: &'a ForecastSpec,
    seconds: f64,
    first_forecast_bar: usize,
    forecasts: usize,
    folds: &'a [finml_trading::forecast::FoldReport],
    evaluation: &'a Evaluation,
    /// Each forecast measure with the model's and the baseline's value and whether it beats it.
    versus_baseline: Vec<Versus>,
    /// backtesting.py's statistics of each strategy over the same out-of-sample bars.
    backtests: Vec<Named<'a>>,
}

#[derive(Serialize)]
struct Versus {
    measure: &'static str,
    model: f64,
    baseline: f64,
    beats_baseline: bool,
}

#[derive(Serialize)]
struct Named<'a> {
    strategy: String,
    stats: &'a Stats,
}

impl<'a> Report<'a> {
    fn new(spec: &'a ForecastSpec, result: &'a WalkForward, sma: &str, seconds: f64) -> Self {
        let versus_baseline = result
            .evaluation
            .rows()
            .into_iter()
            .map(|(measure, model, baseline, lower)| Versus {
                measure,
                model,
                baseline,
                beats_baseline: beats(model, baseline, lower),
            })
            .collect();
        let named = |strategy: String, stats| Named { strategy, stats };
        Self {
            model: model_name(spec.kind),
            spec,
            seconds,
            first_forecast_bar: result.first,
            forecasts: result.forecasts.len(),
            folds: &result.folds,
            evaluation: &result.evaluation,
            versus_baseline,
            backtests: vec![
                named(
                    format!("model({})", model_name(spec.kind)),
                    &result.model.stats,
                ),
                named("buy-and-hold()".to_owned(), &result.buy_and_hold.stats),
                named(sma.to_owned(), &result.sma_cross.stats),
            ],
        }
    }
}
