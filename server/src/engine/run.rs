//! One run, start to end, for the worker that claimed it:
//!
//! 1. Load the sync at the configuration version the run was queued with, the org's describe and the
//!    contact catalog; [`Planner::new`] checks the sync still fits the org (else the run fails, naming why).
//! 2. Count: contacts in the workspace, selected by the filters (in SQL), records in the org (`SELECT
//!    COUNT()`). Read `/limits` and refuse to start when the estimated calls would eat into the reserve of
//!    the org's daily allowance ([`estimate_calls`]).
//! 3. Stream the selection in id order, one batch (`KOMO_PUSH_BATCH_SIZE`) at a time, after the run's
//!    cursor — never the whole selection in memory. Per batch: prepare (map, check, unchanged-by-hash),
//!    look up the rest by match key ([`super::lookup`]), decide, write ([`super::writer`]), then record
//!    rows + state + counters + cursor in one transaction ([`Storage::record_batch`]).
//! 4. Between batches: renew the lease, honour a cancel request or a shutdown.
//!
//! A run selecting more than `KOMO_PUSH_BULK_THRESHOLD` contacts goes the Bulk way after step 2 instead
//! ([`super::bulk`]), decided at its first start and kept for its life.
//!
//! Contacts of one batch that share a match key are decided in successive rounds, each after the previous
//! round's writes: two Komo contacts with one key must not both be inserted.

use super::bulk::rule;
use super::decision::{Planned, RunAction};
use super::hash::PushHash;
use super::index::MatchKey;
use super::lookup::{lookup, queries_for};
use super::outcome::ContactOutcome;
use super::plan::{Pending, Planner, Prepared, Strategy};
use super::worker::Engine;
use super::writer::{classify, Failure, Halt, WriteItem, Writer};
use crate::orgs::{Org, OrgError};
use crate::salesforce::collections::MAX_RECORDS;
use crate::salesforce::wire::ApiUsage;
use crate::storage::contacts::matching::{SelectedContact, Selection};
use crate::storage::runs::lease::{ClaimedRun, LeaseCheck};
use crate::storage::runs::log::Batch;
use crate::storage::{StorageError, WorkspaceId};
use shared::contact::fields::FieldCatalog;
use shared::sync::filter::{CheckedRule, Combine};
use shared::sync::run::{RunCounters, RunStatus};
use std::collections::HashMap;
use std::sync::Arc;

/// How a run ended, for the worker to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    Done(RunStatus, Option<String>),
    /// Another worker owns the run now; nothing more is written.
    LostLease,
    /// This instance is shutting down: the run goes back to the queue and continues from its cursor.
    Released,
}

impl From<Halt> for End {
    fn from(halt: Halt) -> Self {
        match halt {
            Halt::Paused(message) => End::Done(RunStatus::Paused, Some(message)),
            Halt::Failed(message) => End::Done(RunStatus::Failed, Some(message)),
        }
    }
}

pub(crate) fn halt_of(error: &crate::salesforce::SalesforceError) -> Halt {
    match classify(error) {
        Failure::Halt(halt) => halt,
        Failure::Records { code, message } => {
            Halt::Failed(format!("Salesforce error {code}: {message}"))
        }
    }
}

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

/// Everything a run needs once it has started.
pub(crate) struct Ready {
    pub org: Arc<Org>,
    pub planner: Planner,
    pub rules: Vec<CheckedRule>,
    pub combine: Combine,
    pub retry_of: Option<i64>,
    /// Contacts the run selects, and records of the object in the org (both counted at its start).
    pub selected: i64,
    pub crm_total: Option<i64>,
}

impl Ready {
    pub fn selection(&self) -> Selection<'_> {
        Selection {
            rules: &self.rules,
            combine: self.combine,
            retry_of: self.retry_of,
        }
    }
}

/// How a run that went through its selection ends: with errors if any contact failed.
///
/// # Errors
/// Database faults.
pub(crate) async fn final_status(
    storage: &crate::storage::Storage,
    claimed: &ClaimedRun,
) -> Result<RunStatus, StorageError> {
    let run = storage.find_run(claimed.workspace(), claimed.id).await?;
    Ok(if run.counters.failed() > 0 {
        RunStatus::CompletedWithErrors
    } else {
        RunStatus::Succeeded
    })
}

/// Runs `claimed` to its end.
///
/// # Errors
/// Database faults; the run keeps its lease until it lapses and is then picked up again.
pub async fn execute(engine: &Engine, claimed: &ClaimedRun) -> Result<End, StorageError> {
    let ready = match start(engine, claimed).await? {
        Ok(ready) => ready,
        Err(end) => return Ok(end),
    };
    let storage = engine.storage();
    let bulk = match claimed.bulk {
        Some(bulk) => bulk,
        None => {
            let bulk = rule::bulk_run(
                u64::try_from(ready.selected).unwrap_or(0),
                engine.settings().bulk_threshold,
            );
            let check = storage
                .set_run_bulk(claimed.id, engine.owner(), bulk)
                .await?;
            if check == LeaseCheck::Lost {
                return Ok(End::LostLease);
            }
            bulk
        }
    };
    if bulk {
        return super::bulk::execute(engine, claimed, &ready).await;
    }
    let mut after = claimed.cursor_contact_id;
    loop {
        match storage
            .renew_lease(claimed.id, engine.owner(), engine.lease_secs())
            .await?
        {
            LeaseCheck::Lost => return Ok(End::LostLease),
            LeaseCheck::Held { cancel: true } => {
                return Ok(End::Done(
                    RunStatus::Cancelled,
                    Some("Cancelled; everything done before is recorded.".into()),
                ))
            }
            LeaseCheck::Held { cancel: false } => {}
        }
        if engine.stopping() {
            return Ok(End::Released);
        }
        let page = storage
            .selected_contacts_page(
                claimed.workspace(),
                claimed.sync_id,
                &ready.selection(),
                after,
                engine.settings().batch_size,
            )
            .await?;
        let Some(last) = page.last().map(|c| c.contact.id) else {
            break;
        };
        let (outcomes, halt) = push_batch(&ready, page).await;
        let mut batch = Batch {
            cursor: Some(last),
            ..Batch::default()
        };
        let mut counters = RunCounters::default();
        for outcome in &outcomes {
            outcome.count(&mut counters);
            batch.rows.push(outcome.log_row());
            batch.states.extend(outcome.state());
        }
        batch.counters = counters;
        tracing::info!(
            run_id = claimed.id,
            contacts = outcomes.len(),
            cursor = last,
            "batch recorded"
        );
        let check = storage
            .record_batch(
                claimed.id,
                claimed.sync_id,
                engine.owner(),
                engine.lease_secs(),
                &batch,
            )
            .await?;
        if check == LeaseCheck::Lost {
            return Ok(End::LostLease);
        }
        if let Some(halt) = halt {
            return Ok(halt.into());
        }
        after = last;
    }
    Ok(End::Done(final_status(storage, claimed).await?, None))
}

/// Steps 1–2: configuration, org, checks, counts, budget. `Err` is how the run ends without pushing.
async fn start(engine: &Engine, claimed: &ClaimedRun) -> Result<Result<Ready, End>, StorageError> {
    let storage = engine.storage();
    let workspace: WorkspaceId = claimed.workspace();
    let failed = |message: String| Ok(Err(End::Done(RunStatus::Failed, Some(message))));
    let sync = storage.find_sync(workspace, claimed.sync_id).await?;
    let config = if sync.summary.config_version == claimed.config_version {
        sync.config
    } else {
        storage
            .sync_config_version(claimed.sync_id, claimed.config_version)
            .await?
    };
    let org = match engine
        .orgs()
        .get(workspace, sync.summary.connection_id)
        .await
    {
        Ok(org) => org,
        Err(OrgError::Storage(e)) => return Err(e),
        Err(OrgError::Salesforce(e)) => return Ok(Err(halt_of(&e).into())),
        Err(other) => return failed(format!("The Salesforce connection cannot be used: {other}")),
    };
    let describe = match org
        .describes
        .get(&org.client, config.object.api_name())
        .await
    {
        Ok(describe) => describe,
        Err(e) => return Ok(Err(halt_of(&e).into())),
    };
    if let Some(end) = super::bulk::leftover::wait_for_leftovers(engine, claimed, &org).await? {
        return Ok(Err(end));
    }
    let properties = storage.list_contact_properties(workspace).await?;
    let catalog = FieldCatalog::new(&properties);
    // A retry goes after contacts that failed; a stored hash must not call them unchanged (a full resync
    // whose update failed keeps the hash of an earlier success).
    let full_resync = claimed.full_resync || claimed.retry_of.is_some();
    let planner = match Planner::new(&config, &catalog, &describe.fields, full_resync) {
        Ok(planner) => planner,
        Err(e) => return failed(format!("Not started: {e}")),
    };
    let rules = match config.filter.check(&catalog) {
        Ok(rules) => rules,
        Err((i, e)) => return failed(format!("Not started: filter rule {}: {e}", i + 1)),
    };
    let komo_total = storage.count_contacts(workspace).await?;
    let selection = Selection {
        rules: &rules,
        combine: config.filter.combine,
        retry_of: claimed.retry_of,
    };
    let selected = storage
        .count_selected_contacts(workspace, claimed.sync_id, &selection)
        .await?;
    let count = format!("SELECT COUNT() FROM {}", planner.object());
    let crm_total = match org.client.count(&count).await {
        Ok(n) => i64::try_from(n).ok(),
        Err(e) => return Ok(Err(halt_of(&e).into())),
    };

    let reserve = engine.settings().api_reserve_percent;
    if reserve > 0 && claimed.cursor_contact_id == 0 {
        let usage = match org.client.limits().await {
            Ok(usage) => Some(usage),
            Err(e) => match classify(&e) {
                Failure::Halt(halt) => return Ok(Err(halt.into())),
                // The run-as user may not read /limits ("View Setup and Configuration"): go by the last
                // Sforce-Limit-Info header instead, if any.
                Failure::Records { .. } => org.client.api_usage(),
            },
        };
        let looks_up = matches!(planner.strategy(), Strategy::Lookup { .. });
        let settings = engine.settings();
        let selected = u64::try_from(selected).unwrap_or(0);
        let estimate = if rule::bulk_run(selected, settings.bulk_threshold) {
            rule::estimate_bulk_calls(
                selected,
                crm_total.and_then(|n| u64::try_from(n).ok()).unwrap_or(0),
                settings.bulk_job_bytes,
            )
        } else {
            estimate_calls(selected, u64::from(settings.batch_size), looks_up)
        };
        if let Some(message) = usage.and_then(|u| refuse_for_budget(u, estimate, reserve)) {
            return failed(message);
        }
    }
    match storage
        .set_run_totals(claimed.id, engine.owner(), komo_total, selected, crm_total)
        .await?
    {
        LeaseCheck::Lost => return Ok(Err(End::LostLease)),
        LeaseCheck::Held { .. } => {}
    }
    Ok(Ok(Ready {
        org,
        planner,
        rules,
        combine: config.filter.combine,
        retry_of: claimed.retry_of,
        selected,
        crm_total,
    }))
}

/// A contact on its way through one batch.
enum Work {
    /// Needs the lookup.
    Pending(Pending),
    /// Decided already (an upsert).
    Ready(Planned),
}

impl Work {
    fn key(&self) -> Option<&MatchKey> {
        match self {
            Work::Pending(p) => Some(p.key()),
            Work::Ready(p) => p.key.as_ref(),
        }
    }
}

/// Splits work so that no round holds one match key twice, keeping order within each round.
fn rounds(work: Vec<Work>) -> Vec<Vec<Work>> {
    let mut seen: HashMap<MatchKey, usize> = HashMap::new();
    let mut rounds: Vec<Vec<Work>> = Vec::new();
    for item in work {
        let round = match item.key() {
            Some(key) => {
                let n = seen.entry(key.clone()).or_insert(0);
                *n += 1;
                *n - 1
            }
            None => 0,
        };
        if rounds.len() <= round {
            rounds.resize_with(round + 1, Vec::new);
        }
        rounds[round].push(item);
    }
    rounds
}

/// Step 3 for one batch: every contact's outcome, and the halt that cut it short, if any (contacts not
/// answered by then have no outcome and are not recorded).
pub(crate) async fn push_batch(
    ready: &Ready,
    page: Vec<SelectedContact>,
) -> (Vec<ContactOutcome>, Option<Halt>) {
    let planner = &ready.planner;
    let client = &ready.org.client;
    let mut emails: HashMap<i64, String> = HashMap::with_capacity(page.len());
    let mut out = Vec::with_capacity(page.len());
    let mut work = Vec::new();
    for selected in page {
        let email = selected.contact.email.as_str().to_owned();
        let previous = selected.last_hash.map(PushHash::from_stored);
        match planner.prepare(&selected.contact, previous.as_ref()) {
            Prepared::Done(planned) if planned.decision.writes() => {
                emails.insert(planned.contact_id, email);
                work.push(Work::Ready(planned));
            }
            Prepared::Done(planned) => out.push(ContactOutcome::decided(planned, email)),
            Prepared::Lookup(pending) => {
                emails.insert(pending.contact_id(), email);
                work.push(Work::Pending(pending));
            }
        }
    }
    let email_of = |id: i64| emails.get(&id).cloned().unwrap_or_default();
    for round in rounds(work) {
        let mut pending = Vec::new();
        let mut decided = Vec::new();
        for item in round {
            match item {
                Work::Pending(p) => pending.push(p),
                Work::Ready(p) => decided.push(p),
            }
        }
        if let (false, Strategy::Lookup { match_field }) = (pending.is_empty(), planner.strategy())
        {
            let values: Vec<serde_json::Value> =
                pending.iter().map(|p| p.match_value().clone()).collect();
            match lookup(client, planner, match_field, &values).await {
                Ok(index) => {
                    for p in pending {
                        let matches = index.matches(p.key());
                        decided.push(planner.decide(p, matches));
                    }
                }
                Err(error) => match classify(&error) {
                    Failure::Halt(halt) => return (out, Some(halt)),
                    Failure::Records { code, message } => {
                        // No decision could be made; logged as a failed update, the action that needs
                        // the lookup most.
                        for p in pending {
                            let id = p.contact_id();
                            out.push(ContactOutcome {
                                contact_id: id,
                                email: email_of(id),
                                action: RunAction::Update,
                                ok: false,
                                crm_ids: Vec::new(),
                                error_code: Some(code.clone()),
                                message: Some(format!(
                                    "The lookup in Salesforce failed: {message}"
                                )),
                                hash: None,
                            });
                        }
                    }
                },
            }
        }
        let items = decided
            .into_iter()
            .map(|planned| WriteItem {
                email: email_of(planned.contact_id),
                planned,
            })
            .collect();
        let writer = Writer { client, planner };
        if let Err(halt) = writer.write(items, &mut out).await {
            return (out, Some(halt));
        }
    }
    (out, None)
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
