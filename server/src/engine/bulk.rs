//! Bulk runs: how a run of more than `KOMO_PUSH_BULK_THRESHOLD` contacts pushes with Bulk API 2.0 and
//! still accounts for every contact exactly once.
//!
//! 1. **Plan** ([`plan`]), batch by batch in contact-id order after the run's cursor, as a small run does,
//!    except that writes are not sent: each batch's log rows (skip, unchanged, invalid, duplicate match)
//!    and its writes — staged in `push_staged` — are recorded with the cursor in one transaction. Lookups
//!    use SOQL `IN` until the run expects enough of them ([`rule::use_bulk_index`]); then one Bulk query
//!    job loads every record with a match value into `push_index` ([`index`]), and each batch looks its
//!    keys up there. A contact whose match key another contact of the run already writes is *deferred*
//!    (step 4): two contacts with one key must never both insert, and the index does not know about
//!    writes not yet made.
//! 2. **Write** ([`jobs`], [`flush`]): per kind of write (insert, update, upsert), more rows waiting than
//!    the threshold go as Bulk ingest jobs — the CSV spooled to a file from the staged rows and streamed
//!    up, at most `KOMO_PUSH_BULK_JOB_BYTES` a job — and fewer through sObject Collections. A job's id is
//!    stored with its rows *before* its data is uploaded, so a run picked up again after its worker died
//!    polls that job instead of sending the rows again.
//! 3. **Join** ([`join`]): a finished job's result files are streamed to disk and read row by row into
//!    `push_answers`, keyed as described in [`cells`] (record `Id` for updates, match value for inserts
//!    and upserts). Then each contact's staged rows with their answers make its log row, recorded in the
//!    same transaction that deletes them. Rows refused with `UNABLE_TO_LOCK_ROW`, and rows of a job someone
//!    aborted, go back to step 2 (up to [`crate::engine::writer::ATTEMPTS`] sends); rows in no result file
//!    of a completed job are never resent — their fate is unknown — and are logged as failed.
//! 4. **Deferred** contacts go through the small-run path ([`super::run::push_batch`]): a fresh SOQL
//!    lookup sees the records step 2 wrote, so they update instead of inserting again.
//!
//! Cancel is honoured between batches, jobs and Collections pages; a job already submitted is waited for
//! and joined first (Salesforce does not undo rows it processed, so they are recorded). Hitting the request
//! limit pauses the run as a small run does; a job still running in Salesforce then finishes there
//! without log rows, and the next run into the object waits for it ([`leftover`]) and finds its records
//! by lookup. The scratch tables are emptied when the run ends, whatever the end (such a job's id aside).

pub mod cells;
pub mod flush;
pub mod index;
pub mod jobs;
pub mod join;
pub mod leftover;
pub mod plan;
pub mod rule;
pub mod settle;

use super::clock::Phase;
use super::failure::{Fatal, Halt};
use super::outcome::ContactOutcome;
use super::run::{final_status, push_batch, End, Ready};
use super::worker::Engine;
use super::writer::ATTEMPTS;
use crate::storage::runs::bulk::{Filled, Holder, Operation};
use crate::storage::runs::lease::{ClaimedRun, LeaseCheck};
use crate::storage::runs::log::Batch;
use crate::storage::{Storage, StorageError};
use shared::sync::run::RunStatus;

/// Why a Bulk step stopped before its end: the run ends (and how), or the database failed.
pub(crate) enum Interrupt {
    End(End),
    Storage(StorageError),
}

impl From<StorageError> for Interrupt {
    fn from(e: StorageError) -> Self {
        Interrupt::Storage(e)
    }
}

impl From<Halt> for Interrupt {
    fn from(halt: Halt) -> Self {
        Interrupt::End(halt.into())
    }
}

impl From<End> for Interrupt {
    fn from(end: End) -> Self {
        Interrupt::End(end)
    }
}

pub(crate) type Flow<T> = Result<T, Interrupt>;

/// What every Bulk step works with.
pub(crate) struct Ctx<'a> {
    pub engine: &'a Engine,
    pub claimed: &'a ClaimedRun,
    pub ready: &'a Ready,
}

impl Ctx<'_> {
    pub fn storage(&self) -> &Storage {
        self.engine.storage()
    }

    pub fn holder(&self) -> Holder<'_> {
        Holder {
            run_id: self.claimed.id,
            owner: self.engine.owner(),
            lease_secs: self.engine.lease_secs(),
        }
    }

    /// Whether the run is still ours; `Some(cancel)` if so.
    pub fn held(check: LeaseCheck) -> Flow<bool> {
        match check {
            LeaseCheck::Lost => Err(End::LostLease.into()),
            LeaseCheck::Held { cancel } => Ok(cancel),
        }
    }

    /// Renews the lease and reports a cancel request, without stopping (a job in flight is finished first).
    pub async fn renew(&self) -> Flow<bool> {
        let check = self
            .storage()
            .renew_lease(
                self.claimed.id,
                self.engine.owner(),
                self.engine.lease_secs(),
            )
            .await?;
        Self::held(check)
    }

    /// A boundary: renews the lease, and stops for a cancel request or a shutdown.
    pub async fn boundary(&self) -> Flow<()> {
        if self.renew().await? {
            return Err(End::Done(
                RunStatus::Cancelled,
                Some("Cancelled; everything done before is recorded.".into()),
            )
            .into());
        }
        if self.engine.stopping() {
            return Err(End::Released.into());
        }
        Ok(())
    }

    /// Records `outcomes` (and whatever else `batch` carries) in one transaction.
    pub async fn record(&self, outcomes: &[ContactOutcome], mut batch: Batch) -> Flow<()> {
        super::outcome::add_to_batch(&mut batch, outcomes);
        let check = self
            .storage()
            .record_batch(
                self.claimed.id,
                self.claimed.sync_id,
                self.engine.owner(),
                self.engine.lease_secs(),
                &batch,
            )
            .await?;
        Self::held(check).map(drop)
    }
}

/// Runs a Bulk run (the planner and counts are ready) to its end.
///
/// # Errors
/// Database faults; the run keeps its lease until it lapses and is then picked up again where it stands.
pub(crate) async fn execute(
    engine: &Engine,
    claimed: &ClaimedRun,
    ready: &Ready,
) -> Result<End, StorageError> {
    let ctx = Ctx {
        engine,
        claimed,
        ready,
    };
    match drive(&ctx).await {
        Ok(end) | Err(Interrupt::End(end)) => Ok(end),
        Err(Interrupt::Storage(e)) => Err(e),
    }
}

async fn drive(ctx: &Ctx<'_>) -> Flow<End> {
    plan::plan_all(ctx).await?;
    ctx.storage().analyze_filled(Filled::Staged).await?;
    write_all(ctx).await?;
    deferred(ctx).await?;
    let status = final_status(ctx.storage(), ctx.claimed).await?;
    Ok(End::Done(status, None))
}

/// Step 2 and 3 until nothing is waiting: settle the jobs already submitted, then send what waits.
async fn write_all(ctx: &Ctx<'_>) -> Flow<()> {
    let threshold = ctx.engine.settings().bulk_threshold;
    let mut lost_uploads = 0;
    loop {
        join::settle_jobs(ctx).await?;
        ctx.boundary().await?;
        let waiting = ctx.storage().unsent_counts(ctx.claimed.id).await?;
        if waiting.is_empty() {
            return Ok(());
        }
        let mut by_collections: Vec<Operation> = Vec::new();
        let mut cancel = false;
        'kinds: for (operation, count) in waiting {
            if !rule::by_bulk(u64::try_from(count).unwrap_or(0), threshold) {
                by_collections.push(operation);
                continue;
            }
            // Every job's worth of this kind goes out before any is waited for: Salesforce runs them
            // side by side. What is left once no longer above the threshold goes by Collections.
            let mut left = count;
            while rule::by_bulk(u64::try_from(left).unwrap_or(0), threshold) {
                // A cancel stops further jobs; those already submitted are joined first (at the top).
                if ctx.renew().await? {
                    cancel = true;
                    break 'kinds;
                }
                let submitted = jobs::submit(ctx, operation).await?;
                ctx.ready.clock.lap(Phase::Upload);
                match submitted {
                    jobs::Submitted::Job => {}
                    jobs::Submitted::Nothing => break,
                    jobs::Submitted::Again => {
                        lost_uploads += 1;
                        if lost_uploads >= ATTEMPTS {
                            return Err(Halt::Failed(Fatal::UploadsLost).into());
                        }
                    }
                }
                left = ctx
                    .storage()
                    .unsent_counts(ctx.claimed.id)
                    .await?
                    .into_iter()
                    .find(|(op, _)| *op == operation)
                    .map_or(0, |(_, n)| n);
            }
            if left > 0 {
                by_collections.push(operation);
            }
        }
        if !cancel && !by_collections.is_empty() {
            flush::flush_page(ctx, &by_collections).await?;
            ctx.ready.clock.lap(Phase::Send);
        }
    }
}

/// Step 4: the deferred contacts, decided again against Salesforce now that the writes are in.
async fn deferred(ctx: &Ctx<'_>) -> Flow<()> {
    let mut after = 0;
    loop {
        ctx.boundary().await?;
        let page = ctx
            .storage()
            .deferred_contacts_page(
                ctx.claimed.workspace(),
                ctx.claimed.sync_id,
                ctx.claimed.id,
                after,
                ctx.engine.settings().batch_size,
            )
            .await?;
        ctx.ready.clock.lap(Phase::Read);
        let Some(last) = page.last().map(|c| c.contact.id) else {
            return Ok(());
        };
        let (outcomes, halt) = push_batch(ctx.ready, page).await;
        let batch = Batch {
            settled: outcomes.iter().map(|o| o.contact_id).collect(),
            ..Batch::default()
        };
        ctx.record(&outcomes, batch).await?;
        ctx.ready.clock.lap(Phase::Record);
        if let Some(halt) = halt {
            return Err(halt.into());
        }
        after = last;
    }
}
