//! Trading research: OHLCV market data, a backtesting engine that reproduces backtesting.py
//! 0.6.6's market-order semantics and statistics exactly, parallel grid optimisation, and
//! SVG charts.
//!
//! ```
//! use finml_trading::{Backtest, BuiltinStrategy, Commission, Parameters, load_bars};
//!
//! let mut csv = String::from("Date,Open,High,Low,Close,Volume\n");
//! for day in 1..=28 {
//!     let close = 100.0 + 8.0 * (day as f64 / 3.0).sin();
//!     csv += &format!("2024-02-{day:02},{close},{},{},{close},1000\n", close + 1.0, close - 1.0);
//! }
//! # let folder = tempfile::tempdir().unwrap();
//! # let path = folder.path().join("example.csv");
//! std::fs::write(&path, csv).unwrap();
//! let bars = load_bars(&path).unwrap();
//!
//! let parameters = Parameters::new(vec![("fast".into(), 2.0), ("slow".into(), 5.0)]);
//! let mut strategy = BuiltinStrategy::SmaCross.build(&parameters).unwrap();
//! let backtest = Backtest::new(10_000.0, Commission::rate(0.002)).unwrap();
//! let result = backtest.run(&bars, strategy.as_mut()).unwrap();
//!
//! assert_eq!(result.warmup, 4); // the slow SMA is first defined on bar 4
//! assert!(result.stats.trades > 0);
//! assert_eq!(result.stats.value("# Trades"), Some(result.stats.trades as f64));
//! let json = serde_json::to_value(&result.stats).unwrap();
//! assert_eq!(json["Start"], "2024-02-01T00:00:00");
//! ```

mod backtest;
mod bars;
mod broker;
mod builtin;
mod compat;
pub mod forecast;
pub mod indicators;
mod load;
mod optimize;
pub mod plot;
mod report;
mod stats;
mod strategy;
mod time;

pub use backtest::{Backtest, BacktestError, BacktestResult};
pub use bars::{Bar, Bars, DataError, DataErrorKind, Location, Place};
pub use broker::{Commission, OpenTrade, Trade};
pub use builtin::{BuiltinStrategy, BuyAndHold, Exits, ParameterError, Parameters, SmaCross};
pub use forecast::ModelStrategy;
pub use load::load_bars;
pub use optimize::{
    Constraint, Grid, GridAxis, GridError, GridRun, Optimization, OptimizeError, optimize,
};
pub use report::{write_equity_csv, write_runs_csv, write_trades_csv};
pub use stats::{Drawdowns, STAT_NAMES, StatValue, Stats};
pub use strategy::{Context, Order, OrderError, OrderSize, Side, Strategy};
pub use time::{NANOS_PER_DAY, TimeSpan, Timestamp};
