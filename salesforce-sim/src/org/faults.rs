//! Fault switches, flipped by tests and the control API.

use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Faults {
    /// Answer the next N requests with 503 `SERVER_UNAVAILABLE`.
    pub fail_next: u32,
    /// Answer this percentage of requests with 503 (seeded, so repeatable).
    pub fail_percent: u8,
    /// Fail the next N record writes with `UNABLE_TO_LOCK_ROW`.
    pub lock_next_records: u32,
    /// Record ids (15-character heads) whose writes fail with `UNABLE_TO_LOCK_ROW`.
    pub locked_ids: HashSet<String>,
    /// Refuse metered calls with 403 `REQUEST_LIMIT_EXCEEDED` and this message
    /// (`TotalRequests Limit exceeded.` or `ConcurrentPerOrgLongTxn Limit exceeded.`).
    pub request_limit: Option<String>,
    /// Delay every Salesforce response by this many milliseconds.
    pub latency_ms: u64,
    /// Apply the next N writes, then drop the connection without answering.
    pub drop_after_write: u32,
    /// Only writes matching this count towards `drop_after_write`: `"METHOD text"` matches a write with
    /// that method whose path contains the text (e.g. `"PUT /batches"`, a Bulk upload), so a test can
    /// lose the answer of one particular step.
    pub drop_only: Option<String>,
    /// An active duplicate rule on Email for Contact and Lead (`DUPLICATES_DETECTED`).
    pub duplicate_rule_email: bool,
}

/// A partial update of [`Faults`]; absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FaultPatch {
    pub fail_next: Option<u32>,
    pub fail_percent: Option<u8>,
    pub lock_next_records: Option<u32>,
    pub lock_ids: Option<Vec<String>>,
    /// `Some(None)` via JSON `null` is not distinguishable; use `clear_request_limit`.
    pub request_limit: Option<String>,
    #[serde(default)]
    pub clear_request_limit: bool,
    pub latency_ms: Option<u64>,
    pub drop_after_write: Option<u32>,
    pub drop_only: Option<String>,
    pub duplicate_rule_email: Option<bool>,
}

impl Faults {
    pub fn apply(&mut self, p: FaultPatch) {
        if let Some(v) = p.fail_next {
            self.fail_next = v;
        }
        if let Some(v) = p.fail_percent {
            self.fail_percent = v.min(100);
        }
        if let Some(v) = p.lock_next_records {
            self.lock_next_records = v;
        }
        if let Some(ids) = p.lock_ids {
            self.locked_ids = ids
                .into_iter()
                .map(|id| id.chars().take(15).collect())
                .collect();
        }
        if let Some(m) = p.request_limit {
            self.request_limit = Some(m);
        }
        if p.clear_request_limit {
            self.request_limit = None;
        }
        if let Some(v) = p.latency_ms {
            self.latency_ms = v;
        }
        if let Some(v) = p.drop_after_write {
            self.drop_after_write = v;
        }
        if let Some(v) = p.drop_only {
            self.drop_only = Some(v).filter(|v| !v.is_empty());
        }
        if let Some(v) = p.duplicate_rule_email {
            self.duplicate_rule_email = v;
        }
    }

    /// Whether this request should get a 503; consumes one `fail_next`.
    pub fn take_failure(&mut self, rng: &mut impl Rng) -> bool {
        if self.fail_next > 0 {
            self.fail_next -= 1;
            return true;
        }
        self.fail_percent > 0 && rng.gen_range(0..100u8) < self.fail_percent
    }

    /// Whether a write to record `id` (or a new record) hits a lock.
    pub fn take_lock(&mut self, id: Option<&str>) -> bool {
        if self.lock_next_records > 0 {
            self.lock_next_records -= 1;
            return true;
        }
        id.is_some_and(|id| self.locked_ids.contains(id.get(..15).unwrap_or(id)))
    }

    /// Whether this write (`method` on `path`) loses its answer; consumes one `drop_after_write`.
    pub fn take_drop(&mut self, method: &str, path: &str) -> bool {
        let matches = self.drop_only.as_deref().is_none_or(|only| {
            let (m, text) = only.split_once(' ').unwrap_or((only, ""));
            m.eq_ignore_ascii_case(method) && path.contains(text)
        });
        if matches && self.drop_after_write > 0 {
            self.drop_after_write -= 1;
            return true;
        }
        false
    }
}
