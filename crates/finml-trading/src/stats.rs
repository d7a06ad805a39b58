//! backtesting.py 0.6.6's `compute_stats`: every statistic, its annualisation and its rounding,
//! with sums in numpy's order (see `compat`). The risk-free rate is 0, as `Backtest.run` passes.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::bars::Bars;
use crate::broker::Trade;
use crate::compat::{numpy_sum, pandas_mean, pandas_nan_mean, pandas_var};
use crate::time::{NANOS_PER_DAY, TimeSpan, Timestamp};

/// backtesting.py's statistics of one run. Percentages are in percent; NaN where
/// backtesting.py gives NaN (for example trade statistics without trades).
#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    pub start: Timestamp,
    pub end: Timestamp,
    pub duration: TimeSpan,
    pub exposure_time_pct: f64,
    pub equity_final: f64,
    pub equity_peak: f64,
    pub commissions: f64,
    pub return_pct: f64,
    pub buy_and_hold_return_pct: f64,
    pub return_ann_pct: f64,
    pub volatility_ann_pct: f64,
    pub cagr_pct: f64,
    pub sharpe_ratio: f64,
    pub sortino_ratio: f64,
    pub calmar_ratio: f64,
    pub alpha_pct: f64,
    pub beta: f64,
    pub max_drawdown_pct: f64,
    pub avg_drawdown_pct: f64,
    pub max_drawdown_duration: Option<TimeSpan>,
    pub avg_drawdown_duration: Option<TimeSpan>,
    pub trades: usize,
    pub win_rate_pct: f64,
    pub best_trade_pct: f64,
    pub worst_trade_pct: f64,
    pub avg_trade_pct: f64,
    pub max_trade_duration: Option<TimeSpan>,
    pub avg_trade_duration: Option<TimeSpan>,
    pub profit_factor: f64,
    pub expectancy_pct: f64,
    pub sqn: f64,
    pub kelly_criterion: f64,
}

/// One statistic's value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StatValue {
    Time(Timestamp),
    /// A duration; `None` where backtesting.py has none (NaT).
    Span(Option<TimeSpan>),
    Number(f64),
    Count(usize),
}

impl StatValue {
    /// The value as a number: durations in days, NaN for a missing duration, `None` for times.
    pub fn as_number(self) -> Option<f64> {
        match self {
            StatValue::Time(_) => None,
            StatValue::Span(span) => Some(span.map_or(f64::NAN, TimeSpan::days)),
            StatValue::Number(number) => Some(number),
            StatValue::Count(count) => Some(count as f64),
        }
    }
}

/// Serialises as JSON: times in ISO 8601, durations as (whole) days, NaN as null.
impl Serialize for StatValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            StatValue::Time(timestamp) => serializer.serialize_str(&timestamp.iso()),
            StatValue::Span(None) => serializer.serialize_none(),
            StatValue::Span(Some(span)) if span.nanos() % NANOS_PER_DAY == 0 => {
                serializer.serialize_i64(span.nanos() / NANOS_PER_DAY)
            }
            StatValue::Span(Some(span)) => serializer.serialize_f64(span.days()),
            StatValue::Number(number) => serializer.serialize_f64(number),
            StatValue::Count(count) => serializer.serialize_u64(count as u64),
        }
    }
}

/// Names of the statistics, in backtesting.py's order.
pub const STAT_NAMES: [&str; 32] = [
    "Start",
    "End",
    "Duration",
    "Exposure Time [%]",
    "Equity Final [$]",
    "Equity Peak [$]",
    "Commissions [$]",
    "Return [%]",
    "Buy & Hold Return [%]",
    "Return (Ann.) [%]",
    "Volatility (Ann.) [%]",
    "CAGR [%]",
    "Sharpe Ratio",
    "Sortino Ratio",
    "Calmar Ratio",
    "Alpha [%]",
    "Beta",
    "Max. Drawdown [%]",
    "Avg. Drawdown [%]",
    "Max. Drawdown Duration",
    "Avg. Drawdown Duration",
    "# Trades",
    "Win Rate [%]",
    "Best Trade [%]",
    "Worst Trade [%]",
    "Avg. Trade [%]",
    "Max. Trade Duration",
    "Avg. Trade Duration",
    "Profit Factor",
    "Expectancy [%]",
    "SQN",
    "Kelly Criterion",
];

impl Stats {
    /// Every statistic with its backtesting.py name, in `STAT_NAMES` order.
    pub fn entries(&self) -> [(&'static str, StatValue); 32] {
        use StatValue::{Count, Number, Span, Time};
        let values = [
            Time(self.start),
            Time(self.end),
            Span(Some(self.duration)),
            Number(self.exposure_time_pct),
            Number(self.equity_final),
            Number(self.equity_peak),
            Number(self.commissions),
            Number(self.return_pct),
            Number(self.buy_and_hold_return_pct),
            Number(self.return_ann_pct),
            Number(self.volatility_ann_pct),
            Number(self.cagr_pct),
            Number(self.sharpe_ratio),
            Number(self.sortino_ratio),
            Number(self.calmar_ratio),
            Number(self.alpha_pct),
            Number(self.beta),
            Number(self.max_drawdown_pct),
            Number(self.avg_drawdown_pct),
            Span(self.max_drawdown_duration),
            Span(self.avg_drawdown_duration),
            Count(self.trades),
            Number(self.win_rate_pct),
            Number(self.best_trade_pct),
            Number(self.worst_trade_pct),
            Number(self.avg_trade_pct),
            Span(self.max_trade_duration),
            Span(self.avg_trade_duration),
            Number(self.profit_factor),
            Number(self.expectancy_pct),
            Number(self.sqn),
            Number(self.kelly_criterion),
        ];
        std::array::from_fn(|index| (STAT_NAMES[index], values[index]))
    }

    /// A statistic by its backtesting.py name, as a number (see [`StatValue::as_number`]).
    pub fn value(&self, name: &str) -> Option<f64> {
        self.entries()
            .into_iter()
            .find(|(entry, _)| *entry == name)
            .and_then(|(_, value)| value.as_number())
    }

    /// Names of the statistics that have a numeric value, for `maximize`.
    pub fn numeric_names() -> impl Iterator<Item = &'static str> {
        STAT_NAMES
            .into_iter()
            .filter(|name| !matches!(*name, "Start" | "End"))
    }
}

/// Serialises as a JSON object keyed by backtesting.py's names, leaving out
/// `Commissions [$]` when it is zero, as backtesting.py does.
impl Serialize for Stats {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let entries = self.entries();
        let shown: Vec<_> = entries
            .iter()
            .filter(|(name, value)| {
                !(*name == "Commissions [$]" && *value == StatValue::Number(0.0))
            })
            .collect();
        let mut map = serializer.serialize_map(Some(shown.len()))?;
        for (name, value) in shown {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// How far equity stands below its running peak, bar by bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Drawdowns {
    /// 1 − equity / running peak.
    pub drawdown: Vec<f64>,
    /// On the last bar of each drawdown episode, the time from the episode's start.
    pub episode_length: Vec<Option<TimeSpan>>,
    /// On the last bar of each episode, its deepest drawdown; NaN elsewhere.
    episode_peak: Vec<f64>,
}

impl Drawdowns {
    /// Episodes run between consecutive bars at a new peak (and the last bar), as
    /// `compute_drawdown_duration_peaks` finds them.
    fn new(equity: &[f64], timestamps: &[Timestamp]) -> Self {
        let mut peak = f64::NEG_INFINITY;
        let drawdown: Vec<f64> = equity
            .iter()
            .map(|value| {
                peak = peak.max(*value);
                1.0 - value / peak
            })
            .collect();
        let last = drawdown.len() - 1;
        let mut bounds: Vec<usize> = (0..drawdown.len())
            .filter(|index| drawdown[*index] == 0.0)
            .collect();
        if bounds.last() != Some(&last) {
            bounds.push(last);
        }
        let mut episode_length = vec![None; drawdown.len()];
        let mut episode_peak = vec![f64::NAN; drawdown.len()];
        for pair in bounds.windows(2).filter(|pair| pair[1] > pair[0] + 1) {
            let (start, end) = (pair[0], pair[1]);
            episode_length[end] = Some(timestamps[end].since(timestamps[start]));
            episode_peak[end] = drawdown[start..=end]
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max);
        }
        if episode_length.iter().all(Option::is_none) {
            // backtesting.py then takes the non-zero drawdowns themselves as episode peaks.
            episode_peak = drawdown
                .iter()
                .map(|value| if *value == 0.0 { f64::NAN } else { *value })
                .collect();
        }
        Self {
            drawdown,
            episode_length,
            episode_peak,
        }
    }
}

impl Stats {
    /// Computes the statistics of a run: `equity` at every bar, the closed `trades`, and the
    /// strategy's `warmup` bar, from which buy & hold is measured.
    pub(crate) fn compute(
        bars: &Bars,
        equity: &[f64],
        trades: &[Trade],
        warmup: usize,
    ) -> (Stats, Drawdowns) {
        let timestamps = bars.timestamps();
        let close = bars.close();
        let (first, last) = (equity[0], equity[equity.len() - 1]);
        let start = timestamps[0];
        let end = timestamps[timestamps.len() - 1];
        let duration = end.since(start);
        let resolution = bar_period(timestamps).resolution();
        let round_up = |span: Option<TimeSpan>| span.map(|span| span.ceil(resolution));
        let drawdowns = Drawdowns::new(equity, timestamps);
        let max_drawdown = nan_to_zero(drawdowns.drawdown.iter().copied().fold(f64::NAN, nan_max));

        let returns = periodic_returns(equity, timestamps);
        let periods_per_year = periods_per_year(timestamps);
        let mean_return = geometric_mean(&returns);
        let annual_return = (1.0 + mean_return).powf(periods_per_year) - 1.0;
        let volatility = ((pandas_var(&returns, 1) + (1.0 + mean_return).powf(2.0))
            .powf(periods_per_year)
            - (1.0 + mean_return).powf(2.0 * periods_per_year))
        .sqrt();
        let downside: Vec<f64> = returns
            .iter()
            .map(|value| value.min(0.0) * value.min(0.0))
            .collect();
        let downside_deviation = pandas_mean(&downside).sqrt() * periods_per_year.sqrt();
        let years = (duration.nanos().div_euclid(NANOS_PER_DAY) as f64
            + duration
                .nanos()
                .rem_euclid(NANOS_PER_DAY)
                .div_euclid(1_000_000_000) as f64
                / 86400.0)
            / 365.25;

        let return_pct = (last - first) / first * 100.0;
        let buy_and_hold_return_pct =
            (close[close.len() - 1] - close[warmup]) / close[warmup] * 100.0;
        let beta = beta(equity, close);
        let trade_stats = TradeStats::new(trades);
        let stats = Stats {
            start,
            end,
            duration,
            exposure_time_pct: exposure(trades, equity.len()) * 100.0,
            equity_final: last,
            equity_peak: equity.iter().copied().fold(f64::NAN, nan_max),
            commissions: trades.iter().fold(0.0, |sum, trade| sum + trade.commission),
            return_pct,
            buy_and_hold_return_pct,
            return_ann_pct: annual_return * 100.0,
            volatility_ann_pct: volatility * 100.0,
            cagr_pct: if years != 0.0 {
                ((last / first).powf(1.0 / years) - 1.0) * 100.0
            } else {
                f64::NAN
            },
            sharpe_ratio: annual_return * 100.0 / or_nan(volatility * 100.0),
            sortino_ratio: annual_return / downside_deviation,
            calmar_ratio: annual_return / or_nan(max_drawdown),
            alpha_pct: return_pct - beta * buy_and_hold_return_pct,
            beta,
            max_drawdown_pct: -max_drawdown * 100.0,
            avg_drawdown_pct: -pandas_nan_mean(&drawdowns.episode_peak) * 100.0,
            max_drawdown_duration: round_up(
                drawdowns.episode_length.iter().flatten().max().copied(),
            ),
            avg_drawdown_duration: round_up(mean_span(&drawdowns.episode_length)),
            trades: trades.len(),
            win_rate_pct: trade_stats.win_rate * 100.0,
            best_trade_pct: trade_stats.best * 100.0,
            worst_trade_pct: trade_stats.worst * 100.0,
            avg_trade_pct: geometric_mean(&trade_stats.returns) * 100.0,
            max_trade_duration: round_up(trades.iter().map(Trade::duration).max()),
            avg_trade_duration: round_up(mean_span(
                &trades
                    .iter()
                    .map(|trade| Some(trade.duration()))
                    .collect::<Vec<_>>(),
            )),
            profit_factor: trade_stats.profit_factor(),
            expectancy_pct: pandas_mean(&trade_stats.returns) * 100.0,
            sqn: (trades.len() as f64).sqrt() * pandas_mean(&trade_stats.pnl)
                / or_nan(pandas_var(&trade_stats.pnl, 1).sqrt()),
            kelly_criterion: trade_stats.kelly(),
        };
        (stats, drawdowns)
    }
}

/// Python's `x or nan` for a float: zero becomes NaN.
fn or_nan(value: f64) -> f64 {
    if value == 0.0 { f64::NAN } else { value }
}

/// numpy's `nan_to_num` for a maximum that may be NaN.
fn nan_to_zero(value: f64) -> f64 {
    if value.is_nan() { 0.0 } else { value }
}

/// pandas' skip-NaN maximum.
fn nan_max(maximum: f64, value: f64) -> f64 {
    if maximum.is_nan() || value > maximum {
        value
    } else {
        maximum
    }
}

/// The bar spacing: the median gap between the last 100 timestamps.
fn bar_period(timestamps: &[Timestamp]) -> TimeSpan {
    let recent = &timestamps[timestamps.len().saturating_sub(100)..];
    let mut gaps: Vec<i64> = recent
        .windows(2)
        .map(|pair| pair[1].since(pair[0]).nanos())
        .collect();
    gaps.sort_unstable();
    let middle = gaps.len() / 2;
    let median = if gaps.len() % 2 == 1 {
        gaps[middle]
    } else {
        ((gaps[middle - 1] as f64 + gaps[middle] as f64) / 2.0).round() as i64
    };
    TimeSpan::from_nanos(median)
}

/// How equity is grouped before taking returns, from the bar spacing.
#[derive(Clone, Copy, PartialEq)]
enum Resampling {
    Weekly,
    Monthly,
    Yearly,
    Daily,
}

fn resampling(timestamps: &[Timestamp]) -> Resampling {
    match bar_period(timestamps).nanos().div_euclid(NANOS_PER_DAY) {
        7 => Resampling::Weekly,
        31 => Resampling::Monthly,
        365 => Resampling::Yearly,
        _ => Resampling::Daily,
    }
}

/// Periods per year for annualising: 52, 12, 1, or 365 for data with weekend bars, else 252.
fn periods_per_year(timestamps: &[Timestamp]) -> f64 {
    match resampling(timestamps) {
        Resampling::Weekly => 52.0,
        Resampling::Monthly => 12.0,
        Resampling::Yearly => 1.0,
        Resampling::Daily => {
            let weekend = timestamps
                .iter()
                .filter(|timestamp| timestamp.weekday_from_monday() >= 5)
                .count();
            if weekend as f64 / timestamps.len() as f64 > 2.0 / 7.0 * 0.6 {
                365.0
            } else {
                252.0
            }
        }
    }
}

/// Simple returns of the last equity of each calendar period (day, week ending Sunday, month
/// or year), dropping the undefined ones (0/0 after going bust).
fn periodic_returns(equity: &[f64], timestamps: &[Timestamp]) -> Vec<f64> {
    use chrono::Datelike;
    let resampling = resampling(timestamps);
    let period_key = |timestamp: Timestamp| match resampling {
        Resampling::Daily => timestamp.day_number(),
        Resampling::Weekly => timestamp.day_number() + 6 - timestamp.weekday_from_monday(),
        Resampling::Monthly => {
            let date = timestamp.date();
            i64::from(date.year()) * 12 + i64::from(date.month0())
        }
        Resampling::Yearly => i64::from(timestamp.date().year()),
    };
    // Timestamps are sorted, so each period's bars are consecutive.
    let mut period_ends: Vec<f64> = Vec::new();
    let mut current_period = None;
    for (timestamp, value) in timestamps.iter().zip(equity) {
        let period = period_key(*timestamp);
        match period_ends.last_mut() {
            Some(last) if current_period == Some(period) => *last = *value,
            _ => period_ends.push(*value),
        }
        current_period = Some(period);
    }
    period_ends
        .windows(2)
        .map(|pair| pair[1] / pair[0] - 1.0)
        .filter(|value| !value.is_nan())
        .collect()
}

/// backtesting.py's `geometric_mean`: 0 when any 1 + r ≤ 0, NaN for no values.
fn geometric_mean(returns: &[f64]) -> f64 {
    let growth: Vec<f64> = returns.iter().map(|value| value + 1.0).collect();
    if growth.iter().any(|value| *value <= 0.0) {
        return 0.0;
    }
    let logs: Vec<f64> = growth.iter().map(|value| value.ln()).collect();
    (numpy_sum(&logs) / or_nan(logs.len() as f64)).exp() - 1.0
}

/// Share of bars inside some closed trade, entry and exit bars included.
fn exposure(trades: &[Trade], bars: usize) -> f64 {
    let mut in_trade = vec![false; bars];
    for trade in trades {
        in_trade[trade.entry_bar..=trade.exit_bar].fill(true);
    }
    in_trade.iter().filter(|inside| **inside).count() as f64 / bars as f64
}

/// Beta of the equity's log returns against the close's (np.cov with ddof 1).
fn beta(equity: &[f64], close: &[f64]) -> f64 {
    let log_returns = |values: &[f64]| -> Vec<f64> {
        values
            .windows(2)
            .map(|pair| (pair[1] / pair[0]).ln())
            .collect()
    };
    let equity_returns = log_returns(equity);
    let market_returns = log_returns(close);
    if equity_returns.len() < 2 {
        return f64::NAN;
    }
    let centred = |values: &[f64]| -> Vec<f64> {
        let mean = pandas_mean(values);
        values.iter().map(|value| value - mean).collect()
    };
    let (equity_centred, market_centred) = (centred(&equity_returns), centred(&market_returns));
    let scale = 1.0 / (equity_returns.len() - 1) as f64;
    let dot = |a: &[f64], b: &[f64]| {
        numpy_sum(&a.iter().zip(b).map(|(x, y)| x * y).collect::<Vec<_>>()) * scale
    };
    dot(&equity_centred, &market_centred) / dot(&market_centred, &market_centred)
}

/// pandas' mean of a duration column with missing entries (NaT), in nanoseconds.
fn mean_span(spans: &[Option<TimeSpan>]) -> Option<TimeSpan> {
    let nanos: Vec<f64> = spans
        .iter()
        .map(|span| span.map_or(f64::NAN, |span| span.nanos() as f64))
        .collect();
    let mean = pandas_nan_mean(&nanos);
    (!mean.is_nan()).then(|| TimeSpan::from_nanos(mean.round() as i64))
}

/// The per-trade columns the trade statistics need.
struct TradeStats {
    pnl: Vec<f64>,
    returns: Vec<f64>,
    win_rate: f64,
    best: f64,
    worst: f64,
}

impl TradeStats {
    fn new(trades: &[Trade]) -> Self {
        let pnl: Vec<f64> = trades.iter().map(|trade| trade.pnl).collect();
        let returns: Vec<f64> = trades.iter().map(|trade| trade.return_pct).collect();
        let wins = pnl.iter().filter(|value| **value > 0.0).count();
        let win_rate = if trades.is_empty() {
            f64::NAN
        } else {
            wins as f64 / trades.len() as f64
        };
        let best = returns.iter().copied().fold(f64::NAN, nan_max);
        let worst = returns.iter().copied().fold(f64::NAN, |minimum, value| {
            if minimum.is_nan() || value < minimum {
                value
            } else {
                minimum
            }
        });
        Self {
            pnl,
            returns,
            win_rate,
            best,
            worst,
        }
    }

    /// Gross gains over gross losses, on returns rather than cash.
    fn profit_factor(&self) -> f64 {
        let gains = sum_where(&self.returns, |value| value > 0.0);
        let losses = sum_where(&self.returns, |value| value < 0.0);
        gains / or_nan(losses.abs())
    }

    fn kelly(&self) -> f64 {
        let mean_win = pandas_mean(
            &self
                .pnl
                .iter()
                .copied()
                .filter(|value| *value > 0.0)
                .collect::<Vec<_>>(),
        );
        let mean_loss = pandas_mean(
            &self
                .pnl
                .iter()
                .copied()
                .filter(|value| *value < 0.0)
                .collect::<Vec<_>>(),
        );
        self.win_rate - (1.0 - self.win_rate) / (mean_win / -mean_loss)
    }
}

fn sum_where(values: &[f64], keep: impl Fn(f64) -> bool) -> f64 {
    numpy_sum(
        &values
            .iter()
            .copied()
            .filter(|value| keep(*value))
            .collect::<Vec<_>>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(offsets: &[i64]) -> Vec<Timestamp> {
        offsets
            .iter()
            .map(|day| Timestamp::from_nanos(day * NANOS_PER_DAY))
            .collect()
    }

    #[test]
    fn drawdown_episodes_run_between_peaks() {
        let drawdowns = Drawdowns::new(
            &[100.0, 90.0, 95.0, 110.0, 99.0, 98.0],
            &days(&[0, 1, 2, 3, 4, 5]),
        );
        let three_days = Some(TimeSpan::from_days(3));
        assert_eq!(
            drawdowns.episode_length,
            vec![
                None,
                None,
                None,
                three_days,
                None,
                Some(TimeSpan::from_days(2))
            ]
        );
        assert_eq!(drawdowns.episode_peak[3], 0.09999999999999998);
        assert_eq!(drawdowns.episode_peak[5], 1.0 - 98.0 / 110.0);
    }

    #[test]
    fn a_drawdown_on_the_last_bar_alone_is_no_episode() {
        let drawdowns = Drawdowns::new(&[100.0, 110.0, 99.0], &days(&[0, 1, 2]));
        assert_eq!(drawdowns.episode_length, vec![None, None, None]);
        assert_eq!(drawdowns.episode_peak[2], 0.09999999999999998);
    }

    #[test]
    fn weekly_data_annualises_with_52_periods() {
        let weeks = days(&[4, 11, 18, 25, 32]);
        assert!(resampling(&weeks) == Resampling::Weekly);
        assert_eq!(periods_per_year(&weeks), 52.0);
    }

    #[test]
    fn data_with_weekend_bars_annualises_with_365_days() {
        let every_day = days(&(0..30).collect::<Vec<_>>());
        assert_eq!(periods_per_year(&every_day), 365.0);
        let weekdays: Vec<i64> = (0..42).filter(|day| (day + 3) % 7 < 5).collect();
        assert_eq!(periods_per_year(&days(&weekdays)), 252.0);
    }

    #[test]
    fn geometric_mean_is_zero_after_a_total_loss() {
        assert_eq!(geometric_mean(&[0.1, -1.0]), 0.0);
        assert!(geometric_mean(&[]).is_nan());
        assert!((geometric_mean(&[0.1, 0.1]) - 0.1).abs() < 1e-15);
    }
}
