//! Timestamps and time spans held the way pandas holds them: whole nanoseconds, no time zone.
//! Keeping pandas' representation makes durations, medians and their rounding agree with
//! backtesting.py exactly.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike};

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const NANOS_PER_MINUTE: i64 = 60 * NANOS_PER_SECOND;
const NANOS_PER_HOUR: i64 = 60 * NANOS_PER_MINUTE;
/// Nanoseconds in one day.
pub const NANOS_PER_DAY: i64 = 24 * NANOS_PER_HOUR;

/// Wall-clock formats accepted besides RFC 3339, tried in order.
const DATE_TIME_FORMATS: [&str; 4] = [
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
];
const DATE_FORMATS: [&str; 2] = ["%Y-%m-%d", "%Y/%m/%d"];

/// A wall-clock instant: nanoseconds since 1970-01-01 00:00:00, without a time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The instant `nanos` nanoseconds after 1970-01-01 00:00:00.
    pub fn from_nanos(nanos: i64) -> Self {
        Self(nanos)
    }

    /// Nanoseconds since 1970-01-01 00:00:00.
    pub fn nanos(self) -> i64 {
        self.0
    }

    /// The instant of a calendar date-time; `None` outside the years 1677–2262 that 64-bit
    /// nanoseconds can hold (the same range as pandas).
    pub fn from_datetime(datetime: NaiveDateTime) -> Option<Self> {
        datetime.and_utc().timestamp_nanos_opt().map(Self)
    }

    /// Parses a date (`2004-08-19`, `2004/08/19`), a date-time (`2004-08-19 09:30[:00[.5]]`,
    /// with a space or `T`) or an RFC 3339 time whose offset is dropped, keeping the local
    /// wall-clock time that calendar grouping needs.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let datetime = DATE_FORMATS
            .iter()
            .find_map(|format| NaiveDate::parse_from_str(text, format).ok())
            .and_then(|date| date.and_hms_opt(0, 0, 0))
            .or_else(|| {
                DATE_TIME_FORMATS
                    .iter()
                    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
            })
            .or_else(|| {
                DateTime::parse_from_rfc3339(text)
                    .ok()
                    .map(|datetime| datetime.naive_local())
            })?;
        Self::from_datetime(datetime)
    }

    /// The calendar date-time.
    pub fn datetime(self) -> NaiveDateTime {
        DateTime::from_timestamp_nanos(self.0).naive_utc()
    }

    /// The calendar date.
    pub fn date(self) -> NaiveDate {
        self.datetime().date()
    }

    /// Days since 1970-01-01 (the calendar day, whatever the time of day).
    pub fn day_number(self) -> i64 {
        self.0.div_euclid(NANOS_PER_DAY)
    }

    /// Day of the week, Monday 0 to Sunday 6.
    pub fn weekday_from_monday(self) -> i64 {
        // 1970-01-01 was a Thursday.
        (self.day_number() + 3).rem_euclid(7)
    }

    /// ISO 8601, always with the time: `2004-08-19T00:00:00`.
    pub fn iso(self) -> String {
        self.datetime().format("%Y-%m-%dT%H:%M:%S%.f").to_string()
    }

    /// The span from `earlier` to `self`.
    pub fn since(self, earlier: Timestamp) -> TimeSpan {
        TimeSpan(self.0 - earlier.0)
    }
}

/// Shows the date alone at midnight, as pandas writes daily data.
impl fmt::Display for Timestamp {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let datetime = self.datetime();
        if datetime.time().num_seconds_from_midnight() == 0 && datetime.nanosecond() == 0 {
            write!(formatter, "{}", datetime.format("%Y-%m-%d"))
        } else {
            write!(formatter, "{}", datetime.format("%Y-%m-%d %H:%M:%S%.f"))
        }
    }
}

/// A length of time in whole nanoseconds, like a pandas `Timedelta`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeSpan(i64);

impl TimeSpan {
    /// A span of `nanos` nanoseconds.
    pub fn from_nanos(nanos: i64) -> Self {
        Self(nanos)
    }

    /// A span of whole days.
    pub fn from_days(days: i64) -> Self {
        Self(days * NANOS_PER_DAY)
    }

    /// The length in nanoseconds.
    pub fn nanos(self) -> i64 {
        self.0
    }

    /// The length in days, fractional where the span is not whole days.
    pub fn days(self) -> f64 {
        self.0 as f64 / NANOS_PER_DAY as f64
    }

    /// pandas' `Timedelta.resolution_string` as nanoseconds: the unit of the smallest
    /// non-zero component (1 ns up to 1 day). backtesting.py rounds durations up to it.
    pub fn resolution(self) -> i64 {
        const UNITS: [i64; 7] = [
            1,
            1_000,
            1_000_000,
            NANOS_PER_SECOND,
            NANOS_PER_MINUTE,
            NANOS_PER_HOUR,
            NANOS_PER_DAY,
        ];
        UNITS
            .windows(2)
            .find(|pair| self.0 % pair[1] != 0)
            .map_or(NANOS_PER_DAY, |pair| pair[0])
    }

    /// Rounds up to a whole multiple of `unit` nanoseconds (pandas `Timedelta.ceil`).
    pub fn ceil(self, unit: i64) -> Self {
        Self(-(-self.0).div_euclid(unit) * unit)
    }
}

/// pandas' notation: `19 days` for whole days, else `0 days 04:30:00`.
impl fmt::Display for TimeSpan {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(NANOS_PER_DAY);
        let rest = self.0.rem_euclid(NANOS_PER_DAY);
        if rest == 0 {
            return write!(formatter, "{days} days");
        }
        let hours = rest / NANOS_PER_HOUR;
        let minutes = rest % NANOS_PER_HOUR / NANOS_PER_MINUTE;
        let seconds = rest % NANOS_PER_MINUTE / NANOS_PER_SECOND;
        let nanos = rest % NANOS_PER_SECOND;
        write!(
            formatter,
            "{days} days {hours:02}:{minutes:02}:{seconds:02}"
        )?;
        if nanos != 0 {
            write!(formatter, ".{nanos:09}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_parse(text: &str, expected: &str) {
        let parsed = Timestamp::parse(text).map(|timestamp| timestamp.to_string());
        assert_eq!(parsed.as_deref(), Some(expected), "parsing {text:?}");
    }

    #[test]
    fn parses_dates_and_date_times() {
        check_parse("2004-08-19", "2004-08-19");
        check_parse(" 2004/08/19 ", "2004-08-19");
        check_parse("2004-08-19 09:30", "2004-08-19 09:30:00");
        check_parse("2004-08-19T09:30:15.25", "2004-08-19 09:30:15.250");
        check_parse("2004-08-19T09:30:00+02:00", "2004-08-19 09:30:00");
        check_parse("2004-08-19 00:00:00", "2004-08-19");
    }

    #[test]
    fn rejects_what_is_not_a_time() {
        for text in ["", "19.08.2004", "2004-13-01", "yesterday", "1500-01-01"] {
            assert_eq!(Timestamp::parse(text), None, "parsing {text:?}");
        }
    }

    #[test]
    fn weekdays_count_from_monday() {
        let weekday = |text| Timestamp::parse(text).unwrap().weekday_from_monday();
        assert_eq!(weekday("1970-01-01"), 3);
        assert_eq!(weekday("2024-06-02 23:59"), 6);
        assert_eq!(weekday("1969-12-29"), 0);
    }

    #[test]
    fn resolution_is_the_smallest_non_zero_component() {
        assert_eq!(TimeSpan::from_days(3).resolution(), NANOS_PER_DAY);
        assert_eq!(
            TimeSpan::from_nanos(NANOS_PER_DAY + NANOS_PER_HOUR).resolution(),
            NANOS_PER_HOUR
        );
        assert_eq!(
            TimeSpan::from_nanos(90 * NANOS_PER_SECOND).resolution(),
            NANOS_PER_SECOND
        );
        assert_eq!(TimeSpan::from_nanos(1_500).resolution(), 1);
    }

    #[test]
    fn ceil_rounds_up_to_the_unit() {
        let span = TimeSpan::from_nanos(49 * NANOS_PER_DAY + 1);
        assert_eq!(span.ceil(NANOS_PER_DAY), TimeSpan::from_days(50));
        assert_eq!(
            TimeSpan::from_days(50).ceil(NANOS_PER_DAY),
            TimeSpan::from_days(50)
        );
    }

    #[test]
    fn spans_display_like_pandas() {
        assert_eq!(TimeSpan::from_days(19).to_string(), "19 days");
        let span = TimeSpan::from_nanos(4 * NANOS_PER_HOUR + 30 * NANOS_PER_MINUTE);
        assert_eq!(span.to_string(), "0 days 04:30:00");
    }
}
