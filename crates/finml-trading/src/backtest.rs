//! The bar loop: for each bar, fill queued orders at its prices, record equity, then let the
//! strategy queue new orders.

use thiserror::Error;

use crate::bars::Bars;
use crate::broker::{Broker, Commission, OpenTrade, Trade};
use crate::stats::{Drawdowns, Stats};
use crate::strategy::{Context, OrderError, Strategy};
use crate::time::{TimeSpan, Timestamp};

/// Account settings of a backtest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backtest {
    cash: f64,
    commission: Commission,
}

impl Backtest {
    /// A backtest starting with `cash`, with the limits backtesting.py asserts: cash > 0,
    /// a fixed commission ≥ 0 and a rate in [−10 %, 10 %) (negative for rebates).
    pub fn new(cash: f64, commission: Commission) -> Result<Self, BacktestError> {
        if !(cash.is_finite() && cash > 0.0) {
            return Err(BacktestError::BadCash(cash));
        }
        if !(commission.fixed.is_finite() && commission.fixed >= 0.0) {
            return Err(BacktestError::BadFixedCommission(commission.fixed));
        }
        if !(-0.1..0.1).contains(&commission.rate) {
            return Err(BacktestError::BadCommissionRate(commission.rate));
        }
        Ok(Self { cash, commission })
    }

    pub fn cash(&self) -> f64 {
        self.cash
    }

    pub fn commission(&self) -> Commission {
        self.commission
    }

    /// Runs `strategy` over `bars`.
    ///
    /// ```
    /// use finml_trading::{Backtest, Bar, Bars, Commission, NANOS_PER_DAY, SmaCross, Timestamp};
    /// let bars = Bars::from_bars((0..60).map(|day| {
    ///     let price = 100.0 + 10.0 * (day as f64 / 6.0).sin();
    ///     let timestamp = Timestamp::from_nanos(day * NANOS_PER_DAY);
    ///     Bar { timestamp, open: price, high: price + 1.0, low: price - 1.0, close: price, volume: None }
    /// }))
    /// .unwrap();
    /// let backtest = Backtest::new(10_000.0, Commission::rate(0.002)).unwrap();
    /// let result = backtest.run(&bars, &mut SmaCross::new(3, 8)).unwrap();
    /// assert_eq!(result.warmup, 7);
    /// assert!(result.stats.trades > 0);
    /// assert_eq!(result.equity.len(), bars.len());
    /// ```
    pub fn run(
        &self,
        bars: &Bars,
        strategy: &mut dyn Strategy,
    ) -> Result<BacktestResult, BacktestError> {
        if bars.len() < 2 {
            return Err(BacktestError::TooFewBars(bars.len()));
        }
        // backtesting.py's warm-up is always a bar of the data; a strategy may claim more.
        let warmup = strategy.init(bars).min(bars.len() - 1);
        let mut broker = Broker::new(bars, self.cash, self.commission);
        let mut equity = vec![f64::NAN; bars.len()];
        for bar in warmup + 1..bars.len() {
            broker.step(bar);
            equity[bar] = broker.equity();
            if equity[bar] <= 0.0 {
                broker.go_bust();
                equity[bar..].fill(0.0);
                break;
            }
            strategy
                .next(&mut Context::new(&mut broker))
                .map_err(|source| BacktestError::Order {
                    bar,
                    timestamp: bars.timestamps()[bar],
                    source,
                })?;
        }
        fill_warmup(&mut equity, broker.cash());
        let cancelled_orders = broker.cancelled_orders();
        let (trades, open_trades) = broker.into_trades();
        let (stats, drawdowns) = Stats::compute(bars, &equity, &trades, warmup);
        Ok(BacktestResult {
            trades,
            open_trades,
            equity,
            drawdowns,
            warmup,
            cancelled_orders,
            stats,
        })
    }
}

/// Bars before the first broker step take the first recorded equity (pandas `bfill`), or the
/// cash when nothing was recorded.
fn fill_warmup(equity: &mut [f64], cash: f64) {
    let first_recorded = equity
        .iter()
        .copied()
        .find(|value| !value.is_nan())
        .unwrap_or(cash);
    for value in equity.iter_mut().take_while(|value| value.is_nan()) {
        *value = first_recorded;
    }
}

/// Everything a backtest produced.
#[derive(Clone, Debug)]
pub struct BacktestResult {
    /// Closed trades in the order they closed. Trades still open at the end are not here.
    pub trades: Vec<Trade>,
    /// Trades still open after the last bar (their value is in the equity).
    pub open_trades: Vec<OpenTrade>,
    /// Equity at each bar's close.
    pub equity: Vec<f64>,
    pub drawdowns: Drawdowns,
    /// The strategy's warm-up bar; the strategy first acts on the bar after it.
    pub warmup: usize,
    /// Orders the broker cancelled for lack of margin.
    pub cancelled_orders: usize,
    pub stats: Stats,
}

impl BacktestResult {
    /// Each bar's timestamp, equity, drawdown below the running peak (fraction) and, on the
    /// last bar of a drawdown episode, the episode's length.
    pub fn equity_curve<'a>(
        &'a self,
        bars: &'a Bars,
    ) -> impl Iterator<Item = (Timestamp, f64, f64, Option<TimeSpan>)> + 'a {
        bars.timestamps()
            .iter()
            .zip(&self.equity)
            .zip(&self.drawdowns.drawdown)
            .zip(&self.drawdowns.episode_length)
            .map(|(((timestamp, equity), drawdown), length)| {
                (*timestamp, *equity, *drawdown, *length)
            })
    }
}

/// A backtest that could not run.
#[derive(Debug, Error, PartialEq)]
pub enum BacktestError {
    #[error("starting cash must be a positive number, not {0}")]
    BadCash(f64),
    #[error("the fixed commission must be zero or more, not {0}")]
    BadFixedCommission(f64),
    #[error("the commission rate must lie in [-0.1, 0.1), not {0}")]
    BadCommissionRate(f64),
    #[error("a backtest needs at least 2 bars, the data has {0}")]
    TooFewBars(usize),
    #[error("the strategy placed an invalid order on bar {bar} ({timestamp}): {source}")]
    Order {
        bar: usize,
        timestamp: Timestamp,
        source: OrderError,
    },
}
