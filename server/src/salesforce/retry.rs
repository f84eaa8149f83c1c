//! Whether to try a request again: a pure function of what happened, so every case is a row in a table test.
//! The send loop in `client.rs` just obeys it.

use std::time::Duration;

/// How a request ended, as far as retrying cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// Salesforce answered with this status and (if the body was an error array) this `errorCode`.
    Answered {
        status: u16,
        error_code: Option<&'a str>,
    },
    /// The request may have reached Salesforce but no answer came back (timeout, dropped connection).
    NoAnswer,
    /// Nothing was sent (DNS, refused connection, TLS): safe to resend anything.
    NotSent,
}

/// Whether resending a request can change the org twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Reads, and writes that land the same way twice (upsert by external id, update by id).
    Safe,
    /// Inserts: a resent insert whose first answer was lost makes a second record.
    Unsafe,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Done: success, or a failure retrying cannot fix. The caller looks at the answer.
    Stop,
    /// Get a new token, then send again (once).
    RefreshThenRetry,
    /// Wait, then send again.
    RetryAfter(Duration),
    /// The write may or may not have been applied: the caller must look the records up before doing
    /// anything else. Never resend blindly.
    Ambiguous,
}

/// Attempts, counting the first, before a transient fault is reported as an error.
pub const MAX_ATTEMPTS: u32 = 5;
const BASE_DELAY_MS: u64 = 500;
const MAX_DELAY_MS: u64 = 30_000;

/// Decides what to do after `attempt` (1 for the first send) ended with `outcome`.
///
/// `refreshed` says whether this request already refreshed its token once: a second `INVALID_SESSION_ID`
/// is final. `jitter` in `[0, 1)` spreads retries of many workers apart; it is an argument so the function
/// stays pure.
pub fn decide(
    outcome: Outcome<'_>,
    attempt: u32,
    refreshed: bool,
    idempotency: Idempotency,
    jitter: f64,
) -> Decision {
    let backoff = || {
        if attempt >= MAX_ATTEMPTS {
            Decision::Stop
        } else {
            Decision::RetryAfter(backoff_delay(attempt, jitter))
        }
    };
    match outcome {
        Outcome::NotSent => backoff(),
        Outcome::NoAnswer => match idempotency {
            Idempotency::Safe => backoff(),
            Idempotency::Unsafe => Decision::Ambiguous,
        },
        Outcome::Answered {
            status: 401,
            error_code,
        } => {
            if !refreshed && error_code.is_none_or(|c| c == "INVALID_SESSION_ID") {
                Decision::RefreshThenRetry
            } else {
                Decision::Stop
            }
        }
        // Salesforce answered "not now": nothing was applied, so even inserts may be sent again.
        Outcome::Answered {
            status: 502..=504, ..
        } => backoff(),
        Outcome::Answered {
            error_code: Some("UNABLE_TO_LOCK_ROW" | "SERVER_UNAVAILABLE"),
            ..
        } => backoff(),
        // REQUEST_LIMIT_EXCEEDED and everything else: retrying now cannot help.
        Outcome::Answered { .. } => Decision::Stop,
    }
}

/// Exponential backoff with "equal jitter": half the delay is fixed, half is random, so retries spread out
/// but never collapse to zero.
pub fn backoff_delay(attempt: u32, jitter: f64) -> Duration {
    let exponential = BASE_DELAY_MS
        .saturating_mul(1_u64 << attempt.saturating_sub(1).min(16))
        .min(MAX_DELAY_MS);
    let half = exponential / 2;
    let jitter = jitter.clamp(0.0, 1.0);
    // `half` is at most 15 000, so the float round-trip is exact enough and cannot overflow.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let random = (half as f64 * jitter) as u64;
    Duration::from_millis(half + random)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Decision::*;
    use Idempotency::*;

    fn answered(status: u16, code: Option<&str>) -> Outcome<'_> {
        Outcome::Answered {
            status,
            error_code: code,
        }
    }

    #[test]
    fn the_decision_table() {
        let ms = Duration::from_millis;
        #[rustfmt::skip]
        let table: Vec<(Outcome<'_>, u32, bool, Idempotency, Decision)> = vec![
            // success and plain failures stop
            (answered(200, None), 1, false, Unsafe, Stop),
            (answered(400, Some("INVALID_FIELD")), 1, false, Safe, Stop),
            (answered(404, Some("NOT_FOUND")), 1, false, Safe, Stop),
            (answered(403, Some("REQUEST_LIMIT_EXCEEDED")), 1, false, Safe, Stop),
            // an expired session is refreshed once, then it is final
            (answered(401, Some("INVALID_SESSION_ID")), 1, false, Unsafe, RefreshThenRetry),
            (answered(401, Some("INVALID_SESSION_ID")), 2, true, Unsafe, Stop),
            (answered(401, None), 1, false, Safe, RefreshThenRetry),
            // "not now" answers back off, for inserts too: nothing was applied
            (answered(503, None), 1, false, Unsafe, RetryAfter(ms(250))),
            (answered(503, None), 2, false, Unsafe, RetryAfter(ms(500))),
            (answered(503, None), 3, false, Safe, RetryAfter(ms(1000))),
            (answered(400, Some("UNABLE_TO_LOCK_ROW")), 1, false, Unsafe, RetryAfter(ms(250))),
            (answered(503, None), MAX_ATTEMPTS, false, Safe, Stop),
            // a lost answer: resend only what is safe to repeat
            (Outcome::NoAnswer, 1, false, Safe, RetryAfter(ms(250))),
            (Outcome::NoAnswer, 1, false, Unsafe, Ambiguous),
            (Outcome::NoAnswer, MAX_ATTEMPTS, false, Unsafe, Ambiguous),
            // nothing sent: always safe
            (Outcome::NotSent, 1, false, Unsafe, RetryAfter(ms(250))),
            (Outcome::NotSent, MAX_ATTEMPTS, false, Unsafe, Stop),
        ];
        for (i, (outcome, attempt, refreshed, idempotency, expected)) in
            table.into_iter().enumerate()
        {
            assert_eq!(
                decide(outcome, attempt, refreshed, idempotency, 0.0),
                expected,
                "row {i}: {outcome:?}"
            );
        }
    }

    #[test]
    fn jitter_stays_within_half_to_full_delay_and_caps() {
        for attempt in 1..=20 {
            let low = backoff_delay(attempt, 0.0);
            let high = backoff_delay(attempt, 0.999);
            assert!(
                low <= high && high <= low * 2,
                "attempt {attempt}: {low:?}..{high:?}"
            );
            assert!(high <= Duration::from_millis(MAX_DELAY_MS));
        }
    }
}
