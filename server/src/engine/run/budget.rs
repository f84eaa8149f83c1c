//! The API budget rule: before a run starts, estimate the calls it makes and refuse when they would eat
//! into the reserve of the org's daily allowance.

use crate::engine::lookup::queries_for;
use crate::salesforce::collections::MAX_RECORDS;
use crate::salesforce::wire::ApiUsage;

/// An upper bound on the API calls a run of `selected` contacts makes with Collections: two to start
/// (`/limits` is read before, `SELECT COUNT()`), the lookups, and per batch an insert and an update call
/// on top of one write call per 200 contacts.
pub fn estimate_calls(selected: u64, batch_size: u64, looks_up: bool) -> u64 {
    let batches = selected.div_ceil(batch_size.max(1)).max(1);
    let lookups = if looks_up {
        queries_for(selected) + batches
    } else {
        0
    };
    let writes = selected.div_ceil(MAX_RECORDS as u64) + 2 * batches;
    2 + lookups + writes
}

/// The budget rule: refuse when the run would leave less than `reserve_percent` of the daily allowance.
pub fn refuse_for_budget(usage: ApiUsage, estimate: u64, reserve_percent: u8) -> Option<String> {
    let remaining = usage.allowed.saturating_sub(usage.used);
    let reserve = usage.allowed * u64::from(reserve_percent) / 100;
    (remaining < estimate.saturating_add(reserve)).then(|| {
        format!(
            "Not started: this run needs up to {estimate} Salesforce API requests and the org has {remaining} \
             of its {allowed} daily requests left; starting would leave less than the {reserve_percent}% \
             kept in reserve for the org's other tools. Try again once the org's 24-hour usage has gone down.",
            allowed = usage.allowed
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_refuses_runs_that_would_eat_into_the_reserve() {
        let usage = ApiUsage {
            used: 80_000,
            allowed: 100_000,
        };
        assert!(refuse_for_budget(usage, 9_000, 10).is_none());
        let refused = refuse_for_budget(usage, 10_001, 10).expect("refused");
        assert!(refused.contains("10001"), "{refused}");
        assert!(refused.contains("20000"), "{refused}");
    }

    #[test]
    fn the_estimate_covers_lookups_and_writes_per_batch() {
        // 1,000 contacts in one batch: 2 + (5 + 1) lookups + (5 + 2) writes.
        assert_eq!(estimate_calls(1_000, 2_000, true), 15);
        assert_eq!(estimate_calls(1_000, 2_000, false), 9);
        assert_eq!(estimate_calls(0, 2_000, true), 5);
    }
}
