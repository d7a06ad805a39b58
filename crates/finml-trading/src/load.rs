//! Reading OHLCV bars from CSV and Parquet files.
//!
//! A CSV file is read by finml-data's reader, as every file finml reads: the same header
//! names, cells and missing values. A Parquet file is read here, by its Arrow types, so that
//! timestamps keep their stored values whatever time zone is attached.
//!
//! Columns are found by name without regard to case: Open, High, Low, Close, and optionally
//! Volume. The timestamp column is the one named timestamp, datetime, date or time (or
//! `__index_level_0__`, pandas' unnamed index in Parquet), else the first column when that is
//! not a price column, which is how pandas writes an unnamed index to CSV.

use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float32Type, Float64Type, Int32Type, Int64Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use finml_data::{ReadOptions, Table, is_missing};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::bars::{Bar, Bars, BarsBuilder, DataError, DataErrorKind, Place};
use crate::time::{NANOS_PER_DAY, Timestamp};

const TIMESTAMP_NAMES: [&str; 5] = ["timestamp", "datetime", "date", "time", "__index_level_0__"];
const PRICE_NAMES: [&str; 5] = ["open", "high", "low", "close", "volume"];

/// Reads bars from a `.csv` or `.parquet` file, chosen by the file's extension.
pub fn load_bars(path: &Path) -> Result<Bars, DataError> {
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("csv") => read_csv(path),
        Some("parquet" | "pq") => read_parquet(path),
        _ => Err(BarsBuilder::new(path.display().to_string()).error(
            None,
            None,
            DataErrorKind::UnsupportedFileType,
        )),
    }
}

fn read_csv(path: &Path) -> Result<Bars, DataError> {
    let table = Table::read(path, ReadOptions::default())?;
    let mut builder = BarsBuilder::new(path.display().to_string());
    let header = Place::Line(1);
    let columns = Columns::find(&table.headers)
        .map_err(|(column, kind)| builder.error(Some(header), Some(column), kind))?;
    for row in 0..table.len() {
        // A CSV record always has a line; the row number is only a fallback.
        let place = table
            .line(row)
            .map_or(Place::Row(row as u64 + 1), Place::Line);
        let cell = |index: usize| table.cell(row, index);
        let cells = RowCells {
            timestamp: parse_timestamp(cell(columns.timestamp)),
            open: parse_number(cell(columns.open)),
            high: parse_number(cell(columns.high)),
            low: parse_number(cell(columns.low)),
            close: parse_number(cell(columns.close)),
            volume: columns.volume.map(|index| parse_number(cell(index))),
        };
        push_row(&mut builder, place, cells)?;
    }
    builder.finish()
}

/// Reads Parquet bars. Timestamps may be Arrow timestamps (any unit; an attached time zone
/// is ignored and the stored UTC values are used), dates, or strings; prices may be floats or
/// integers.
fn read_parquet(path: &Path) -> Result<Bars, DataError> {
    let mut builder = BarsBuilder::new(path.display().to_string());
    let file = File::open(path).map_err(|error| builder.error(None, None, error.into()))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|error| builder.error(None, None, error.into()))?;
    let names: Vec<String> = reader
        .schema()
        .fields()
        .iter()
        .map(|field| field.name().clone())
        .collect();
    let columns =
        Columns::find(&names).map_err(|(column, kind)| builder.error(None, Some(column), kind))?;
    let batches = reader
        .build()
        .map_err(|error| builder.error(None, None, error.into()))?;
    let mut rows_before = 0;
    for batch in batches {
        let batch = batch
            .map_err(|error| builder.error(None, None, DataErrorKind::Parquet(error.into())))?;
        push_batch(&mut builder, &batch, &columns, rows_before)?;
        rows_before += batch.num_rows() as u64;
    }
    builder.finish()
}

/// Positions of the columns the bars need.
struct Columns {
    timestamp: usize,
    open: usize,
    high: usize,
    low: usize,
    close: usize,
    volume: Option<usize>,
}

impl Columns {
    /// Finds the columns in a header; an error names the column at fault.
    fn find(names: &[String]) -> Result<Self, (&'static str, DataErrorKind)> {
        let required = |column: &'static str| {
            Self::position(names, column)?.ok_or_else(|| (column, missing_column(names)))
        };
        let timestamp = Self::timestamp_position(names)?;
        Ok(Self {
            timestamp,
            open: required("Open")?,
            high: required("High")?,
            low: required("Low")?,
            close: required("Close")?,
            volume: Self::position(names, "Volume")?,
        })
    }

    fn position(
        names: &[String],
        column: &'static str,
    ) -> Result<Option<usize>, (&'static str, DataErrorKind)> {
        let mut matches = names
            .iter()
            .enumerate()
            .filter(|(_, name)| name.eq_ignore_ascii_case(column));
        let first = matches.next().map(|(index, _)| index);
        match matches.next() {
            Some(_) => Err((column, DataErrorKind::DuplicateColumn)),
            None => Ok(first),
        }
    }

    fn timestamp_position(names: &[String]) -> Result<usize, (&'static str, DataErrorKind)> {
        for candidate in TIMESTAMP_NAMES {
            if let Some(index) = Self::position(names, candidate)? {
                return Ok(index);
            }
        }
        let first_is_price = names.first().is_none_or(|name| {
            PRICE_NAMES
                .iter()
                .any(|price| name.eq_ignore_ascii_case(price))
        });
        if first_is_price {
            Err(("timestamp", missing_column(names)))
        } else {
            Ok(0)
        }
    }
}

fn missing_column(names: &[String]) -> DataErrorKind {
    let quoted: Vec<String> = names.iter().map(|name| format!("'{name}'")).collect();
    DataErrorKind::MissingColumn {
        found: quoted.join(", "),
    }
}

/// The parsed cells of one row, each either a value or what is wrong with it.
struct RowCells {
    timestamp: Result<Timestamp, DataErrorKind>,
    open: Result<f64, DataErrorKind>,
    high: Result<f64, DataErrorKind>,
    low: Result<f64, DataErrorKind>,
    close: Result<f64, DataErrorKind>,
    volume: Option<Result<f64, DataErrorKind>>,
}

fn push_row(builder: &mut BarsBuilder, place: Place, cells: RowCells) -> Result<(), DataError> {
    let bar = {
        let builder = &*builder;
        let at = |column: &'static str| move |kind| builder.error(Some(place), Some(column), kind);
        Bar {
            timestamp: cells.timestamp.map_err(at("timestamp"))?,
            open: cells.open.map_err(at("Open"))?,
            high: cells.high.map_err(at("High"))?,
            low: cells.low.map_err(at("Low"))?,
            close: cells.close.map_err(at("Close"))?,
            volume: cells.volume.transpose().map_err(at("Volume"))?,
        }
    };
    builder.push(bar, place)
}

fn parse_number(text: &str) -> Result<f64, DataErrorKind> {
    if is_missing(text) {
        return Err(DataErrorKind::MissingValue);
    }
    text.parse()
        .map_err(|_| DataErrorKind::NotANumber(text.to_owned()))
}

fn parse_timestamp(text: &str) -> Result<Timestamp, DataErrorKind> {
    if is_missing(text) {
        return Err(DataErrorKind::MissingValue);
    }
    Timestamp::parse(text).ok_or_else(|| DataErrorKind::BadTimestamp(text.to_owned()))
}

fn push_batch(
    builder: &mut BarsBuilder,
    batch: &RecordBatch,
    columns: &Columns,
    rows_before: u64,
) -> Result<(), DataError> {
    let column_error =
        |builder: &BarsBuilder, column: &str, kind| builder.error(None, Some(column), kind);
    let numbers = |index: usize, column: &str| {
        number_cells(batch.column(index).as_ref())
            .map_err(|kind| column_error(builder, column, kind))
    };
    let mut open = numbers(columns.open, "Open")?.into_iter();
    let mut high = numbers(columns.high, "High")?.into_iter();
    let mut low = numbers(columns.low, "Low")?.into_iter();
    let mut close = numbers(columns.close, "Close")?.into_iter();
    let mut volume = columns
        .volume
        .map(|index| numbers(index, "Volume"))
        .transpose()?
        .map(Vec::into_iter);
    let timestamps = timestamp_cells(batch.column(columns.timestamp).as_ref())
        .map_err(|kind| column_error(builder, "timestamp", kind))?;
    for (row, timestamp) in timestamps.into_iter().enumerate() {
        let mut next = |cells: &mut std::vec::IntoIter<Result<f64, DataErrorKind>>| {
            cells.next().unwrap_or(Err(DataErrorKind::MissingValue))
        };
        let cells = RowCells {
            timestamp,
            open: next(&mut open),
            high: next(&mut high),
            low: next(&mut low),
            close: next(&mut close),
            volume: volume.as_mut().map(&mut next),
        };
        push_row(builder, Place::Row(rows_before + row as u64 + 1), cells)?;
    }
    Ok(())
}

fn number_cells(array: &dyn Array) -> Result<Vec<Result<f64, DataErrorKind>>, DataErrorKind> {
    let cells: Vec<Option<f64>> = match array.data_type() {
        DataType::Float64 => array.as_primitive::<Float64Type>().iter().collect(),
        DataType::Float32 => array
            .as_primitive::<Float32Type>()
            .iter()
            .map(|value| value.map(f64::from))
            .collect(),
        DataType::Int64 => array
            .as_primitive::<Int64Type>()
            .iter()
            .map(|value| value.map(|value| value as f64))
            .collect(),
        DataType::Int32 => array
            .as_primitive::<Int32Type>()
            .iter()
            .map(|value| value.map(f64::from))
            .collect(),
        other => return Err(DataErrorKind::UnsupportedColumnType(other.to_string())),
    };
    Ok(cells
        .into_iter()
        .map(|cell| cell.ok_or(DataErrorKind::MissingValue))
        .collect())
}

fn timestamp_cells(
    array: &dyn Array,
) -> Result<Vec<Result<Timestamp, DataErrorKind>>, DataErrorKind> {
    let scaled =
        |values: Vec<Option<i64>>, nanos_per_unit: i64| -> Vec<Result<Timestamp, DataErrorKind>> {
            values
                .into_iter()
                .map(|value| {
                    let value = value.ok_or(DataErrorKind::MissingValue)?;
                    value
                        .checked_mul(nanos_per_unit)
                        .map(Timestamp::from_nanos)
                        .ok_or_else(|| DataErrorKind::BadTimestamp(value.to_string()))
                })
                .collect()
        };
    Ok(match array.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => scaled(
            array.as_primitive::<TimestampSecondType>().iter().collect(),
            1_000_000_000,
        ),
        DataType::Timestamp(TimeUnit::Millisecond, _) => scaled(
            array
                .as_primitive::<TimestampMillisecondType>()
                .iter()
                .collect(),
            1_000_000,
        ),
        DataType::Timestamp(TimeUnit::Microsecond, _) => scaled(
            array
                .as_primitive::<TimestampMicrosecondType>()
                .iter()
                .collect(),
            1_000,
        ),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => scaled(
            array
                .as_primitive::<TimestampNanosecondType>()
                .iter()
                .collect(),
            1,
        ),
        DataType::Date32 => scaled(
            array
                .as_primitive::<Date32Type>()
                .iter()
                .map(|days| days.map(i64::from))
                .collect(),
            NANOS_PER_DAY,
        ),
        DataType::Date64 => scaled(
            array.as_primitive::<Date64Type>().iter().collect(),
            1_000_000,
        ),
        DataType::Utf8 => array
            .as_string::<i32>()
            .iter()
            .map(|text| parse_timestamp(text.unwrap_or("")))
            .collect(),
        DataType::LargeUtf8 => array
            .as_string::<i64>()
            .iter()
            .map(|text| parse_timestamp(text.unwrap_or("")))
            .collect(),
        other => return Err(DataErrorKind::UnsupportedColumnType(other.to_string())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads `csv` from a file named prices.csv; messages name it without its folder.
    fn check(csv: &str, expected: Result<usize, &str>) {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("prices.csv");
        std::fs::write(&path, csv).unwrap();
        let folder_prefix = format!("{}/", folder.path().display());
        let result = load_bars(&path)
            .map(|bars| bars.len())
            .map_err(|error| error.to_string().replace(&folder_prefix, ""));
        assert_eq!(
            result.as_ref().map(|len| *len).map_err(String::as_str),
            expected,
            "for CSV:\n{csv}"
        );
    }

    #[test]
    fn reads_and_validates_csv() {
        check(
            ",Open,High,Low,Close,Volume\n2004-08-19,100,104.06,95.96,100.34,22351900\n",
            Ok(1),
        );
        check(
            "DATE,open,HIGH,low,Close\n2004-08-19 10:00,1,2,0.5,1.5\n2004-08-19 11:00,1,2,0.5,1.5\n",
            Ok(2),
        );
        check(
            "Close,Date,Open,Low,High,Adj Close\n1.5,2020-01-01,1,0.5,2,1.4\n",
            Ok(1),
        );
        let empty =
            "prices.csv: the file is empty: expected a header row and at least one data row";
        check("", Err(empty));
        check("Date,Open,High,Low,Close\n", Err(empty));
        check(
            "Date,Open,High,Low\n2020-01-01,1,2,0.5\n",
            Err(
                "prices.csv, line 1, column 'Close': no such column; the header has: 'Date', 'Open', 'High', 'Low'",
            ),
        );
        check(
            "Open,High,Low,Close\n1,2,0.5,1.5\n",
            Err(
                "prices.csv, line 1, column 'timestamp': no such column; the header has: 'Open', 'High', 'Low', 'Close'",
            ),
        );
        check(
            "Date,Open,High,Low,Close,close\n2020-01-01,1,2,0.5,1.5,1.5\n",
            Err("prices.csv, line 1, column 'Close': the column appears twice"),
        );
        check(
            "Date,Open,High,Low,Close\n2020-01-01,1,2,0.5,1.5\n2020-01-02,1,2,,1.5\n",
            Err("prices.csv, line 3, column 'Low': missing value"),
        );
        check(
            "Date,Open,High,Low,Close\n2020-01-01,1,2,0.5,abc\n",
            Err("prices.csv, line 2, column 'Close': not a number: \"abc\""),
        );
        check(
            "Date,Open,High,Low,Close\n2020-01-01,1,2,0.5,NaN\n",
            Err("prices.csv, line 2, column 'Close': missing value"),
        );
        check(
            "Date,Open,High,Low,Close\n2020-01-01,1,2,0.5,inf\n",
            Err("prices.csv, line 2, column 'Close': not a finite number: inf"),
        );
        check(
            "Date,Open,High,Low,Close\n2020-01-01,0,2,0.5,1\n",
            Err("prices.csv, line 2, column 'Open': prices must be positive, not 0"),
        );
        check(
            "Date,Open,High,Low,Close\n2020-01-01,1,0.5,2,1\n",
            Err("prices.csv, line 2, column 'High': High 0.5 is below Low 2"),
        );
        check(
            "Date,Open,High,Low,Close\n2020-01-02,1,2,0.5,1\n2020-01-01,1,2,0.5,1\n",
            Err(
                "prices.csv, line 3, column 'timestamp': 2020-01-01 comes before the previous row's 2020-01-02",
            ),
        );
        check(
            "Date,Open,High,Low,Close\n2020-01-01,1,2,0.5,1\n2020-01-01,1,2,0.5,1\n",
            Err(
                "prices.csv, line 3, column 'timestamp': duplicate timestamp 2020-01-01, first at line 2",
            ),
        );
        check(
            "Date,Open,High,Low,Close\n01/02/2020,1,2,0.5,1\n",
            Err("prices.csv, line 2, column 'timestamp': not a date or date-time: \"01/02/2020\""),
        );
        check(
            "Date,Open,High,Low,Close\n2020-01-01,1,2,0.5,1,7\n",
            Err("prices.csv, line 2: expected 5 fields as in the header, found 6"),
        );
    }

    #[test]
    fn rejects_unknown_file_types() {
        let error = load_bars(Path::new("prices.xlsx")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "prices.xlsx: unsupported file type; expected .csv or .parquet"
        );
    }
}
