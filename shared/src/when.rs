//! Timestamps are stored as Unix seconds and shown in UTC, the same on the server (SSR) and in the browser
//! (hydration), so both render identical text.

/// `1764424800` → `"2025-11-29 14:00 UTC"`.
pub fn format_unix_utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        of_day / 3600,
        (of_day % 3600) / 60
    )
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian), exact for any i64 day count we meet.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// A run's length for people: `"45 s"`, `"3 min 05 s"`, `"2 h 07 min"`.
pub fn format_duration(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3_599 => format!("{} min {:02} s", secs / 60, secs % 60),
        _ => format!("{} h {:02} min", secs / 3_600, (secs % 3_600) / 60),
    }
}

/// How long before `now` the instant `secs` was, for people: `"just now"`, `"5 min ago"`, `"3 h ago"`,
/// `"2 days ago"`, and past 30 days the instant itself (`"2025-11-29 14:00 UTC"`), where "ago" stops
/// helping. `now` is a parameter, not the clock: given the same `now`, the server's HTML and the
/// hydrated page render the same text. An instant after `now` (clocks differ) reads "just now".
pub fn format_ago(secs: i64, now: i64) -> String {
    let ago = now.saturating_sub(secs);
    match ago {
        i64::MIN..=59 => "just now".to_owned(),
        60..=3_599 => format!("{} min ago", ago / 60),
        3_600..=86_399 => format!("{} h ago", ago / 3_600),
        86_400..=172_799 => "1 day ago".to_owned(),
        172_800..=2_591_999 => format!("{} days ago", ago / 86_400),
        _ => format_unix_utc(secs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_format_in_utc() {
        assert_eq!(format_unix_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_unix_utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(format_unix_utc(1_795_958_633), "2026-11-29 13:23 UTC");
        assert_eq!(format_unix_utc(-1), "1969-12-31 23:59 UTC");
    }

    #[test]
    fn instants_read_as_how_long_ago() {
        let now = 1_795_958_633;
        let cases = [
            (now + 30, "just now"),
            (now, "just now"),
            (now - 59, "just now"),
            (now - 60, "1 min ago"),
            (now - 3_599, "59 min ago"),
            (now - 3_600, "1 h ago"),
            (now - 86_399, "23 h ago"),
            (now - 86_400, "1 day ago"),
            (now - 172_800, "2 days ago"),
            (now - 2_591_999, "29 days ago"),
            (now - 2_592_000, "2026-10-30 13:23 UTC"),
        ];
        for (secs, text) in cases {
            assert_eq!(format_ago(secs, now), text, "{}", now - secs);
        }
        assert_eq!(format_ago(i64::MIN, i64::MAX), format_unix_utc(i64::MIN));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(-3), "0 s");
        assert_eq!(format_duration(45), "45 s");
        assert_eq!(format_duration(185), "3 min 05 s");
        assert_eq!(format_duration(7_620), "2 h 07 min");
    }
}
