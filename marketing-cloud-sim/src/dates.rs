//! Date values: what a write may send, and the `M/D/YYYY h:mm:ss AM` form reads return [code].
//!
//! The tenant stores dates without a zone. A value with an offset (`Z`, `+01:00`) is moved to the
//! platform's clock, widely reported as US Central Standard Time, UTC−6 with no daylight saving
//! [unverified]; a value without one is stored as written.

/// The platform clock's offset from UTC, in minutes.
const PLATFORM_OFFSET_MINUTES: i64 = -6 * 60;

/// A date as stored, or `None` when `text` is not one.
///
/// Accepts `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` with an optional `Z` or `±HH:MM`, and the
/// tenant's own `M/D/YYYY[ h:mm:ss AM]` (so a value read back can be written again).
pub fn store(text: &str) -> Option<String> {
    let t = text.trim();
    let (y, mo, d, h, mi, s) = if t.contains('/') { us(t)? } else { iso(t)? };
    if !(1753..=9999).contains(&y) || !(1..=12).contains(&mo) || d < 1 || d > days_in(y, mo) {
        return None;
    }
    if h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let (hour12, half) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    Some(format!("{mo}/{d}/{y} {hour12}:{mi:02}:{s:02} {half}"))
}

type Parts = (i64, i64, i64, i64, i64, i64);

fn number(s: &str) -> Option<i64> {
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn iso(t: &str) -> Option<Parts> {
    let (date, time) = t.split_once('T').unwrap_or((t, ""));
    let mut ymd = date.splitn(3, '-');
    let (y, mo, d) = (
        number(ymd.next()?)?,
        number(ymd.next()?)?,
        number(ymd.next()?)?,
    );
    if time.is_empty() {
        return Some((y, mo, d, 0, 0, 0));
    }
    let (clock, offset) = split_offset(time)?;
    let clock = clock.split('.').next()?;
    let mut hms = clock.split(':');
    let h = number(hms.next()?)?;
    let mi = number(hms.next()?)?;
    let s = hms.next().map_or(Some(0), number)?;
    let Some(offset) = offset else {
        return Some((y, mo, d, h, mi, s));
    };
    // Minutes since the epoch of the civil date, shifted from the value's zone to the platform's.
    let minutes = days_from_civil(y, mo, d) * 1440 + h * 60 + mi - offset + PLATFORM_OFFSET_MINUTES;
    let (y, mo, d) = civil(minutes.div_euclid(1440));
    let rest = minutes.rem_euclid(1440);
    Some((y, mo, d, rest / 60, rest % 60, s))
}

/// Splits `HH:MM:SS[.fff](Z|±HH:MM)?` into the clock and the offset in minutes.
fn split_offset(time: &str) -> Option<(&str, Option<i64>)> {
    if let Some(clock) = time.strip_suffix('Z') {
        return Some((clock, Some(0)));
    }
    match time.rfind(['+', '-']) {
        Some(at) => {
            let (clock, zone) = time.split_at(at);
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let (zh, zm) = zone[1..].split_once(':').unwrap_or((&zone[1..], "00"));
            Some((clock, Some(sign * (number(zh)? * 60 + number(zm)?))))
        }
        None => Some((time, None)),
    }
}

fn us(t: &str) -> Option<Parts> {
    let mut words = t.split_whitespace();
    let mut mdy = words.next()?.splitn(3, '/');
    let (mo, d, y) = (
        number(mdy.next()?)?,
        number(mdy.next()?)?,
        number(mdy.next()?)?,
    );
    let Some(clock) = words.next() else {
        return Some((y, mo, d, 0, 0, 0));
    };
    let half = words.next()?;
    let mut hms = clock.split(':');
    let h12 = number(hms.next()?)?;
    let mi = number(hms.next()?)?;
    let s = hms.next().map_or(Some(0), number)?;
    if !(1..=12).contains(&h12) {
        return None;
    }
    let h = match half.to_ascii_uppercase().as_str() {
        "AM" => h12 % 12,
        "PM" => h12 % 12 + 12,
        _ => return None,
    };
    Some((y, mo, d, h, mi, s))
}

fn days_in(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of `z` days since 1970-01-01.
pub fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

#[cfg(test)]
mod tests {
    use super::store;

    #[test]
    fn dates_are_stored_in_the_platform_clock_and_read_back_in_us_form() {
        let cases = [
            ("2024-06-23", Some("6/23/2024 12:00:00 AM")),
            ("2024-06-23T14:05:09", Some("6/23/2024 2:05:09 PM")),
            ("2024-06-23T14:05:09.123Z", Some("6/23/2024 8:05:09 AM")),
            ("2024-01-01T03:00:00+01:00", Some("12/31/2023 8:00:00 PM")),
            ("6/23/2024 12:00:00 AM", Some("6/23/2024 12:00:00 AM")),
            ("2/29/2023", None),
            ("2024-13-01", None),
            ("yesterday", None),
        ];
        for (text, expected) in cases {
            assert_eq!(store(text).as_deref(), expected, "{text}");
        }
    }
}
