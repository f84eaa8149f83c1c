//! The CRM index of a Bulk run: one Bulk query job for every record of the object with a match value
//! (`SELECT {lookup fields} FROM {object} WHERE {match field} != null`), its result pages streamed to
//! disk and read row by row into `push_index` (never all in memory), then looked up a batch of keys at a
//! time. Records a contact matches are found exactly as SOQL `IN` would find them: keys are trimmed and
//! lower-cased on both sides, and the duplicate-match policy applies to what comes back.
//!
//! The job's id is stored before any page is read. A run picked up again with the index half loaded
//! empties it and reads the same job's pages again from the first (they stay for 7 days), so no second
//! query job is made.

use super::cells;
use super::rule::{use_bulk_index, QUERY_PAGE};
use super::{Ctx, Flow};
use crate::engine::failure::{Fatal, Halt};
use crate::engine::index::{CrmIndex, MatchKey};
use crate::salesforce::bulk::{CsvRows, JobState};
use crate::salesforce::SalesforceError;
use crate::storage::runs::bulk::index::IndexRow;
use crate::storage::runs::bulk::Filled;
use std::time::Duration;

/// Index rows per insert batch.
const ROWS_PER_WRITE: usize = 2_000;

/// Whether the run's index is loaded, and what the batches so far needed.
pub(super) struct IndexState {
    ready: bool,
    prepared: u64,
    pending: u64,
}

impl IndexState {
    pub async fn load(ctx: &Ctx<'_>) -> Flow<Self> {
        let jobs = ctx.storage().run_jobs(ctx.claimed.id).await?;
        let ready = jobs
            .iter()
            .any(|j| j.operation == "query" && j.state == "ready");
        Ok(Self {
            ready,
            prepared: 0,
            pending: 0,
        })
    }

    /// Counts a batch: `prepared` contacts, `pending` of which need a lookup.
    pub fn observe(&mut self, prepared: usize, pending: usize) {
        self.prepared += prepared as u64;
        self.pending += pending as u64;
    }

    /// Whether lookups go to the Bulk index: it is loaded, or the rule says it is worth loading now.
    pub fn use_bulk(&self, ctx: &Ctx<'_>) -> bool {
        self.ready
            || use_bulk_index(
                self.prepared,
                self.pending,
                u64::try_from(ctx.ready.selected).unwrap_or(0),
                u64::try_from(ctx.ready.crm_total.unwrap_or(0)).unwrap_or(0),
                ctx.engine.settings().bulk_threshold,
            )
    }

    /// Loads the index, unless it is.
    pub async fn build(&mut self, ctx: &Ctx<'_>) -> Flow<()> {
        if self.ready {
            return Ok(());
        }
        let storage = ctx.storage();
        let run_id = ctx.claimed.id;
        let known = storage
            .run_jobs(run_id)
            .await?
            .into_iter()
            .find(|j| j.operation == "query")
            .map(|j| j.job_id);
        let job_id = match known {
            Some(id) => id,
            None => {
                let planner = &ctx.ready.planner;
                let match_field = &planner.mapper().match_field().name;
                let soql = format!(
                    "SELECT {fields} FROM {object} WHERE {match_field} != null",
                    fields = planner.lookup_fields().join(", "),
                    object = planner.object(),
                );
                let job = ctx
                    .ready
                    .org
                    .client
                    .create_query_job(&soql)
                    .await
                    .map_err(|e| halt(&e))?;
                let check = storage
                    .add_job(ctx.holder(), &job.id, "query", None, 0)
                    .await?;
                Ctx::held(check)?;
                tracing::info!(run_id, job_id = %job.id, "index query job created");
                job.id
            }
        };
        wait_for_query(ctx, &job_id).await?;
        storage.clear_index(run_id).await?;
        load_pages(ctx, &job_id).await?;
        storage.analyze_filled(Filled::Index).await?;
        let check = storage
            .set_job_state(ctx.holder(), &job_id, "ready", Some("JobComplete"), None)
            .await?;
        Ctx::held(check)?;
        self.ready = true;
        Ok(())
    }

    /// The indexed records matching `keys`.
    pub async fn lookup<'k>(
        &self,
        ctx: &Ctx<'_>,
        keys: impl Iterator<Item = &'k MatchKey>,
    ) -> Flow<CrmIndex> {
        let keys: Vec<String> = keys.map(|k| k.as_str().to_owned()).collect();
        let rows = ctx.storage().index_rows(ctx.claimed.id, &keys).await?;
        let match_field = &ctx.ready.planner.mapper().match_field().name;
        Ok(CrmIndex::new(
            match_field,
            rows.into_iter().map(cells::index_record),
        ))
    }
}

/// Any Salesforce failure of the index stops the run: without the index nothing can be decided.
fn halt(error: &SalesforceError) -> super::Interrupt {
    crate::engine::failure::halt_of(error).into()
}

async fn wait_for_query(ctx: &Ctx<'_>, job_id: &str) -> Flow<()> {
    let client = &ctx.ready.org.client;
    let mut delay = Duration::from_secs(1);
    loop {
        let status = client.query_job(job_id).await.map_err(|e| halt(&e))?;
        match status.state {
            JobState::JobComplete => return Ok(()),
            JobState::Failed | JobState::Aborted => {
                return Err(Halt::Failed(Fatal::IndexQuery {
                    state: status.state,
                    message: status.error_message.unwrap_or_default(),
                })
                .into())
            }
            _ => {}
        }
        ctx.renew().await?;
        client.pause(delay).await;
        delay = (delay * 2).min(Duration::from_secs(30));
    }
}

/// Streams every page of the job into the index, renewing the lease between pages.
async fn load_pages(ctx: &Ctx<'_>, job_id: &str) -> Flow<()> {
    let client = &ctx.ready.org.client;
    let planner = &ctx.ready.planner;
    let columns = cells::index_columns(planner);
    let match_field = planner.mapper().match_field().name.clone();
    let dir = super::jobs::spool_dir()?;
    let path = dir.path().join("index-page.csv");
    let mut locator: Option<String> = None;
    let mut loaded = 0_usize;
    loop {
        let next = client
            .download_query_page(job_id, QUERY_PAGE, locator.as_deref(), &path)
            .await
            .map_err(|e| halt(&e))?;
        let file = std::fs::File::open(&path).map_err(|e| super::jobs::spool_failed(&path, e))?;
        let rows = CsvRows::new(std::io::BufReader::new(file), b',').map_err(|e| halt(&e))?;
        let mut chunk: Vec<IndexRow> = Vec::with_capacity(ROWS_PER_WRITE);
        for row in rows {
            let row = row.map_err(|e| halt(&e))?;
            chunk.extend(cells::index_row(&row, &columns, &match_field));
            if chunk.len() >= ROWS_PER_WRITE {
                loaded += chunk.len();
                ctx.storage().add_index_rows(ctx.claimed.id, &chunk).await?;
                chunk.clear();
            }
        }
        loaded += chunk.len();
        ctx.storage().add_index_rows(ctx.claimed.id, &chunk).await?;
        ctx.renew().await?;
        match next {
            Some(l) => locator = Some(l),
            None => break,
        }
    }
    tracing::info!(
        run_id = ctx.claimed.id,
        records = loaded,
        "CRM index loaded"
    );
    Ok(())
}
