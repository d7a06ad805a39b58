//! `finml trade`: backtests and grid optimisation of trading strategies on OHLCV data, with
//! backtesting.py 0.6.6's execution rules and statistics, and sequence forecasters (`models`).

mod models;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use finml_trading::forecast::{Forecaster, model_name};
use finml_trading::plot::{backtest_svg, heatmap_svg};
use finml_trading::{
    Backtest, BacktestResult, Bars, BuiltinStrategy, Commission, Constraint, Grid, GridAxis,
    ModelStrategy, Optimization, Parameters, StatValue, Stats, Strategy, load_bars, optimize,
    write_equity_csv, write_runs_csv, write_trades_csv,
};
use serde::Serialize;

#[derive(Subcommand)]
pub enum TradeCommand {
    /// Backtest one strategy (orders fill at the next bar's open) and print its statistics
    Backtest(BacktestArgs),
    /// Backtest every combination of a parameter grid in parallel and rank them by a statistic
    Optimize(OptimizeArgs),
    /// Train a forecaster (lstm, gru, transformer, seq2seq) on every bar and save it
    Train(models::TrainArgs),
    /// Retrain on an expanding window, forecast unseen bars, trade them, compare with baselines
    WalkForward(models::WalkForwardArgs),
}

/// The data, the strategy and the account, shared by both commands.
#[derive(Args)]
pub struct MarketArgs {
    /// OHLCV data: .csv (a timestamp column, then Open, High, Low, Close and optionally Volume,
    /// in any letter case) or .parquet
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// Strategy: sma-cross (buy when the fast SMA crosses above the slow one, sell when below),
    /// buy-and-hold, or model (a forecaster from `finml trade train`, with --model; backtest only)
    #[arg(long, default_value = "sma-cross")]
    strategy: StrategyName,
    /// Starting cash
    #[arg(long, default_value_t = 10_000.0)]
    cash: f64,
    /// Commission rate per fill, charged at entry and again at exit (0.002 = 0.2 %)
    #[arg(long, default_value_t = 0.0)]
    commission: f64,
    /// Fixed commission per fill, in cash, added to the rate
    #[arg(long, default_value_t = 0.0)]
    commission_fixed: f64,
}

/// A strategy as named on the command line: a built-in one, or `model`.
#[derive(Clone, Copy)]
enum StrategyName {
    Builtin(BuiltinStrategy),
    Model,
}

impl std::str::FromStr for StrategyName {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        if name == "model" {
            return Ok(StrategyName::Model);
        }
        name.parse()
            .map(StrategyName::Builtin)
            .map_err(|error| format!("{error}, and model (with --model DIR)"))
    }
}

impl StrategyName {
    /// The built-in strategy, or an error for commands that cannot take a model.
    fn builtin(self, command: &str) -> Result<BuiltinStrategy> {
        match self {
            StrategyName::Builtin(strategy) => Ok(strategy),
            StrategyName::Model => bail!("{command} takes a built-in strategy, not model"),
        }
    }
}

impl MarketArgs {
    fn load(&self) -> Result<(Bars, Backtest)> {
        let bars = load_bars(&self.data)?;
        let commission = Commission {
            fixed: self.commission_fixed,
            rate: self.commission,
        };
        Ok((bars, Backtest::new(self.cash, commission)?))
    }

    fn data_name(&self) -> String {
        self.data.file_name().map_or_else(
            || self.data.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        )
    }
}

#[derive(Args)]
pub struct BacktestArgs {
    #[command(flatten)]
    market: MarketArgs,
    /// Fast SMA period in bars (sma-cross)
    #[arg(long, default_value_t = 10)]
    fast: u32,
    /// Slow SMA period in bars (sma-cross)
    #[arg(long, default_value_t = 20)]
    slow: u32,
    /// Stop-loss on every entry, as a fraction of the close the order is placed on (0.05 = 5 %)
    #[arg(long)]
    stop_loss: Option<f64>,
    /// Take-profit on every entry, as a fraction of the close the order is placed on
    #[arg(long)]
    take_profit: Option<f64>,
    /// Print one JSON object keyed by backtesting.py's statistic names (durations in days,
    /// NaN as null)
    #[arg(long)]
    json: bool,
    /// Write the closed trades to this CSV file
    #[arg(long, value_name = "OUT.csv")]
    trades: Option<PathBuf>,
    /// Write equity, drawdown and drawdown durations per bar to this CSV file
    #[arg(long, value_name = "OUT.csv")]
    equity: Option<PathBuf>,
    /// Draw price with the trades, equity against buy & hold, and drawdown to this SVG file
    #[arg(long, value_name = "OUT.svg")]
    plot: Option<PathBuf>,
    /// Model directory from `finml trade train`, for --strategy model
    #[arg(long, value_name = "MODEL")]
    model: Option<PathBuf>,
    /// --strategy model with a direction model goes long only when P(up) > 0.5 + margin
    #[arg(long, default_value_t = 0.0)]
    margin: f64,
}

impl BacktestArgs {
    /// The strategy's parameters: the SMA periods for sma-cross, and the exits given.
    fn parameters(&self, strategy: BuiltinStrategy) -> Parameters {
        let periods = strategy.parameter_names().contains(&"fast");
        let values = [
            ("fast", periods.then_some(f64::from(self.fast))),
            ("slow", periods.then_some(f64::from(self.slow))),
            ("stop_loss", self.stop_loss),
            ("take_profit", self.take_profit),
        ];
        Parameters::new(
            values
                .into_iter()
                .filter_map(|(name, value)| Some((name.to_owned(), value?)))
                .collect(),
        )
    }
}

#[derive(Args)]
pub struct OptimizeArgs {
    #[command(flatten)]
    market: MarketArgs,
    /// One parameter's values, repeated per parameter: NAME=FIRST..LAST[:STEP] (inclusive),
    /// NAME=V1,V2,... or NAME=VALUE. Parameters: fast, slow, stop_loss, take_profit
    #[arg(long = "grid", value_name = "NAME=VALUES", required = true)]
    grid: Vec<GridAxis>,
    /// Keep only combinations that satisfy this, e.g. fast<slow; may be repeated
    #[arg(long = "constraint", value_name = "CONDITION")]
    constraints: Vec<Constraint>,
    /// Statistic to maximise, by its backtesting.py name; runs without trades never win
    #[arg(long, default_value = "SQN")]
    maximize: String,
    /// Print JSON: the best run, then every run best first
    #[arg(long)]
    json: bool,
    /// Number of runs to list (text output)
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Write every run's parameters and statistics to this CSV file, in grid order
    #[arg(long, value_name = "OUT.csv")]
    csv: Option<PathBuf>,
    /// Draw the maximised statistic over the first two grid parameters to this SVG file
    #[arg(long, value_name = "OUT.svg")]
    heatmap: Option<PathBuf>,
}

pub fn run(command: TradeCommand) -> Result<()> {
    match command {
        TradeCommand::Backtest(args) => backtest(args),
        TradeCommand::Optimize(args) => optimize_grid(args),
        TradeCommand::Train(args) => models::train(args),
        TradeCommand::WalkForward(args) => models::walk(args),
    }
}

fn backtest(args: BacktestArgs) -> Result<()> {
    let (bars, backtest) = args.market.load()?;
    let (mut strategy, label) = match args.market.strategy {
        StrategyName::Builtin(builtin) => {
            let parameters = args.parameters(builtin);
            let strategy = builtin.build(&parameters)?;
            (strategy, strategy_label(builtin, &parameters))
        }
        StrategyName::Model => model_strategy(&args, &bars)?,
    };
    let result = backtest.run(&bars, strategy.as_mut())?;
    if let Some(path) = &args.trades {
        write_file(path, |file| Ok(write_trades_csv(file, &result)?))?;
    }
    if let Some(path) = &args.equity {
        write_file(path, |file| Ok(write_equity_csv(file, &bars, &result)?))?;
    }
    if let Some(path) = &args.plot {
        let title = format!("{label} on {}", args.market.data_name());
        let svg = backtest_svg(&bars, &result, &title)?;
        write_file(path, |file| Ok(file.write_all(svg.as_bytes())?))?;
    }
    if args.json {
        let report = BacktestReport {
            stats: &result.stats,
            strategy: label,
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_stats(&result.stats);
        print_notes(&result, &label);
    }
    Ok(())
}

/// The `model` strategy: the forecaster's signal at every bar from its first full window.
fn model_strategy(args: &BacktestArgs, bars: &Bars) -> Result<(Box<dyn Strategy>, String)> {
    let Some(dir) = &args.model else {
        bail!("--strategy model needs --model DIR, a model from `finml trade train`");
    };
    models::check_margin(args.margin)?;
    let model = Forecaster::load(dir)?;
    let first = model.card.spec.window - 1;
    let forecasts = model
        .forecast(bars, first..bars.len())
        .with_context(|| format!("forecasting {}", args.market.data.display()))?;
    let long = forecasts
        .iter()
        .map(|&f| model.long(f, args.margin))
        .collect();
    if model.card.data_sha256.as_deref()
        == finml_data::file_sha256(&args.market.data).ok().as_deref()
    {
        eprintln!(
            "note: the model was trained on these bars, so this backtest is in-sample; \
             `finml trade walk-forward` gives out-of-sample results"
        );
    }
    let label = format!("model({})", model_name(model.card.spec.kind));
    Ok((Box::new(ModelStrategy::new(first, long)), label))
}

/// The JSON of one backtest: the statistics, then the strategy as backtesting.py's `_strategy`.
#[derive(Serialize)]
struct BacktestReport<'a> {
    #[serde(flatten)]
    stats: &'a Stats,
    #[serde(rename = "_strategy")]
    strategy: String,
}

fn strategy_label(strategy: BuiltinStrategy, parameters: &Parameters) -> String {
    format!("{}({parameters})", strategy.name())
}

fn print_stats(stats: &Stats) {
    for (name, value) in stats.entries() {
        let text = match value {
            StatValue::Time(timestamp) => {
                timestamp.datetime().format("%Y-%m-%d %H:%M:%S").to_string()
            }
            StatValue::Span(span) => span.map_or_else(|| "NaT".to_owned(), |span| span.to_string()),
            StatValue::Number(number) => format!("{number:.5}"),
            StatValue::Count(count) => count.to_string(),
        };
        println!("{name:<26}{text:>22}");
    }
}

fn print_notes(result: &BacktestResult, label: &str) {
    println!("{:<26}{label}", "Strategy");
    if !result.open_trades.is_empty() {
        println!(
            "note: {} trade(s) still open at the end are in the equity but not in the trade statistics",
            result.open_trades.len()
        );
    }
    if result.cancelled_orders > 0 {
        println!(
            "note: the broker cancelled {} order(s) for lack of margin",
            result.cancelled_orders
        );
    }
}

fn optimize_grid(args: OptimizeArgs) -> Result<()> {
    let (bars, backtest) = args.market.load()?;
    let grid = Grid::new(args.grid.clone(), args.constraints.clone())?;
    let strategy = args.market.strategy.builtin("optimize")?;
    let started = Instant::now();
    let optimization = optimize(&bars, &backtest, &grid, &args.maximize, |parameters| {
        strategy.build(parameters)
    })?;
    let elapsed = started.elapsed();
    if let Some(path) = &args.csv {
        write_file(path, |file| Ok(write_runs_csv(file, &optimization)?))?;
    }
    if let Some(path) = &args.heatmap {
        let [x_axis, y_axis, ..] = grid.axes() else {
            bail!("a heat map needs at least two grid parameters");
        };
        let svg = heatmap_svg(&optimization, &x_axis.name, &y_axis.name)?;
        write_file(path, |file| Ok(file.write_all(svg.as_bytes())?))?;
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&OptimizeReport::new(&optimization, strategy))?
        );
        return Ok(());
    }
    let seconds = elapsed.as_secs_f64();
    println!(
        "{} combinations on {} in {seconds:.3} s, best {} first:",
        optimization.runs.len(),
        args.market.data_name(),
        optimization.maximize
    );
    print_ranking(&optimization, args.top);
    match optimization.best() {
        Some(best) => {
            println!("\nBest: {}", strategy_label(strategy, &best.parameters));
            print_stats(&best.stats);
        }
        None => println!("\nNo run made a trade, so none is best."),
    }
    Ok(())
}

fn print_ranking(optimization: &Optimization, top: usize) {
    let columns = [
        optimization.maximize.as_str(),
        "Return [%]",
        "Max. Drawdown [%]",
        "# Trades",
    ];
    let Some(first) = optimization.runs.first() else {
        return;
    };
    let names: Vec<&str> = first.parameters.iter().map(|(name, _)| name).collect();
    let mut header = format!("{:>5}", "rank");
    for name in names.iter().chain(&columns) {
        header += &format!("  {name:>12}");
    }
    println!("{header}");
    for (rank, index) in optimization.ranking.iter().take(top).enumerate() {
        let run = &optimization.runs[*index];
        let mut line = format!("{:>5}", rank + 1);
        for (_, value) in run.parameters.iter() {
            line += &format!("  {value:>12}");
        }
        for column in columns {
            let value = run.stats.value(column).unwrap_or(f64::NAN);
            let text = if column == "# Trades" {
                format!("{value}")
            } else {
                format!("{value:.5}")
            };
            line += &format!("  {text:>12}");
        }
        println!("{line}");
    }
}

/// The JSON of an optimisation: the best run first, then every run best first.
#[derive(Serialize)]
struct OptimizeReport<'a> {
    maximize: &'a str,
    strategy: &'static str,
    best: Option<RunReport<'a>>,
    runs: Vec<RunReport<'a>>,
}

#[derive(Serialize)]
struct RunReport<'a> {
    parameters: &'a Parameters,
    score: f64,
    open_trades_at_end: usize,
    stats: &'a Stats,
}

impl<'a> OptimizeReport<'a> {
    fn new(optimization: &'a Optimization, strategy: BuiltinStrategy) -> Self {
        let report = |run: &'a finml_trading::GridRun| RunReport {
            parameters: &run.parameters,
            score: run.score,
            open_trades_at_end: run.open_trades,
            stats: &run.stats,
        };
        Self {
            maximize: &optimization.maximize,
            strategy: strategy.name(),
            best: optimization.best().map(report),
            runs: optimization
                .ranking
                .iter()
                .map(|index| report(&optimization.runs[*index]))
                .collect(),
        }
    }
}

/// Creates `path` and hands a buffered writer to `write`, naming the file in any error.
fn write_file(path: &Path, write: impl FnOnce(&mut BufWriter<File>) -> Result<()>) -> Result<()> {
    let context = || format!("cannot write {}", path.display());
    let mut file = BufWriter::new(File::create(path).with_context(context)?);
    write(&mut file).with_context(context)?;
    file.flush().with_context(context)?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
