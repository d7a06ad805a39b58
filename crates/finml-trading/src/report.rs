//! CSV exports in backtesting.py's column names: trades, the equity curve, and grid runs.
//! Missing numbers are written as empty cells and durations in pandas' notation, as pandas
//! writes them.

use std::io::Write;

use crate::backtest::BacktestResult;
use crate::bars::Bars;
use crate::optimize::Optimization;
use crate::stats::{STAT_NAMES, StatValue};

const TRADE_COLUMNS: [&str; 13] = [
    "Size",
    "EntryBar",
    "ExitBar",
    "EntryPrice",
    "ExitPrice",
    "SL",
    "TP",
    "PnL",
    "Commission",
    "ReturnPct",
    "EntryTime",
    "ExitTime",
    "Duration",
];

/// Writes the closed trades, one row each.
pub fn write_trades_csv(writer: impl Write, result: &BacktestResult) -> Result<(), csv::Error> {
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record(TRADE_COLUMNS)?;
    for trade in &result.trades {
        csv.write_record([
            trade.size.to_string(),
            trade.entry_bar.to_string(),
            trade.exit_bar.to_string(),
            number(trade.entry_price),
            number(trade.exit_price),
            trade.stop_loss.map_or_else(String::new, number),
            trade.take_profit.map_or_else(String::new, number),
            number(trade.pnl),
            number(trade.commission),
            number(trade.return_pct),
            trade.entry_time.to_string(),
            trade.exit_time.to_string(),
            trade.duration().to_string(),
        ])?;
    }
    csv.flush()?;
    Ok(())
}

/// Writes equity, drawdown (a fraction) and, where a drawdown episode ends, its duration.
pub fn write_equity_csv(
    writer: impl Write,
    bars: &Bars,
    result: &BacktestResult,
) -> Result<(), csv::Error> {
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record(["Timestamp", "Equity", "DrawdownPct", "DrawdownDuration"])?;
    for (timestamp, equity, drawdown, episode) in result.equity_curve(bars) {
        let episode = episode.map_or_else(String::new, |span| span.to_string());
        csv.write_record([
            timestamp.to_string(),
            number(equity),
            number(drawdown),
            episode,
        ])?;
    }
    csv.flush()?;
    Ok(())
}

/// Writes every grid run in grid order: its parameters, every statistic, the number of trades
/// left open at the end, and the score maximised.
pub fn write_runs_csv(writer: impl Write, optimization: &Optimization) -> Result<(), csv::Error> {
    let mut csv = csv::Writer::from_writer(writer);
    let Some(first) = optimization.runs.first() else {
        return Ok(());
    };
    let parameter_names: Vec<&str> = first.parameters.iter().map(|(name, _)| name).collect();
    let header = parameter_names
        .iter()
        .copied()
        .chain(STAT_NAMES)
        .chain(["open_trades_at_end", "score"]);
    csv.write_record(header)?;
    for run in &optimization.runs {
        let parameters = run.parameters.iter().map(|(_, value)| number(value));
        let stats = run
            .stats
            .entries()
            .into_iter()
            .map(|(_, value)| stat_cell(value));
        let tail = [run.open_trades.to_string(), number(run.score)];
        csv.write_record(parameters.chain(stats).chain(tail))?;
    }
    csv.flush()?;
    Ok(())
}

fn stat_cell(value: StatValue) -> String {
    match value {
        StatValue::Time(timestamp) => timestamp.to_string(),
        StatValue::Span(span) => span.map_or_else(String::new, |span| span.to_string()),
        StatValue::Number(value) => number(value),
        StatValue::Count(count) => count.to_string(),
    }
}

/// Shortest text that reads back as the same float; empty for NaN.
fn number(value: f64) -> String {
    if value.is_nan() {
        String::new()
    } else {
        value.to_string()
    }
}
