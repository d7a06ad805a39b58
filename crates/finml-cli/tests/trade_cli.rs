//! `finml trade` as a user runs it, on a small generated price series.

mod common;

use std::path::Path;

use common::{check_error, finml, stdout};
use finml_trading::{NANOS_PER_DAY, Timestamp};
use serde_json::Value;

/// Writes 400 weekday bars of a trending, oscillating price and returns the file's path.
fn prices(dir: &Path) -> String {
    let mut csv = String::from("Date,Open,High,Low,Close,Volume\n");
    let monday = Timestamp::parse("2020-01-06").unwrap().nanos();
    let weekdays = (0..)
        .filter(|day| day % 7 < 5)
        .map(|day| Timestamp::from_nanos(monday + day * NANOS_PER_DAY));
    for (bar, date) in weekdays.take(400).enumerate() {
        let t = bar as f64;
        let close = 100.0 + 0.05 * t + 8.0 * (t / 9.0).sin() + 3.0 * (t / 2.3).cos();
        let open = close - 0.7 * (t / 4.0).sin();
        csv += &format!(
            "{date},{open},{},{},{close},{}\n",
            open.max(close) + 0.8,
            open.min(close) - 0.8,
            1000 + bar
        );
    }
    let path = dir.join("prices.csv");
    std::fs::write(&path, csv).unwrap();
    path.display().to_string()
}

const STATISTICS: [&str; 33] = [
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
    "_strategy",
];

#[test]
fn backtest_prints_backtesting_py_statistics_and_writes_its_tables() {
    let dir = tempfile::tempdir().unwrap();
    let data = prices(dir.path());
    let out = |name: &str| dir.path().join(name).display().to_string();
    let (trades, equity, plot) = (out("trades.csv"), out("equity.csv"), out("plot.svg"));
    let json = stdout(&finml(&[
        "trade",
        "backtest",
        "--data",
        &data,
        "--strategy",
        "sma-cross",
        "--fast",
        "5",
        "--slow",
        "12",
        "--cash",
        "10000",
        "--commission",
        "0.002",
        "--json",
        "--trades",
        &trades,
        "--equity",
        &equity,
        "--plot",
        &plot,
    ]));
    // serde_json's map sorts keys, so read the key order from the text itself.
    let keys: Vec<&str> = json
        .lines()
        .filter_map(|line| {
            line.trim()
                .strip_prefix('"')?
                .split_once("\":")
                .map(|(key, _)| key)
        })
        .collect();
    assert_eq!(keys, STATISTICS);
    let stats: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(stats["_strategy"], "sma-cross(fast=5,slow=12)");
    assert_eq!(stats["Start"], "2020-01-06T00:00:00");
    assert!(stats["Duration"].is_i64(), "durations are whole days");
    let trade_count = stats["# Trades"].as_u64().unwrap();
    assert!(trade_count > 10);

    let trades = std::fs::read_to_string(&trades).unwrap();
    assert!(trades.starts_with("Size,EntryBar,ExitBar,EntryPrice,ExitPrice,SL,TP,PnL,Commission,ReturnPct,EntryTime,ExitTime,Duration\n"));
    assert_eq!(trades.lines().count() as u64, trade_count + 1);
    let equity = std::fs::read_to_string(&equity).unwrap();
    assert_eq!(equity.lines().count(), 401);
    assert!(
        equity
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("2020-01-06,10000,0,")
    );
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("sma-cross(fast=5,slow=12) on prices.csv"));
}

#[test]
fn backtest_without_commission_leaves_commissions_out_like_backtesting_py() {
    let dir = tempfile::tempdir().unwrap();
    let json = stdout(&finml(&[
        "trade",
        "backtest",
        "--data",
        &prices(dir.path()),
        "--strategy",
        "buy-and-hold",
        "--json",
    ]));
    let stats: Value = serde_json::from_str(&json).unwrap();
    assert!(stats.get("Commissions [$]").is_none());
    assert_eq!(stats["_strategy"], "buy-and-hold()");
}

#[test]
fn optimize_ranks_every_combination_and_writes_the_grid() {
    let dir = tempfile::tempdir().unwrap();
    let data = prices(dir.path());
    let (runs, heatmap) = (dir.path().join("runs.csv"), dir.path().join("heatmap.svg"));
    let json = stdout(&finml(&[
        "trade",
        "optimize",
        "--data",
        &data,
        "--grid",
        "fast=2..10:2",
        "--grid",
        "slow=5..25:5",
        "--constraint",
        "fast<slow",
        "--maximize",
        "Sharpe Ratio",
        "--commission",
        "0.001",
        "--json",
        "--csv",
        &runs.display().to_string(),
        "--heatmap",
        &heatmap.display().to_string(),
    ]));
    let report: Value = serde_json::from_str(&json).unwrap();
    let ranked = report["runs"].as_array().unwrap();
    assert_eq!(ranked.len(), 21, "5 × 5 pairs less the 4 with fast >= slow");
    let scores: Vec<f64> = ranked
        .iter()
        .filter_map(|run| run["score"].as_f64())
        .collect();
    assert!(
        scores.windows(2).all(|pair| pair[0] >= pair[1]),
        "best first: {scores:?}"
    );
    assert_eq!(report["best"]["parameters"], ranked[0]["parameters"]);
    assert_eq!(
        report["best"]["stats"]["Sharpe Ratio"].as_f64(),
        Some(scores[0])
    );

    let csv = std::fs::read_to_string(&runs).unwrap();
    assert_eq!(csv.lines().count(), 22);
    assert!(csv.starts_with("fast,slow,Start,End,Duration,Exposure Time [%]"));
    assert!(
        csv.lines().nth(1).unwrap().starts_with("2,5,2020-01-06,"),
        "grid order"
    );
    let svg = std::fs::read_to_string(&heatmap).unwrap();
    assert!(svg.contains("Sharpe Ratio by fast and slow"));

    let text = stdout(&finml(&[
        "trade", "optimize", "--data", &data, "--grid", "fast=2,4", "--grid", "slow=20", "--top",
        "1",
    ]));
    assert!(
        text.starts_with("2 combinations on prices.csv in "),
        "{text}"
    );
    assert!(text.contains("\nBest: sma-cross(fast="), "{text}");
}

#[test]
fn bad_input_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let data = prices(dir.path());
    let missing = dir.path().join("missing.csv").display().to_string();
    check_error(
        &["trade", "backtest", "--data", &missing],
        &["missing.csv: cannot read the file"],
    );
    let unsorted = dir.path().join("unsorted.csv");
    std::fs::write(
        &unsorted,
        "Date,Open,High,Low,Close\n2020-01-02,1,2,0.5,1\n2020-01-01,1,2,0.5,1\n",
    )
    .unwrap();
    check_error(
        &[
            "trade",
            "backtest",
            "--data",
            &unsorted.display().to_string(),
        ],
        &[
            "unsorted.csv, line 3, column 'timestamp': 2020-01-01 comes before the previous row's 2020-01-02",
        ],
    );
    check_error(
        &["trade", "backtest", "--data", &data, "--strategy", "macd"],
        &["unknown strategy 'macd'"],
    );
    check_error(
        &["trade", "backtest", "--data", &data, "--commission", "0.5"],
        &["commission rate must lie in [-0.1, 0.1)"],
    );
    check_error(
        &["trade", "backtest", "--data", &data, "--stop-loss", "5"],
        &["stop_loss must be a fraction between 0 and 1"],
    );
    check_error(
        &["trade", "optimize", "--data", &data, "--grid", "fast=10..5"],
        &["FIRST <= LAST"],
    );
    check_error(
        &[
            "trade",
            "optimize",
            "--data",
            &data,
            "--grid",
            "fast=5",
            "--maximize",
            "Profit",
        ],
        &["unknown statistic 'Profit'"],
    );
    check_error(
        &[
            "trade",
            "optimize",
            "--data",
            &data,
            "--grid",
            "fast=5,10",
            "--heatmap",
            "x.svg",
        ],
        &["a heat map needs at least two grid parameters"],
    );
}

/// backtesting.py's GOOG.csv, from `FINML_GOOG_CSV` or where `.ci/fetch-goog.sh` puts it.
fn goog() -> String {
    let path = std::env::var_os("FINML_GOOG_CSV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-data/GOOG.csv")
        });
    assert!(
        path.exists(),
        "{} is missing: run `bash .ci/fetch-goog.sh` or set FINML_GOOG_CSV",
        path.display()
    );
    path.display().to_string()
}

#[test]
fn walk_forward_on_goog_reports_out_of_sample_trading_beside_the_baselines() {
    let data = goog();
    let args = [
        "trade",
        "walk-forward",
        "--data",
        &data,
        "--model",
        "gru",
        "--window",
        "10",
        "--hidden",
        "4",
        "--epochs",
        "1",
        "--train-bars",
        "1500",
        "--step",
        "300",
        "--seed",
        "3",
    ];
    let json = stdout(&finml(&[&args[..], &["--json"]].concat()));
    let report: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["model"], "gru");
    let folds = report["folds"].as_array().unwrap();
    assert_eq!(folds.len(), 3, "train ends 1500, 1800, 2100 of 2148 bars");
    assert_eq!(folds[0]["forecast"]["start"], 1499);
    assert_eq!(report["forecasts"], 2148 - 1 - 1499);
    let strategies: Vec<&str> = report["backtests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|run| run["strategy"].as_str().unwrap())
        .collect();
    assert_eq!(
        strategies,
        ["model(gru)", "buy-and-hold()", "sma-cross(fast=10,slow=20)"]
    );
    let model_stats = &report["backtests"][0]["stats"];
    assert_eq!(model_stats["Start"], "2010-08-02T00:00:00", "bar 1498");
    assert!(model_stats["Sharpe Ratio"].is_number());
    let versus = report["versus_baseline"].as_array().unwrap();
    let coin = versus[0]["baseline"].as_f64().unwrap();
    assert!((coin - std::f64::consts::LN_2).abs() < 1e-12, "{coin}");
    for row in versus {
        let (model, baseline) = (
            row["model"].as_f64().unwrap(),
            row["baseline"].as_f64().unwrap(),
        );
        let lower_is_better = row["measure"].as_str().unwrap().starts_with("log loss");
        let beats = if lower_is_better {
            model < baseline
        } else {
            model > baseline
        };
        assert_eq!(row["beats_baseline"].as_bool(), Some(beats), "{row}");
    }

    let text = stdout(&finml(&args));
    assert!(
        text.starts_with("Walk-forward gru on GOOG.csv: 3 folds"),
        "{text}"
    );
    assert!(text.contains("beats baseline"), "{text}");
    assert!(text.contains("Sharpe ratio above buy-and-hold: "), "{text}");
}

#[test]
fn a_trained_model_saves_and_trades_through_the_backtester() {
    let dir = tempfile::tempdir().unwrap();
    let data = prices(dir.path());
    let model = dir.path().join("vol").display().to_string();
    let text = stdout(&finml(&[
        "trade",
        "train",
        "--data",
        &data,
        "--model",
        "seq2seq",
        "--window",
        "12",
        "--horizon",
        "4",
        "--hidden",
        "4",
        "--epochs",
        "2",
        "--out",
        &model,
    ]));
    assert!(
        text.starts_with("seq2seq trained on 385 windows of 12 bars"),
        "{text}"
    );
    let card: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("vol/model.json")).unwrap())
            .unwrap();
    assert_eq!(card["spec"]["horizon"], 4);
    assert_eq!(card["data_sha256"].as_str().unwrap().len(), 64);
    assert!(card["volatility_threshold"].as_f64().unwrap() > 0.0);
    assert!(dir.path().join("vol/weights.bpk").exists());

    let output = finml(&[
        "trade",
        "backtest",
        "--data",
        &data,
        "--strategy",
        "model",
        "--model",
        &model,
        "--json",
    ]);
    let stats: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(stats["_strategy"], "model(seq2seq)");
    assert!(String::from_utf8_lossy(&output.stderr).contains("in-sample"));
}

#[test]
fn forecasting_commands_refuse_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let data = prices(dir.path());
    let out = dir.path().join("m").display().to_string();
    check_error(
        &[
            "trade", "train", "--data", &data, "--model", "lstm", "--window", "500", "--out", &out,
        ],
        &["training needs at least 501 bars", "but has 400"],
    );
    check_error(
        &[
            "trade", "train", "--data", &data, "--model", "xgboost", "--out", &out,
        ],
        &[
            "unknown model 'xgboost'",
            "lstm, gru, transformer and seq2seq",
        ],
    );
    check_error(
        &[
            "trade",
            "walk-forward",
            "--data",
            &data,
            "--model",
            "gru",
            "--train-bars",
            "1000",
        ],
        &[
            "--train-bars 1000 leaves nothing to forecast",
            "at most 398",
        ],
    );
    check_error(
        &[
            "trade",
            "walk-forward",
            "--data",
            &data,
            "--model",
            "gru",
            "--margin",
            "0.5",
        ],
        &["--margin must lie in [0, 0.5), not 0.5"],
    );
    check_error(
        &["trade", "backtest", "--data", &data, "--strategy", "model"],
        &["--strategy model needs --model DIR"],
    );
    check_error(
        &[
            "trade",
            "optimize",
            "--data",
            &data,
            "--strategy",
            "model",
            "--grid",
            "fast=5",
        ],
        &["optimize takes a built-in strategy, not model"],
    );
}
