//! How long sign-in is locked after repeated failures: a pure policy, so it is tested as a table.
//!
//! The first few mistakes cost nothing (people mistype); after that each failure doubles the wait, up to a
//! cap, which turns an online guessing attack into a few guesses an hour without locking anyone out for long.

/// Failures allowed before the first lock.
pub const FREE_FAILURES: i64 = 5;
const FIRST_LOCK_SECS: i64 = 30;
const MAX_LOCK_SECS: i64 = 15 * 60;

/// Seconds to lock sign-in for after the `failures`-th consecutive failure (0: no lock).
pub fn lock_seconds(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = u32::try_from(failures - FREE_FAILURES)
        .unwrap_or(u32::MAX)
        .min(16);
    FIRST_LOCK_SECS
        .saturating_mul(1_i64 << doublings)
        .min(MAX_LOCK_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_grows_then_caps() {
        let table = [
            (0, 0),
            (1, 0),
            (4, 0),
            (5, 30),
            (6, 60),
            (7, 120),
            (9, 480),
            (10, 900),
            (50, 900),
            (i64::MAX, 900),
        ];
        for (failures, expected) in table {
            assert_eq!(
                lock_seconds(failures),
                expected,
                "after {failures} failures"
            );
        }
    }
}
