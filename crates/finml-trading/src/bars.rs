//! A validated OHLCV series, and the errors that name where bad data sits.

use std::fmt;
use std::ops::Range;

use thiserror::Error;

use crate::time::Timestamp;

/// One price bar.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bar {
    pub timestamp: Timestamp,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    /// `None` where the data has no volume column.
    pub volume: Option<f64>,
}

/// OHLCV bars in strictly increasing time order, with positive finite prices and High ≥ Low.
#[derive(Clone, Debug, PartialEq)]
pub struct Bars {
    timestamps: Vec<Timestamp>,
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Option<Vec<f64>>,
}

impl Bars {
    /// Validates bars held in memory; errors name the 1-based row.
    ///
    /// ```
    /// use finml_trading::{Bar, Bars, Timestamp};
    /// let bar = |day: &str, close: f64| Bar {
    ///     timestamp: Timestamp::parse(day).unwrap(),
    ///     open: close, high: close + 1.0, low: close - 1.0, close, volume: None,
    /// };
    /// let bars = Bars::from_bars([bar("2024-01-02", 10.0), bar("2024-01-03", 11.0)]).unwrap();
    /// assert_eq!(bars.close(), &[10.0, 11.0]);
    /// let unsorted = Bars::from_bars([bar("2024-01-03", 10.0), bar("2024-01-02", 11.0)]);
    /// assert_eq!(
    ///     unsorted.unwrap_err().to_string(),
    ///     "bars, row 2, column 'timestamp': 2024-01-02 comes before the previous row's 2024-01-03"
    /// );
    /// ```
    pub fn from_bars(bars: impl IntoIterator<Item = Bar>) -> Result<Self, DataError> {
        let mut builder = BarsBuilder::new("bars");
        for (index, bar) in bars.into_iter().enumerate() {
            builder.push(bar, Place::Row(index as u64 + 1))?;
        }
        builder.finish()
    }

    /// Number of bars (never zero).
    pub fn len(&self) -> usize {
        self.close.len()
    }

    /// Always false: validation rejects empty data.
    pub fn is_empty(&self) -> bool {
        self.close.is_empty()
    }

    pub fn timestamps(&self) -> &[Timestamp] {
        &self.timestamps
    }

    pub fn open(&self) -> &[f64] {
        &self.open
    }

    pub fn high(&self) -> &[f64] {
        &self.high
    }

    pub fn low(&self) -> &[f64] {
        &self.low
    }

    pub fn close(&self) -> &[f64] {
        &self.close
    }

    /// Volumes, where the data has them.
    pub fn volume(&self) -> Option<&[f64]> {
        self.volume.as_deref()
    }

    /// The bars in `range` as a series of their own: a walk-forward fold trains on a prefix
    /// that cannot reach later bars. `range` must be a non-empty range of bar indices.
    pub fn slice(&self, range: Range<usize>) -> Bars {
        Bars {
            timestamps: self.timestamps[range.clone()].to_vec(),
            open: self.open[range.clone()].to_vec(),
            high: self.high[range.clone()].to_vec(),
            low: self.low[range.clone()].to_vec(),
            close: self.close[range.clone()].to_vec(),
            volume: self.volume.as_ref().map(|volume| volume[range].to_vec()),
        }
    }

    /// The bar at `index`.
    pub fn get(&self, index: usize) -> Option<Bar> {
        Some(Bar {
            timestamp: *self.timestamps.get(index)?,
            open: self.open[index],
            high: self.high[index],
            low: self.low[index],
            close: self.close[index],
            volume: self.volume.as_ref().map(|volume| volume[index]),
        })
    }
}

/// Collects bars one at a time, checking each as it comes so errors can name its place.
pub(crate) struct BarsBuilder {
    source: String,
    bars: Bars,
    previous: Option<(Timestamp, Place)>,
}

impl BarsBuilder {
    pub(crate) fn new(source: impl Into<String>) -> Self {
        let empty = Bars {
            timestamps: Vec::new(),
            open: Vec::new(),
            high: Vec::new(),
            low: Vec::new(),
            close: Vec::new(),
            volume: None,
        };
        Self {
            source: source.into(),
            bars: empty,
            previous: None,
        }
    }

    pub(crate) fn error(
        &self,
        place: Option<Place>,
        column: Option<&str>,
        kind: DataErrorKind,
    ) -> DataError {
        DataError::Invalid {
            location: Location {
                source: self.source.clone(),
                place,
                column: column.map(str::to_owned),
            },
            kind,
        }
    }

    pub(crate) fn push(&mut self, bar: Bar, place: Place) -> Result<(), DataError> {
        self.check_prices(&bar, place)?;
        self.check_order(bar.timestamp, place)?;
        self.check_volume_presence(bar.volume.is_some(), place)?;
        let bars = &mut self.bars;
        bars.timestamps.push(bar.timestamp);
        bars.open.push(bar.open);
        bars.high.push(bar.high);
        bars.low.push(bar.low);
        bars.close.push(bar.close);
        if let Some(volume) = bar.volume {
            bars.volume.get_or_insert_with(Vec::new).push(volume);
        }
        self.previous = Some((bar.timestamp, place));
        Ok(())
    }

    pub(crate) fn finish(self) -> Result<Bars, DataError> {
        if self.bars.is_empty() {
            return Err(self.error(None, None, DataErrorKind::Empty));
        }
        Ok(self.bars)
    }

    fn check_prices(&self, bar: &Bar, place: Place) -> Result<(), DataError> {
        let prices = [
            ("Open", bar.open),
            ("High", bar.high),
            ("Low", bar.low),
            ("Close", bar.close),
        ];
        let volume = bar.volume.map(|volume| ("Volume", volume));
        for (column, value) in prices.into_iter().chain(volume) {
            if !value.is_finite() {
                return Err(self.error(Some(place), Some(column), DataErrorKind::NotFinite(value)));
            }
        }
        // Returns, sizing and commissions divide by prices.
        if let Some((column, value)) = prices.into_iter().find(|(_, value)| *value <= 0.0) {
            return Err(self.error(Some(place), Some(column), DataErrorKind::NotPositive(value)));
        }
        if bar.high < bar.low {
            let kind = DataErrorKind::HighBelowLow {
                high: bar.high,
                low: bar.low,
            };
            return Err(self.error(Some(place), Some("High"), kind));
        }
        Ok(())
    }

    fn check_order(&self, timestamp: Timestamp, place: Place) -> Result<(), DataError> {
        let Some((previous, previous_place)) = self.previous else {
            return Ok(());
        };
        let kind = if timestamp == previous {
            DataErrorKind::DuplicateTimestamp {
                timestamp,
                first: previous_place,
            }
        } else if timestamp < previous {
            DataErrorKind::UnsortedTimestamp {
                timestamp,
                previous,
                previous_place,
            }
        } else {
            return Ok(());
        };
        Err(self.error(Some(place), Some("timestamp"), kind))
    }

    fn check_volume_presence(&self, has_volume: bool, place: Place) -> Result<(), DataError> {
        if has_volume == self.bars.volume.is_some() || self.bars.is_empty() {
            return Ok(());
        }
        Err(self.error(
            Some(place),
            Some("Volume"),
            DataErrorKind::InconsistentVolume,
        ))
    }
}

/// Where a value sits inside its source: a text line (CSV) or a data row (Parquet, memory).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Line(u64),
    Row(u64),
}

impl fmt::Display for Place {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(line) => write!(formatter, "line {line}"),
            Place::Row(row) => write!(formatter, "row {row}"),
        }
    }
}

/// The file (or other source), line or row, and column of a problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub source: String,
    pub place: Option<Place>,
    pub column: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.source)?;
        if let Some(place) = self.place {
            write!(formatter, ", {place}")?;
        }
        if let Some(column) = &self.column {
            write!(formatter, ", column '{column}'")?;
        }
        Ok(())
    }
}

/// Market data that could not be read or is not valid.
#[derive(Debug, Error)]
pub enum DataError {
    /// A CSV file that finml-data's reader, which reads every CSV file, cannot read as a table.
    #[error(transparent)]
    Table(#[from] finml_data::DataError),
    /// Data that are not bars, and where.
    #[error("{location}: {kind}")]
    Invalid {
        location: Location,
        kind: DataErrorKind,
    },
}

/// What is wrong with market data.
#[derive(Debug, Error)]
pub enum DataErrorKind {
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a readable Parquet file: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error("unsupported file type; expected .csv or .parquet")]
    UnsupportedFileType,
    #[error("no data rows")]
    Empty,
    #[error("no such column; the header has: {found}")]
    MissingColumn { found: String },
    #[error("the column appears twice")]
    DuplicateColumn,
    #[error("unsupported column type {0}")]
    UnsupportedColumnType(String),
    #[error("missing value")]
    MissingValue,
    #[error("some rows have a volume and others do not")]
    InconsistentVolume,
    #[error("not a number: {0:?}")]
    NotANumber(String),
    #[error("not a finite number: {0}")]
    NotFinite(f64),
    #[error("prices must be positive, not {0}")]
    NotPositive(f64),
    #[error("not a date or date-time: {0:?}")]
    BadTimestamp(String),
    #[error("High {high} is below Low {low}")]
    HighBelowLow { high: f64, low: f64 },
    #[error("{timestamp} comes before the previous row's {previous}")]
    UnsortedTimestamp {
        timestamp: Timestamp,
        previous: Timestamp,
        previous_place: Place,
    },
    #[error("duplicate timestamp {timestamp}, first at {first}")]
    DuplicateTimestamp { timestamp: Timestamp, first: Place },
}
