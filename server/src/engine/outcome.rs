//! What happened to one contact in a run: its line in the run log, what its sync remembers about it, and
//! how it counts. Pure; [`super::run`] gathers a batch of these and records them in one transaction.

use super::decision::{Decision, Planned, RunAction};
use super::hash::PushHash;
use crate::storage::runs::log::{Batch, LogRow, StateUpdate};
use shared::sync::run::RunCounters;

/// Our code for "several records match and the sync marks that as an error" (Salesforce has none).
pub const DUPLICATE_MATCH: &str = "DUPLICATE_MATCH";

/// Adds `outcomes` to `batch`: counted, logged, remembered. A contact found unchanged since its last push
/// gets no log row of its own but goes into the batch's unchanged list (migration 0012 says why); every
/// other outcome is a row.
pub fn add_to_batch(batch: &mut Batch, outcomes: &[ContactOutcome]) {
    for outcome in outcomes {
        outcome.count(&mut batch.counters);
        if outcome.action == RunAction::Unchanged && outcome.ok {
            batch.unchanged.push(outcome.contact_id);
        } else {
            batch.rows.push(outcome.log_row());
        }
        batch.states.extend(outcome.state());
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContactOutcome {
    pub contact_id: i64,
    pub email: String,
    pub action: RunAction,
    pub ok: bool,
    /// The records written or involved; an insert's comes with Salesforce's answer.
    pub crm_ids: Vec<String>,
    pub error_code: Option<String>,
    pub message: Option<String>,
    /// Stored as the contact's push hash; only ever set on success.
    pub hash: Option<PushHash>,
}

impl ContactOutcome {
    /// A decision that sends nothing: skip, unchanged, invalid or a duplicate-match error.
    pub fn decided(planned: Planned, email: String) -> Self {
        let Planned {
            contact_id,
            hash,
            decision,
            ..
        } = planned;
        let error_code = match &decision {
            Decision::Invalid(invalid) => Some(invalid.code.unwrap_or("INVALID").to_owned()),
            Decision::DuplicateError { .. } => Some(DUPLICATE_MATCH.to_owned()),
            _ => None,
        };
        Self {
            contact_id,
            email,
            // Every non-writing decision has an action; an upsert never reaches here.
            action: decision.action().unwrap_or(RunAction::Skip),
            ok: !decision.is_error(),
            crm_ids: decision.crm_ids().into_iter().map(str::to_owned).collect(),
            error_code,
            message: decision.message(),
            hash: if decision.is_error() { None } else { hash },
        }
    }

    /// A write that succeeded, with the record(s) written.
    pub fn written(
        planned: &Planned,
        email: &str,
        action: RunAction,
        crm_ids: Vec<String>,
    ) -> Self {
        Self {
            contact_id: planned.contact_id,
            email: email.to_owned(),
            action,
            ok: true,
            crm_ids,
            error_code: None,
            message: None,
            hash: planned.hash.clone(),
        }
    }

    /// A write Salesforce refused, or that never got an answer.
    pub fn failed(
        planned: &Planned,
        email: &str,
        action: RunAction,
        code: &str,
        message: &str,
    ) -> Self {
        Self {
            contact_id: planned.contact_id,
            email: email.to_owned(),
            action,
            ok: false,
            crm_ids: planned
                .decision
                .crm_ids()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            error_code: Some(code.to_owned()),
            message: Some(message.to_owned()),
            hash: None,
        }
    }

    pub fn log_row(&self) -> LogRow {
        LogRow {
            contact_id: self.contact_id,
            email: self.email.clone(),
            action: self.action.as_str(),
            outcome: if self.ok { "ok" } else { "failed" },
            crm_id: (!self.crm_ids.is_empty()).then(|| self.crm_ids.join(",")),
            error_code: self.error_code.clone(),
            message: self.message.clone(),
        }
    }

    /// What the sync remembers: the hash after a success, the error after a failure; nothing for a skip
    /// or a contact unchanged since the last push (what is stored is still true).
    pub fn state(&self) -> Option<StateUpdate> {
        if !self.ok {
            return Some(StateUpdate {
                contact_id: self.contact_id,
                crm_id: None,
                hash: None,
                error: self.message.clone().or_else(|| self.error_code.clone()),
            });
        }
        let hash = self.hash.as_ref()?;
        Some(StateUpdate {
            contact_id: self.contact_id,
            crm_id: self.crm_ids.first().cloned(),
            hash: Some(hash.as_str().to_owned()),
            error: None,
        })
    }

    pub fn count(&self, counters: &mut RunCounters) {
        counters.processed += 1;
        let slot = match (self.action, self.ok) {
            (RunAction::Insert, true) => &mut counters.inserted_ok,
            (RunAction::Insert, false) => &mut counters.inserted_failed,
            (RunAction::Update, true) => &mut counters.updated_ok,
            (RunAction::Update, false) => &mut counters.updated_failed,
            (RunAction::Skip, _) => &mut counters.skipped,
            (RunAction::Unchanged, _) => &mut counters.unchanged,
            (RunAction::Invalid, _) => &mut counters.invalid,
        };
        *slot += 1;
    }
}
