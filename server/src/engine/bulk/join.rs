//! Step 3 of a Bulk run: wait for the run's ingest jobs and join their results back to contacts.
//!
//! A job moves through our states (stored in `push_jobs`, so a run picked up again continues where it
//! was): `open` (created, not known to be closed: polled once — still Open means it never ran, so it is
//! aborted and its rows go again), `submitted` (polled until Salesforce finishes it), `answered` (its
//! result files are in `push_answers`), then settled page by page and forgotten.
//!
//! Result files are streamed to disk and read row by row. `unprocessedrecords` is not fetched: a row in
//! neither `successfulResults` nor `failedResults` is exactly what it would list, and [`settle`] decides
//! what such a row means from the job's final state.

use super::cells;
use super::jobs::{abandon, key_field, spool_dir, spool_failed};
use super::settle::{settle, JobEnd, Settled};
use super::{Ctx, Flow};
use crate::engine::clock::Phase;
use crate::engine::failure::halt_of;
use crate::engine::failure::{classify, Failure, Fatal, Halt};
use crate::engine::run::End;
use crate::salesforce::bulk::{JobState, JobStatus, ResultKind, ResultRows, RowOutcome};
use crate::salesforce::SalesforceError;
use crate::storage::runs::bulk::{Answer, Filled, JobRow, Operation};
use crate::storage::runs::log::Batch;
use std::time::Duration;

/// Answers stored per statement batch while reading a result file.
const ANSWERS_PER_WRITE: usize = 2_000;
/// The first poll waits this long after the job was submitted (or the run picked up again): a job worth
/// sending in bulk is rarely done sooner, and each poll is an API call.
const POLL_FIRST: Duration = Duration::from_secs(2);
const POLL_MAX: Duration = Duration::from_secs(30);
/// About two days of polls at the 30 s cap; Salesforce fails a stuck job long before.
const MAX_POLL_ROUNDS: u32 = 6_000;

/// Takes every ingest job of the run to its end: polls, joins, settles.
pub(super) async fn settle_jobs(ctx: &Ctx<'_>) -> Flow<()> {
    let client = &ctx.ready.org.client;
    let mut delay = POLL_FIRST;
    let mut rounds = 0;
    loop {
        let jobs: Vec<JobRow> = ctx
            .storage()
            .run_jobs(ctx.claimed.id)
            .await?
            .into_iter()
            .filter(|j| j.operation != "query")
            .collect();
        if jobs.is_empty() {
            return Ok(());
        }
        let clock = &ctx.ready.clock;
        if jobs.iter().any(|j| j.state == "submitted") {
            client.pause(delay).await;
            delay = (delay * 2).min(POLL_MAX);
            clock.lap(Phase::Wait);
        }
        let mut running = false;
        for job in &jobs {
            match job.state.as_str() {
                "open" => resolve_open(ctx, job).await?,
                "submitted" => match poll(ctx, &job.job_id).await {
                    Ok(status) if status.state.is_terminal() => {
                        answer(ctx, job, &status).await?;
                        clock.lap(Phase::Answer);
                    }
                    Ok(_) => running = true,
                    Err(error) => match classify(&error) {
                        Failure::Halt(halt) => return Err(halt.into()),
                        // The job is gone (or unreadable): what it did is unknown, so its rows are
                        // logged as failed and never sent again.
                        Failure::Records { code, message } => {
                            let state = "Unknown";
                            let why = format!("{code}: {message}");
                            let check = ctx
                                .storage()
                                .set_job_state(
                                    ctx.holder(),
                                    &job.job_id,
                                    "answered",
                                    Some(state),
                                    Some(&why),
                                )
                                .await?;
                            Ctx::held(check)?;
                        }
                    },
                },
                "answered" => settle_rows(ctx, job).await?,
                _ => {}
            }
        }
        if running {
            ctx.renew().await?;
            if ctx.engine.stopping() {
                // Another worker polls the same jobs once this run is claimed again.
                return Err(End::Released.into());
            }
            rounds += 1;
            if rounds > MAX_POLL_ROUNDS {
                return Err(Halt::Failed(Fatal::JobTimedOut).into());
            }
        }
    }
}

/// A job a worker created and may not have closed: Open means it never ran.
async fn resolve_open(ctx: &Ctx<'_>, job: &JobRow) -> Flow<()> {
    match ctx.ready.org.client.ingest_job(&job.job_id).await {
        Ok(status) if status.state == JobState::Open => abandon(ctx, &job.job_id).await,
        Ok(_) => {
            let check = ctx
                .storage()
                .set_job_state(ctx.holder(), &job.job_id, "submitted", None, None)
                .await?;
            Ctx::held(check).map(drop)
        }
        Err(error) => match classify(&error) {
            Failure::Halt(halt) => Err(halt.into()),
            // Never created as far as Salesforce knows: nothing ran.
            Failure::Records { .. } => abandon(ctx, &job.job_id).await,
        },
    }
}

/// One poll of a submitted job, timed as waiting for it.
async fn poll(ctx: &Ctx<'_>, job_id: &str) -> Result<JobStatus, SalesforceError> {
    let status = ctx.ready.org.client.ingest_job(job_id).await;
    ctx.ready.clock.lap(Phase::Wait);
    status
}

/// Reads a finished job's result files into `push_answers`.
async fn answer(ctx: &Ctx<'_>, job: &JobRow, status: &JobStatus) -> Flow<()> {
    let operation = Operation::parse(&job.operation)?;
    let key = key_field(ctx);
    let mut kinds = Vec::new();
    if status.records_processed > status.records_failed {
        kinds.push(ResultKind::Successful);
    }
    if status.records_failed > 0 {
        kinds.push(ResultKind::Failed);
    }
    let dir = spool_dir()?;
    for kind in kinds {
        let path = dir.path().join(kind.resource());
        ctx.ready
            .org
            .client
            .download_ingest_results(&job.job_id, kind, &path)
            .await
            .map_err(|e| super::Interrupt::from(halt_of(&e)))?;
        let file = std::fs::File::open(&path).map_err(|e| spool_failed(&path, e))?;
        let rows = ResultRows::new(std::io::BufReader::new(file), kind)
            .map_err(|e| super::Interrupt::from(halt_of(&e)))?;
        let mut answers = Vec::with_capacity(ANSWERS_PER_WRITE);
        for row in rows {
            let row = row.map_err(|e| super::Interrupt::from(halt_of(&e)))?;
            answers.extend(to_answer(operation, &row, &key));
            if answers.len() >= ANSWERS_PER_WRITE {
                ctx.storage()
                    .add_answers(ctx.claimed.id, &job.job_id, &answers)
                    .await?;
                answers.clear();
            }
        }
        ctx.storage()
            .add_answers(ctx.claimed.id, &job.job_id, &answers)
            .await?;
    }
    ctx.storage().analyze_filled(Filled::Answers).await?;
    let state = format!("{:?}", status.state);
    let check = ctx
        .storage()
        .set_job_state(
            ctx.holder(),
            &job.job_id,
            "answered",
            Some(&state),
            status.error_message.as_deref(),
        )
        .await?;
    tracing::info!(
        run_id = ctx.claimed.id,
        job_id = %job.job_id,
        state,
        processed = status.records_processed,
        failed = status.records_failed,
        "Bulk job answered"
    );
    Ctx::held(check).map(drop)
}

fn to_answer(
    operation: Operation,
    row: &crate::salesforce::bulk::IngestRowResult,
    key_field: &str,
) -> Option<Answer> {
    let join_key = cells::result_join_key(operation, &row.row, key_field)?;
    Some(match &row.outcome {
        RowOutcome::Succeeded { id, created } => Answer {
            join_key,
            ok: true,
            crm_id: Some(id.clone()).filter(|id| !id.is_empty()),
            created: *created,
            error_code: None,
            message: None,
        },
        RowOutcome::Failed { id, error } => Answer {
            join_key,
            ok: false,
            crm_id: id.clone(),
            created: false,
            error_code: Some(error.code.clone()),
            message: Some(error.message.clone()),
        },
        RowOutcome::Unprocessed => return None,
    })
}

/// Turns an answered job's rows into log rows, a page of contacts per transaction, then forgets the job.
async fn settle_rows(ctx: &Ctx<'_>, job: &JobRow) -> Flow<()> {
    let end = JobEnd {
        job_id: &job.job_id,
        state: job.sf_state.as_deref().unwrap_or("Unknown"),
        error: job.sf_error.as_deref(),
    };
    let operation = Operation::parse(&job.operation)?;
    let page_size = i64::from(ctx.engine.settings().batch_size);
    let clock = &ctx.ready.clock;
    let mut after = 0;
    loop {
        let rows = ctx
            .storage()
            .job_page(ctx.claimed.id, operation, &job.job_id, after, page_size)
            .await?;
        let Some(last) = rows.last().map(|r| r.contact_id) else {
            break;
        };
        let mut outcomes = Vec::new();
        let mut batch = Batch::default();
        for contact in rows.chunk_by(|a, b| a.contact_id == b.contact_id) {
            match settle(contact, &end) {
                Settled::Outcome(outcome) => {
                    batch.settled.push(outcome.contact_id);
                    outcomes.push(outcome);
                }
                Settled::Again => batch.retry.push(contact[0].contact_id),
            }
        }
        clock.lap(Phase::Join);
        ctx.record(&outcomes, batch).await?;
        clock.lap(Phase::Record);
        after = last;
    }
    let check = ctx.storage().drop_job(ctx.holder(), &job.job_id).await?;
    clock.lap(Phase::Join);
    Ctx::held(check).map(drop)
}
