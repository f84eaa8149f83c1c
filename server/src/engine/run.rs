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
//! Files: [`start`] (steps 1–2), [`budget`] (the estimate and the reserve rule), [`batch`] (step 3 for one
//! batch); this file drives the batches.

mod batch;
mod budget;
mod start;

pub(crate) use batch::push_batch;
pub use budget::{estimate_calls, refuse_for_budget};

use super::bulk::rule;
use super::clock::{Clock, Phase};
use super::failure::Halt;
use super::outcome::add_to_batch;
use super::plan::Planner;
use super::worker::Engine;
use crate::org_cache::Org;
use crate::storage::contacts::matching::Selection;
use crate::storage::runs::lease::{ClaimedRun, LeaseCheck};
use crate::storage::runs::log::Batch;
use crate::storage::StorageError;
use shared::sync::filter::{CheckedRule, Combine};
use shared::sync::run::RunStatus;
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
            Halt::Failed(fatal) => End::Done(RunStatus::Failed, Some(fatal.to_string())),
        }
    }
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
    /// Where the run's time goes, logged when it ends here.
    pub clock: Clock,
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
    let ready = match start::start(engine, claimed).await? {
        Ok(ready) => ready,
        Err(end) => return Ok(end),
    };
    let end = push(engine, claimed, &ready).await;
    ready.clock.report(claimed.id);
    end
}

/// Steps 3–4 (or the Bulk way), once the run has started.
async fn push(engine: &Engine, claimed: &ClaimedRun, ready: &Ready) -> Result<End, StorageError> {
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
        return super::bulk::execute(engine, claimed, ready).await;
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
        ready.clock.lap(Phase::Read);
        let Some(last) = page.last().map(|c| c.contact.id) else {
            break;
        };
        let (outcomes, halt) = push_batch(ready, page).await;
        let mut batch = Batch {
            cursor: Some(last),
            ..Batch::default()
        };
        add_to_batch(&mut batch, &outcomes);
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
        ready.clock.lap(Phase::Record);
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
