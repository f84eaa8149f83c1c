//! Calendar dates (date of birth, date properties). Our own small type rather than a date crate: we only
//! ever need "a valid YYYY-MM-DD" and its Unix midnight, and `shared` builds for the browser too.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A valid Gregorian date between years 1 and 9999. Displays and stores as `YYYY-MM-DD`, which also sorts
/// correctly as text (the database column is text on both backends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CalendarDate {
    year: u16,
    month: u8,
    day: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a date (use YYYY-MM-DD)")]
pub struct DateError(pub String);

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl CalendarDate {
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then_some(Self { year, month, day })
    }

    /// Accepts `YYYY-MM-DD` only: a file's `03/04/1990` is ambiguous between countries, so we refuse it
    /// and say which form we want rather than guess.
    ///
    /// # Errors
    /// Names the input when it is not a real date in that form.
    pub fn parse(raw: &str) -> Result<Self, DateError> {
        let trimmed = raw.trim();
        let err = || DateError(trimmed.to_owned());
        let mut parts = trimmed.split('-');
        let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(err());
        };
        let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
        if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
            return Err(err());
        }
        let (Ok(year), Ok(month), Ok(day)) = (y.parse(), m.parse(), d.parse()) else {
            return Err(err());
        };
        Self::new(year, month, day).ok_or_else(err)
    }

    /// Seconds since the Unix epoch at midnight UTC (days-from-civil, after H. Hinnant).
    pub fn unix_midnight(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        (era * 146_097 + doe - 719_468) * 86_400
    }
}

impl CalendarDate {
    /// The UTC date of a Unix time (civil-from-days, after H. Hinnant), for showing stored timestamps.
    pub fn from_unix(secs: i64) -> Option<Self> {
        let z = secs.div_euclid(86_400) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Self::new(
            u16::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl TryFrom<String> for CalendarDate {
    type Error = DateError;
    fn try_from(raw: String) -> Result<Self, DateError> {
        Self::parse(&raw)
    }
}

impl From<CalendarDate> for String {
    fn from(date: CalendarDate) -> Self {
        date.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn real_dates_parse_and_impossible_ones_do_not() {
        assert!(CalendarDate::parse("2024-02-29").is_ok());
        for bad in [
            "2023-02-29",
            "1990-13-01",
            "1990-00-10",
            "1990-4-1",
            "03/04/1990",
            "",
            "x",
        ] {
            assert!(CalendarDate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn midnight_matches_known_instants() {
        let at = |s: &str| CalendarDate::parse(s).expect("date").unix_midnight();
        assert_eq!(at("1970-01-01"), 0);
        assert_eq!(at("2000-03-01"), 951_868_800);
        assert_eq!(at("1969-12-31"), -86_400);
    }

    proptest! {
        #[test]
        fn every_valid_date_round_trips_through_text(y in 1u16..=9999, m in 1u8..=12, d in 1u8..=31) {
            if let Some(date) = CalendarDate::new(y, m, d) {
                prop_assert_eq!(CalendarDate::parse(&date.to_string()), Ok(date));
            }
        }

        #[test]
        fn consecutive_days_are_a_day_apart(y in 1900u16..=2100, m in 1u8..=12, d in 1u8..=27) {
            let a = CalendarDate::new(y, m, d).expect("valid");
            let b = CalendarDate::new(y, m, d + 1).expect("valid");
            prop_assert_eq!(b.unix_midnight() - a.unix_midnight(), 86_400);
            prop_assert!(a < b);
        }

        #[test]
        fn unix_times_map_back_to_their_date(y in 1u16..=9999, m in 1u8..=12, d in 1u8..=28, secs in 0i64..86_400) {
            let date = CalendarDate::new(y, m, d).expect("valid");
            prop_assert_eq!(CalendarDate::from_unix(date.unix_midnight() + secs), Some(date));
        }

        #[test]
        fn parsing_never_panics(raw in ".{0,20}") {
            let _ = CalendarDate::parse(&raw);
        }
    }
}
