//! Bad input is refused with a message that says what is wrong and where: the file, the line
//! (CSV) or row (Parquet), and the column.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampNanosecondArray,
};
use finml_trading::{
    Backtest, Bar, Bars, BuiltinStrategy, Commission, Context, Grid, NANOS_PER_DAY, Order,
    OrderError, Parameters, Strategy, Timestamp, load_bars, optimize,
};
use parquet::arrow::ArrowWriter;

/// Writes `contents` to a file named `name` and checks what loading it says; `{file}` in
/// `expected` stands for the file's path.
fn check(name: &str, contents: &[u8], expected: Result<usize, &str>) {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join(name);
    std::fs::write(&path, contents).unwrap();
    let loaded = load_bars(&path)
        .map(|bars| bars.len())
        .map_err(|error| error.to_string());
    let expected =
        expected.map_err(|message| message.replace("{file}", &path.display().to_string()));
    assert_eq!(loaded, expected, "loading {name}");
}

fn parquet(columns: Vec<(&str, ArrayRef)>) -> Vec<u8> {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    bytes
}

fn prices(values: &[f64]) -> ArrayRef {
    Arc::new(Float64Array::from(values.to_vec()))
}

#[test]
fn csv_files() {
    check(
        "good.csv",
        b"Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,0.5,1.5,100\n",
        Ok(1),
    );
    check(
        "empty.csv",
        b"",
        Err("{file}: the file is empty: expected a header row and at least one data row"),
    );
    check(
        "unsorted.csv",
        b"Date,Open,High,Low,Close\n2024-01-03,1,2,0.5,1.5\n2024-01-02,1,2,0.5,1.5\n",
        Err(
            "{file}, line 3, column 'timestamp': 2024-01-02 comes before the previous row's 2024-01-03",
        ),
    );
    check(
        "range.csv",
        b"Date,Open,High,Low,Close\n2024-01-02,1,0.4,0.5,1.5\n",
        Err("{file}, line 2, column 'High': High 0.4 is below Low 0.5"),
    );
    check(
        "text.csv",
        b"Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,0.5,1.5,many\n",
        Err("{file}, line 2, column 'Volume': not a number: \"many\""),
    );
    check(
        "binary.csv",
        b"Date,Open,High,Low,Close\n2024-01-02,\xff,2,0.5,1.5\n",
        Err(
            "{file}: not readable as CSV: CSV parse error: record 1 (line 2, field: 1, byte: 25): \
             invalid utf-8: invalid UTF-8 in field 1 near byte index 0",
        ),
    );
}

/// CSV files are read by finml-data's reader, as every file finml reads: header names padded
/// with spaces or no-break spaces (as spreadsheets export them) are the plain names, and the
/// missing-value markers are its markers.
#[test]
fn csv_files_read_as_finml_data_reads_them() {
    let folder = tempfile::tempdir().unwrap();
    let load = |name: &str, contents: &str| {
        let path = folder.path().join(name);
        std::fs::write(&path, contents).unwrap();
        load_bars(&path).map_err(|error| error.to_string())
    };
    let rows = "2024-01-02,1,2,0.5,1.5,100\n2024-01-03,1,2,0.5,1.6,200\n";
    let plain = load(
        "plain.csv",
        &format!("Date,Open,High,Low,Close,Volume\n{rows}"),
    );
    let padded = load(
        "padded.csv",
        &format!("\u{a0}Date , Open,High,Low,\u{a0}Close\u{a0},Volume \n{rows}"),
    );
    assert_eq!(padded, plain);
    assert_eq!(plain.map(|bars| bars.len()), Ok(2));
    for marker in ["NA", "None", "null"] {
        let message = load(
            "missing.csv",
            &format!("Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,0.5,1.5,{marker}\n"),
        )
        .unwrap_err();
        assert!(
            message.ends_with("missing.csv, line 2, column 'Volume': missing value"),
            "{marker}: {message}"
        );
    }
}

#[test]
fn files_that_cannot_be_read() {
    let missing = Path::new("/nonexistent/prices.csv");
    let message = load_bars(missing).unwrap_err().to_string();
    assert!(
        message.starts_with("/nonexistent/prices.csv: cannot read the file: "),
        "{message}"
    );
    check(
        "prices.json",
        b"{}",
        Err("{file}: unsupported file type; expected .csv or .parquet"),
    );
    check(
        "prices.parquet",
        b"Date,Open\n",
        Err(
            "{file}: not a readable Parquet file: Parquet error: Invalid Parquet file. Corrupt footer",
        ),
    );
}

#[test]
fn parquet_files() {
    let days = |offsets: &[i64]| -> ArrayRef {
        Arc::new(TimestampNanosecondArray::from(
            offsets
                .iter()
                .map(|day| day * NANOS_PER_DAY)
                .collect::<Vec<_>>(),
        ))
    };
    let good = parquet(vec![
        ("Date", days(&[0, 1])),
        ("open", prices(&[1.0, 2.0])),
        ("HIGH", prices(&[2.0, 3.0])),
        ("Low", prices(&[0.5, 1.5])),
        ("Close", prices(&[1.5, 2.5])),
        ("Volume", Arc::new(Int64Array::from(vec![100, 200]))),
    ]);
    check("good.parquet", &good, Ok(2));

    let dates = parquet(vec![
        (
            "date",
            Arc::new(Date32Array::from(vec![19_000, 19_001])) as ArrayRef,
        ),
        ("Open", prices(&[1.0, 2.0])),
        ("High", prices(&[2.0, 3.0])),
        ("Low", prices(&[0.5, 1.5])),
        ("Close", Arc::new(Float64Array::from(vec![Some(1.5), None]))),
    ]);
    check(
        "null.parquet",
        &dates,
        Err("{file}, row 2, column 'Close': missing value"),
    );

    let text_times = parquet(vec![
        (
            "timestamp",
            Arc::new(StringArray::from(vec![
                "2024-01-02 10:00",
                "2024-01-02 10:00",
            ])) as ArrayRef,
        ),
        ("Open", prices(&[1.0, 2.0])),
        ("High", prices(&[2.0, 3.0])),
        ("Low", prices(&[0.5, 1.5])),
        ("Close", prices(&[1.5, 2.5])),
    ]);
    check(
        "duplicate.parquet",
        &text_times,
        Err(
            "{file}, row 2, column 'timestamp': duplicate timestamp 2024-01-02 10:00:00, first at row 1",
        ),
    );

    let no_high = parquet(vec![
        ("Date", days(&[0])),
        ("Open", prices(&[1.0])),
        ("Low", prices(&[0.5])),
        ("Close", prices(&[1.0])),
    ]);
    check(
        "no_high.parquet",
        &no_high,
        Err(
            "{file}, column 'High': no such column; the header has: 'Date', 'Open', 'Low', 'Close'",
        ),
    );
}

fn flat_bars(count: i64) -> Bars {
    Bars::from_bars((0..count).map(|day| Bar {
        timestamp: Timestamp::from_nanos(day * NANOS_PER_DAY),
        open: 100.0,
        high: 101.0,
        low: 99.0,
        close: 100.0,
        volume: None,
    }))
    .unwrap()
}

/// Places a long order whose stop-loss lies above the price.
struct InvertedStop;

impl Strategy for InvertedStop {
    fn init(&mut self, _bars: &Bars) -> usize {
        0
    }

    fn next(&mut self, context: &mut Context<'_, '_>) -> Result<(), OrderError> {
        context.buy(Order {
            stop_loss: Some(120.0),
            ..Order::default()
        })
    }
}

#[test]
fn backtest_settings_and_orders() {
    let errors = [
        Backtest::new(0.0, Commission::default())
            .unwrap_err()
            .to_string(),
        Backtest::new(1e4, Commission::rate(0.2))
            .unwrap_err()
            .to_string(),
        Backtest::new(
            1e4,
            Commission {
                fixed: -1.0,
                rate: 0.0,
            },
        )
        .unwrap_err()
        .to_string(),
    ];
    assert_eq!(
        errors,
        [
            "starting cash must be a positive number, not 0",
            "the commission rate must lie in [-0.1, 0.1), not 0.2",
            "the fixed commission must be zero or more, not -1",
        ]
    );
    let backtest = Backtest::new(1e4, Commission::default()).unwrap();
    let too_short = backtest.run(&flat_bars(1), &mut InvertedStop).unwrap_err();
    assert_eq!(
        too_short.to_string(),
        "a backtest needs at least 2 bars, the data has 1"
    );
    let inverted = backtest.run(&flat_bars(3), &mut InvertedStop).unwrap_err();
    assert_eq!(
        inverted.to_string(),
        "the strategy placed an invalid order on bar 1 (1970-01-02): a long order needs stop-loss < price < \
         take-profit, but has stop-loss Some(120.0), price 100, take-profit None"
    );
}

#[test]
fn strategy_parameters_and_grids() {
    let build = |name: &str, parameters: &[(&str, f64)]| {
        let parameters = Parameters::new(
            parameters
                .iter()
                .map(|(name, value)| (name.to_string(), *value))
                .collect(),
        );
        name.parse::<BuiltinStrategy>()
            .and_then(|strategy| strategy.build(&parameters))
            .err()
            .map(|error| error.to_string())
    };
    assert_eq!(build("sma-cross", &[("fast", 5.0)]), None);
    assert_eq!(
        build("macd", &[]).as_deref(),
        Some("unknown strategy 'macd'; the built-in strategies are sma-cross, buy-and-hold")
    );
    assert_eq!(
        build("buy-and-hold", &[("fast", 5.0)]).as_deref(),
        Some("buy-and-hold has no parameter 'fast'; it takes stop_loss, take_profit")
    );
    assert_eq!(
        build("sma-cross", &[("fast", 2.5)]).as_deref(),
        Some("fast must be a whole number of bars, at least 1, not 2.5")
    );
    assert_eq!(
        build("sma-cross", &[("stop_loss", 5.0)]).as_deref(),
        Some("stop_loss must be a fraction between 0 and 1 (0.05 for 5 %), not 5")
    );

    let bars = flat_bars(30);
    let backtest = Backtest::new(1e4, Commission::default()).unwrap();
    let grid = Grid::new(vec!["fast=5..10:5".parse().unwrap()], vec![]).unwrap();
    let strategy = |parameters: &Parameters| BuiltinStrategy::SmaCross.build(parameters);
    let unknown = optimize(&bars, &backtest, &grid, "Sharpe", strategy)
        .unwrap_err()
        .to_string();
    assert!(
        unknown.starts_with(
            "unknown statistic 'Sharpe' to maximise; choose one of Duration, Exposure Time [%]"
        ),
        "{unknown}"
    );
    let impossible = Grid::new(
        vec!["fast=5".parse().unwrap(), "slow=3".parse().unwrap()],
        vec!["fast<slow".parse().unwrap()],
    );
    let error = optimize(&bars, &backtest, &impossible.unwrap(), "SQN", strategy).unwrap_err();
    assert_eq!(
        error.to_string(),
        "no parameter combination satisfies the constraints"
    );
    let bad_period = Grid::new(vec!["fast=0..5:5".parse().unwrap()], vec![]).unwrap();
    let error = optimize(&bars, &backtest, &bad_period, "SQN", strategy).unwrap_err();
    assert_eq!(
        error.to_string(),
        "parameters fast=0: fast must be a whole number of bars, at least 1, not 0"
    );
}
