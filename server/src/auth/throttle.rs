//! How long sign-in is locked after repeated failures: a pure policy per kind of subject (an email, a
//! client address), so it is tested as a table.
//!
//! The first few mistakes cost nothing (people mistype); after that each failure doubles the wait, up to a
//! cap, which turns an online guessing attack into a few guesses an hour without locking anyone out for long.
//! Failures are forgotten after a quiet period as long as the longest lock, so one wrong attempt every
//! quarter of an hour cannot keep an account locked for ever.

/// The lock-out rules for one kind of subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures allowed before the first lock.
    pub free_failures: i64,
    pub first_lock_secs: i64,
    pub max_lock_secs: i64,
}

/// Per email: the account's own guard against guessing.
pub const PER_EMAIL: Policy = Policy {
    free_failures: 5,
    first_lock_secs: 30,
    max_lock_secs: 15 * 60,
};

/// Per client address: one address trying many emails. More generous, because an office behind one NAT
/// shares an address, and a failure for one email there must not lock its colleagues out early.
pub const PER_ADDRESS: Policy = Policy {
    free_failures: 30,
    first_lock_secs: 30,
    max_lock_secs: 15 * 60,
};

impl Policy {
    /// Seconds to lock sign-in for after the `failures`-th consecutive failure (0: no lock).
    pub fn lock_seconds(&self, failures: i64) -> i64 {
        if failures < self.free_failures {
            return 0;
        }
        let doublings = u32::try_from(failures - self.free_failures)
            .unwrap_or(u32::MAX)
            .min(16);
        self.first_lock_secs
            .saturating_mul(1_i64 << doublings)
            .min(self.max_lock_secs)
    }

    /// Failures older than this (counted from the last attempt) are forgotten.
    pub fn forget_after_secs(&self) -> i64 {
        self.max_lock_secs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_per_email_grows_then_caps() {
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
                PER_EMAIL.lock_seconds(failures),
                expected,
                "after {failures} failures"
            );
        }
    }

    #[test]
    fn an_address_may_fail_more_often_before_its_first_lock() {
        let table = [(29, 0), (30, 30), (31, 60), (40, 900)];
        for (failures, expected) in table {
            assert_eq!(
                PER_ADDRESS.lock_seconds(failures),
                expected,
                "after {failures} failures"
            );
        }
    }

    #[test]
    fn failures_are_forgotten_after_the_longest_lock() {
        assert_eq!(PER_EMAIL.forget_after_secs(), 900);
        assert!(PER_ADDRESS.forget_after_secs() >= PER_ADDRESS.lock_seconds(i64::MAX));
    }
}
