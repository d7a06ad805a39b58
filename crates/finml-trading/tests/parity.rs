//! Parity with backtesting.py 0.6.6: every statistic, trade and equity point of its reference
//! runs, to 1e-9 relative (NaN where it has NaN). The references are in `tests/data/` (see its
//! README); the price data is the package's own sample data, fetched by `.ci/fetch-goog.sh`
//! because its licence keeps it out of the repository.

use std::path::{Path, PathBuf};

use finml_trading::{
    Backtest, BacktestResult, Bars, BuiltinStrategy, Commission, Context, Exits, Grid, Order,
    OrderError, OrderSize, Parameters, SmaCross, Stats, Strategy, TimeSpan, Timestamp, Trade,
    indicators, load_bars, optimize,
};
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;

/// A sample CSV of backtesting.py, from `FINML_GOOG_CSV`'s folder or `target/test-data/`.
fn sample_data(file: &str) -> Bars {
    let goog = std::env::var_os("FINML_GOOG_CSV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-data/GOOG.csv")
        });
    let path = if file == "GOOG.csv" {
        goog
    } else {
        goog.with_file_name(file)
    };
    if !path.exists() {
        panic!(
            "{} is missing: these parity tests need backtesting.py 0.6.6's sample data, which is \
             AGPL-licensed and so not in the repository. Run `bash .ci/fetch-goog.sh` to unpack it \
             from PyPI into target/test-data/, or set FINML_GOOG_CSV to a GOOG.csv (EURUSD.csv and \
             BTCUSD.csv are looked for beside it).",
            path.display()
        );
    }
    load_bars(&path).unwrap_or_else(|error| panic!("{error}"))
}

fn reference_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn reference_json(name: &str) -> Value {
    let text = std::fs::read_to_string(reference_path(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn close(actual: f64, expected: f64) -> bool {
    let difference = (actual - expected).abs();
    actual == expected
        || (actual.is_nan() && expected.is_nan())
        || difference <= TOLERANCE * actual.abs().max(expected.abs())
}

/// backtesting.py's Quick Start strategy as its README first showed it: buy or sell on each
/// cross without closing first, so orders net against the open trade and never reverse.
struct ReadmeSmaCross {
    fast: Vec<f64>,
    slow: Vec<f64>,
}

impl Strategy for ReadmeSmaCross {
    fn init(&mut self, bars: &Bars) -> usize {
        self.fast = indicators::sma(bars.close(), 10);
        self.slow = indicators::sma(bars.close(), 20);
        indicators::warmup(&self.slow)
    }

    fn next(&mut self, context: &mut Context<'_, '_>) -> Result<(), OrderError> {
        let bar = context.bar();
        if indicators::crossed_above(&self.fast, &self.slow, bar) {
            context.buy(Order::default())?;
        } else if indicators::crossed_above(&self.slow, &self.fast, bar) {
            context.sell(Order::default())?;
        }
        Ok(())
    }
}

/// Buys 10 units on a cross up, sells 30 % of margin on a cross down, never closing first.
struct SizedOrders(ReadmeSmaCross);

impl Strategy for SizedOrders {
    fn init(&mut self, bars: &Bars) -> usize {
        self.0.init(bars)
    }

    fn next(&mut self, context: &mut Context<'_, '_>) -> Result<(), OrderError> {
        let bar = context.bar();
        let (fast, slow) = (&self.0.fast, &self.0.slow);
        if indicators::crossed_above(fast, slow, bar) {
            context.buy(Order {
                size: OrderSize::Units(10),
                ..Order::default()
            })?;
        } else if indicators::crossed_above(slow, fast, bar) {
            context.sell(Order {
                size: OrderSize::Fraction(0.3),
                ..Order::default()
            })?;
        }
        Ok(())
    }
}

fn sma_cross(fast: usize, slow: usize) -> Box<dyn Strategy> {
    Box::new(SmaCross::new(fast, slow))
}

/// One reference run: the data, the strategy, the account, and which outputs to compare.
struct Case {
    name: &'static str,
    data: &'static str,
    strategy: fn() -> Box<dyn Strategy>,
    commission: Commission,
    has_equity: bool,
}

fn check(case: Case) {
    let bars = sample_data(case.data);
    let backtest = Backtest::new(10_000.0, case.commission).unwrap();
    let result = backtest.run(&bars, (case.strategy)().as_mut()).unwrap();
    check_stats(
        &result.stats,
        &reference_json(&format!("{}_stats.json", case.name)),
        case.name,
    );
    check_trades(
        &result.trades,
        &reference_path(&format!("{}_trades.csv", case.name)),
        case.name,
    );
    if case.has_equity {
        check_equity(
            &result,
            &bars,
            &reference_path(&format!("{}_equity.csv", case.name)),
            case.name,
        );
    }
}

#[test]
fn quick_start_with_commission() {
    check(Case {
        name: "quickstart_comm0.002",
        data: "GOOG.csv",
        strategy: || sma_cross(10, 20),
        commission: Commission::rate(0.002),
        has_equity: true,
    });
}

#[test]
fn quick_start_without_commission() {
    check(Case {
        name: "quickstart_comm0",
        data: "GOOG.csv",
        strategy: || sma_cross(10, 20),
        commission: Commission::rate(0.0),
        has_equity: true,
    });
}

#[test]
fn readme_form_goes_bust() {
    check(Case {
        name: "readme_comm0.002",
        data: "GOOG.csv",
        strategy: || {
            Box::new(ReadmeSmaCross {
                fast: Vec::new(),
                slow: Vec::new(),
            })
        },
        commission: Commission::rate(0.002),
        has_equity: true,
    });
}

#[test]
fn stop_loss_and_take_profit() {
    check(Case {
        name: "sltp_comm0.002",
        data: "GOOG.csv",
        strategy: || {
            let exits = Exits {
                stop_loss: Some(0.05),
                take_profit: Some(0.10),
            };
            Box::new(SmaCross::new(10, 20).with_exits(exits))
        },
        commission: Commission::rate(0.002),
        has_equity: false,
    });
}

#[test]
fn buy_and_hold_reenters_after_its_exits() {
    check(Case {
        name: "buyhold_sl0.05_tp0.2",
        data: "GOOG.csv",
        strategy: || {
            let parameters = Parameters::new(vec![
                ("stop_loss".into(), 0.05),
                ("take_profit".into(), 0.2),
            ]);
            BuiltinStrategy::BuyAndHold.build(&parameters).unwrap()
        },
        commission: Commission::rate(0.002),
        has_equity: false,
    });
}

#[test]
fn fixed_plus_proportional_commission() {
    check(Case {
        name: "fixed3_comm0.001",
        data: "GOOG.csv",
        strategy: || sma_cross(10, 20),
        commission: Commission {
            fixed: 3.0,
            rate: 0.001,
        },
        has_equity: false,
    });
}

#[test]
fn unit_and_fraction_sizes_net_against_open_trades() {
    check(Case {
        name: "sized_comm0.002",
        data: "GOOG.csv",
        strategy: || {
            Box::new(SizedOrders(ReadmeSmaCross {
                fast: Vec::new(),
                slow: Vec::new(),
            }))
        },
        commission: Commission::rate(0.002),
        has_equity: false,
    });
}

#[test]
fn hourly_data_annualises_over_days() {
    check(Case {
        name: "eurusd_comm0.0002",
        data: "EURUSD.csv",
        strategy: || sma_cross(10, 20),
        commission: Commission::rate(0.0002),
        has_equity: false,
    });
}

#[test]
fn monthly_data_annualises_over_months() {
    check(Case {
        name: "btcusd_3_6",
        data: "BTCUSD.csv",
        strategy: || sma_cross(3, 6),
        commission: Commission::rate(0.002),
        has_equity: false,
    });
}

fn check_stats(stats: &Stats, expected: &Value, case: &str) {
    let expected = expected.as_object().unwrap();
    let actual = serde_json::to_value(stats).unwrap();
    let actual_keys: Vec<&String> = actual.as_object().unwrap().keys().collect();
    let expected_keys: Vec<&String> = expected
        .keys()
        .filter(|key| !key.starts_with('_'))
        .collect();
    let mut sorted_expected = expected_keys.clone();
    sorted_expected.sort();
    assert_eq!(
        actual_keys, sorted_expected,
        "{case}: the statistics present"
    );
    for name in expected_keys {
        let value = stats
            .entries()
            .into_iter()
            .find(|(entry, _)| entry == name)
            .unwrap()
            .1;
        let wanted = &expected[name];
        let ok = match wanted {
            Value::Object(object) if object.contains_key("timestamp") => {
                let iso = object["timestamp"].as_str().unwrap();
                actual[name].as_str() == Some(iso)
            }
            Value::Object(object) => {
                let seconds = object["total_seconds"].as_f64().unwrap();
                value
                    .as_number()
                    .is_some_and(|days| close(days * 86_400.0, seconds))
            }
            Value::String(text) if text == "nan" => value.as_number().is_some_and(f64::is_nan),
            Value::Number(number) => value
                .as_number()
                .is_some_and(|actual| close(actual, number.as_f64().unwrap())),
            other => panic!("{case}: unexpected reference value {other}"),
        };
        assert!(
            ok,
            "{case}: {name} is {value:?}, backtesting.py has {wanted}"
        );
    }
}

/// A CSV file as rows of named cells.
fn read_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    reader
        .records()
        .map(|record| {
            header
                .iter()
                .cloned()
                .zip(record.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

fn cell_number(text: &str) -> f64 {
    if text.is_empty() {
        f64::NAN
    } else {
        text.parse().unwrap()
    }
}

/// pandas' `19 days` or `0 days 05:00:00`.
fn cell_span(text: &str) -> Option<TimeSpan> {
    let (days, rest) = text.split_once(" days")?;
    let mut nanos = days.parse::<i64>().unwrap() * finml_trading::NANOS_PER_DAY;
    if !rest.trim().is_empty() {
        let clock: Vec<i64> = rest
            .trim()
            .split(':')
            .map(|part| part.parse().unwrap())
            .collect();
        nanos += ((clock[0] * 60 + clock[1]) * 60 + clock[2]) * 1_000_000_000;
    }
    Some(TimeSpan::from_nanos(nanos))
}

fn check_trades(trades: &[Trade], path: &Path, case: &str) {
    let rows = read_rows(path);
    assert_eq!(trades.len(), rows.len(), "{case}: number of trades");
    for (index, (trade, row)) in trades.iter().zip(&rows).enumerate() {
        let at = |column: &str| row[column].as_str();
        assert_eq!(
            trade.size,
            at("Size").parse::<i64>().unwrap(),
            "{case}: trade {index} size"
        );
        assert_eq!(
            trade.entry_bar,
            at("EntryBar").parse::<usize>().unwrap(),
            "{case}: trade {index} entry bar"
        );
        assert_eq!(
            trade.exit_bar,
            at("ExitBar").parse::<usize>().unwrap(),
            "{case}: trade {index} exit bar"
        );
        assert_eq!(
            Some(trade.entry_time),
            Timestamp::parse(at("EntryTime")),
            "{case}: trade {index} entry time"
        );
        assert_eq!(
            Some(trade.exit_time),
            Timestamp::parse(at("ExitTime")),
            "{case}: trade {index} exit time"
        );
        assert_eq!(
            Some(trade.duration()),
            cell_span(at("Duration")),
            "{case}: trade {index} duration"
        );
        let numbers = [
            ("EntryPrice", trade.entry_price),
            ("ExitPrice", trade.exit_price),
            ("SL", trade.stop_loss.unwrap_or(f64::NAN)),
            ("TP", trade.take_profit.unwrap_or(f64::NAN)),
            ("PnL", trade.pnl),
            ("Commission", trade.commission),
            ("ReturnPct", trade.return_pct),
        ];
        for (column, actual) in numbers {
            let expected = cell_number(at(column));
            assert!(
                close(actual, expected),
                "{case}: trade {index} {column} is {actual}, backtesting.py has {expected}"
            );
        }
    }
}

fn check_equity(result: &BacktestResult, bars: &Bars, path: &Path, case: &str) {
    let rows = read_rows(path);
    assert_eq!(rows.len(), bars.len(), "{case}: equity points");
    for (row, (timestamp, equity, drawdown, episode)) in rows.iter().zip(result.equity_curve(bars))
    {
        assert_eq!(timestamp.to_string(), row[""], "{case}: equity timestamps");
        let expected_equity = cell_number(&row["Equity"]);
        assert!(
            close(equity, expected_equity),
            "{case}: equity on {timestamp} is {equity}, backtesting.py has {expected_equity}"
        );
        let expected_drawdown = cell_number(&row["DrawdownPct"]);
        assert!(
            close(drawdown, expected_drawdown),
            "{case}: drawdown on {timestamp} is {drawdown}, backtesting.py has {expected_drawdown}"
        );
        assert_eq!(
            episode,
            cell_span(&row["DrawdownDuration"]),
            "{case}: drawdown duration on {timestamp}"
        );
    }
}

#[test]
fn the_75_run_grid_matches_and_picks_the_same_best() {
    let bars = sample_data("GOOG.csv");
    let backtest = Backtest::new(10_000.0, Commission::rate(0.002)).unwrap();
    let axes = vec![
        "fast=5..50:5".parse().unwrap(),
        "slow=10..100:10".parse().unwrap(),
    ];
    let grid = Grid::new(axes, vec!["fast<slow".parse().unwrap()]).unwrap();
    let optimization = optimize(&bars, &backtest, &grid, "Sharpe Ratio", |parameters| {
        BuiltinStrategy::SmaCross.build(parameters)
    })
    .unwrap();
    let rows = read_rows(&reference_path("grid_all_stats.csv"));
    assert_eq!(optimization.runs.len(), rows.len());
    for (run, row) in optimization.runs.iter().zip(&rows) {
        let label = format!("grid run {}", run.parameters);
        assert_eq!(
            run.parameters.get("fast"),
            Some(cell_number(&row["n1"])),
            "{label}"
        );
        assert_eq!(
            run.parameters.get("slow"),
            Some(cell_number(&row["n2"])),
            "{label}"
        );
        assert_eq!(
            run.open_trades.to_string(),
            row["open_trades_at_end"],
            "{label}: open trades"
        );
        for (name, value) in run.stats.entries() {
            let expected = &row[name];
            match name {
                "Start" | "End" => {
                    assert_eq!(
                        value,
                        finml_trading::StatValue::Time(time_of(&bars, name)),
                        "{label}: {name}"
                    )
                }
                "Duration"
                | "Max. Drawdown Duration"
                | "Avg. Drawdown Duration"
                | "Max. Trade Duration"
                | "Avg. Trade Duration" => {
                    assert_eq!(
                        value,
                        finml_trading::StatValue::Span(cell_span(expected)),
                        "{label}: {name}"
                    )
                }
                _ => {
                    let (actual, expected) = (value.as_number().unwrap(), cell_number(expected));
                    assert!(
                        close(actual, expected),
                        "{label}: {name} is {actual}, backtesting.py has {expected}"
                    );
                }
            }
        }
    }
    let best = optimization.best().unwrap();
    assert_eq!(best.parameters.to_string(), "fast=10,slow=20");
    check_stats(
        &best.stats,
        &reference_json("optimize_best_stats.json"),
        "optimize best",
    );
}

fn time_of(bars: &Bars, name: &str) -> Timestamp {
    let timestamps = bars.timestamps();
    if name == "Start" {
        timestamps[0]
    } else {
        timestamps[timestamps.len() - 1]
    }
}
