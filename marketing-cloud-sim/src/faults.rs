//! Fault switches: throttling, server errors, per-row deadlocks, latency and lost answers, set by tests
//! through [`crate::Simulator::set_faults`] or `POST /__sim/faults`.

use serde::{Deserialize, Serialize};

/// The message of a per-row deadlock [fixture 20]: transient, the row was not written.
pub const DEADLOCK: &str =
    "Transaction (Process ID 6840) was deadlocked on lock resources with another process \
                            and has been chosen as the deadlock victim. Rerun the transaction.";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Answer the next N requests 429 / 50100 "Rate limit exceeded" with `Retry-After` [doc].
    pub rate_limit_next: u32,
    /// The `Retry-After` (and `retryAfter`) of a 50100, in seconds.
    pub retry_after_secs: u64,
    /// Answer the next N requests 429 / 50200 "Your requests are temporarily blocked." [doc, code].
    pub blocked_next: u32,
    /// Answer the next N requests 500 "Internal Server Error" (errorcode 0) [code].
    pub server_error_next: u32,
    /// Answer the next N requests 503 "Service Unavailable" (errorcode 0).
    pub unavailable_next: u32,
    /// Fail the next N rows of asynchronous writes with the deadlock error (not written).
    pub deadlock_next_rows: u32,
    /// Delay every answer by this many milliseconds.
    pub latency_ms: u64,
    /// Apply the next N writes (async rows, hub rowset), then cut the answer off before its body.
    pub drop_after_write: u32,
}

/// What the next request meets before it reaches its handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    RateLimited { retry_after_secs: u64 },
    Blocked,
    ServerError,
    Unavailable,
}

impl Faults {
    /// Takes the next refusal, in the order throttling, blocking, 500, 503.
    pub fn take_refusal(&mut self) -> Option<Refusal> {
        let take = |n: &mut u32| {
            let hit = *n > 0;
            *n = n.saturating_sub(1);
            hit
        };
        if take(&mut self.rate_limit_next) {
            return Some(Refusal::RateLimited {
                retry_after_secs: self.retry_after_secs.max(1),
            });
        }
        if take(&mut self.blocked_next) {
            return Some(Refusal::Blocked);
        }
        if take(&mut self.server_error_next) {
            return Some(Refusal::ServerError);
        }
        take(&mut self.unavailable_next).then_some(Refusal::Unavailable)
    }

    /// Whether the next row of an asynchronous write is a deadlock victim.
    pub fn take_deadlock(&mut self) -> bool {
        let hit = self.deadlock_next_rows > 0;
        self.deadlock_next_rows = self.deadlock_next_rows.saturating_sub(1);
        hit
    }

    /// Whether this write's answer is to be lost.
    pub fn take_drop(&mut self) -> bool {
        let hit = self.drop_after_write > 0;
        self.drop_after_write = self.drop_after_write.saturating_sub(1);
        hit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_taken_one_a_request_in_order_until_spent() {
        let mut faults = Faults {
            rate_limit_next: 1,
            blocked_next: 1,
            server_error_next: 1,
            unavailable_next: 1,
            ..Faults::default()
        };
        let taken: Vec<Option<Refusal>> = (0..5).map(|_| faults.take_refusal()).collect();
        assert_eq!(
            taken,
            [
                Some(Refusal::RateLimited {
                    retry_after_secs: 1
                }),
                Some(Refusal::Blocked),
                Some(Refusal::ServerError),
                Some(Refusal::Unavailable),
                None
            ]
        );
    }
}
