//! Step 2 of a Bulk run for the writes that go as Bulk ingest jobs: spool the waiting rows of one kind to
//! a CSV file (up to `KOMO_PUSH_BULK_JOB_BYTES`, whole contacts only), create the job, store its id with
//! its rows, upload the file as a stream, close the job.
//!
//! Nothing is ever sent twice blindly:
//! - creating a job is harmless to repeat (an Open job without data applies nothing and expires);
//! - the job id is stored with its rows *before* the upload, so a worker that dies after it leaves a job
//!   the next worker finds: still Open, it is aborted and its rows go again; closed, it is polled;
//! - an upload whose answer was lost leaves the job Open: it is aborted and the rows go in a new job;
//! - a close whose answer was lost is followed by a poll, which says whether it took.

use super::cells;
use super::{Ctx, Flow};
use crate::engine::failure::halt_of;
use crate::engine::failure::{classify, Failure, Fatal, Halt};
use crate::engine::plan::Strategy;
use crate::engine::writer::ATTEMPTS;
use crate::salesforce::bulk::{IngestOperation, IngestSpec, JobState};
use crate::salesforce::query::Record;
use crate::salesforce::SalesforceError;
use crate::storage::runs::bulk::{Operation, StoredRow};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// Contacts read from the staging table per page while spooling.
const SPOOL_PAGE: i64 = 2_000;

/// What [`submit`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Submitted {
    /// A job is on its way (or failed as a whole, and its rows are logged so).
    Job,
    /// The upload's answer was lost; the job was aborted and its rows wait to go again.
    Again,
    /// Nothing was waiting.
    Nothing,
}

/// A private directory for one job's files, removed when dropped.
pub(super) fn spool_dir() -> Flow<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("komo-bulk-")
        .tempdir()
        .map_err(|e| spool_failed(Path::new("a temporary directory"), e))
}

pub(super) fn spool_failed(path: &Path, error: std::io::Error) -> super::Interrupt {
    Halt::Failed(Fatal::BulkFile {
        path: path.to_owned(),
        source: Arc::new(error),
    })
    .into()
}

/// The External ID an upsert keys on, or the match field an insert leads with.
pub(super) fn key_field(ctx: &Ctx<'_>) -> String {
    match ctx.ready.planner.strategy() {
        Strategy::Lookup { match_field } => match_field.clone(),
        Strategy::Upsert { key_field } => key_field.clone(),
    }
}

/// Sends the next job's worth of waiting `operation` rows as one Bulk ingest job.
pub(super) async fn submit(ctx: &Ctx<'_>, operation: Operation) -> Flow<Submitted> {
    let planner = &ctx.ready.planner;
    let client = &ctx.ready.org.client;
    let header = cells::header(planner, operation);
    let dir = spool_dir()?;
    let path = dir.path().join("upload.csv");
    let Some(spooled) = spool(ctx, operation, &header, &path).await? else {
        return Ok(Submitted::Nothing);
    };
    let spec = IngestSpec {
        object: planner.object().to_owned(),
        operation: match operation {
            Operation::Update => IngestOperation::Update,
            Operation::Upsert => IngestOperation::Upsert {
                external_id_field: key_field(ctx),
            },
            Operation::Insert | Operation::Deferred => IngestOperation::Insert,
        },
    };
    let job = client
        .create_ingest_job(&spec)
        .await
        .map_err(|e| super::Interrupt::from(halt_of(&e)))?;
    let check = ctx
        .storage()
        .add_job(
            ctx.holder(),
            &job.id,
            operation.as_str(),
            Some((spooled.first, spooled.last)),
            spooled.rows,
        )
        .await?;
    Ctx::held(check)?;
    tracing::info!(
        run_id = ctx.claimed.id,
        job_id = %job.id,
        operation = operation.as_str(),
        rows = spooled.rows,
        bytes = spooled.bytes,
        "Bulk ingest job created"
    );
    upload_and_close(ctx, &job.id, &path).await
}

/// What went into a spooled file.
struct Spooled {
    first: i64,
    last: i64,
    rows: i64,
    bytes: u64,
}

/// Writes the waiting rows of `operation` to `path`, whole contacts only, until the next contact would
/// take the file past the job limit (a first contact always goes in).
async fn spool(
    ctx: &Ctx<'_>,
    operation: Operation,
    header: &[String],
    path: &Path,
) -> Flow<Option<Spooled>> {
    let limit = ctx.engine.settings().bulk_job_bytes;
    let file = std::fs::File::create(path).map_err(|e| spool_failed(path, e))?;
    let mut out = std::io::BufWriter::new(file);
    let head = csv_line(header)?;
    out.write_all(&head).map_err(|e| spool_failed(path, e))?;
    let mut bytes = head.len() as u64;
    let mut spooled: Option<Spooled> = None;
    let mut after = 0;
    'pages: loop {
        let page = ctx
            .storage()
            .unsent_page(ctx.claimed.id, operation, after, SPOOL_PAGE)
            .await?;
        if page.is_empty() {
            break;
        }
        for contact in page.chunk_by(|a, b| a.contact_id == b.contact_id) {
            let text = contact_lines(header, contact, operation)?;
            let size = text.len() as u64;
            if spooled.is_some() && bytes + size > limit {
                break 'pages;
            }
            out.write_all(&text).map_err(|e| spool_failed(path, e))?;
            bytes += size;
            let id = contact[0].contact_id;
            let rows = contact.len() as i64;
            match spooled.as_mut() {
                None => {
                    spooled = Some(Spooled {
                        first: id,
                        last: id,
                        rows,
                        bytes,
                    })
                }
                Some(s) => {
                    s.last = id;
                    s.rows += rows;
                    s.bytes = bytes;
                }
            }
            after = id;
        }
    }
    out.flush().map_err(|e| spool_failed(path, e))?;
    Ok(spooled)
}

/// One contact's CSV lines, together.
fn contact_lines(header: &[String], rows: &[StoredRow], operation: Operation) -> Flow<Vec<u8>> {
    let mut text = Vec::new();
    for row in rows {
        let payload: Record = serde_json::from_str(&row.payload)
            .map_err(|e| crate::storage::StorageError::Corrupt(format!("staged payload: {e}")))?;
        let id = if operation == Operation::Update {
            row.join_key.as_str()
        } else {
            ""
        };
        text.extend(csv_line(&cells::row(header, &payload, id, operation))?);
    }
    Ok(text)
}

/// One CSV line as Bulk expects it: comma, LF, quotes where needed.
fn csv_line(cells: &[String]) -> Flow<Vec<u8>> {
    let failed = |e: csv::Error| super::Interrupt::from(Halt::Failed(Fatal::BulkCsv(Arc::new(e))));
    // A small buffer: one line at a time, a million times in a large run.
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(512)
        .from_writer(Vec::with_capacity(256));
    writer.write_record(cells).map_err(failed)?;
    writer
        .into_inner()
        .map_err(|e| failed(csv::Error::from(e.into_error())))
}

/// Uploads the file and closes the job; see the module docs for lost answers.
async fn upload_and_close(ctx: &Ctx<'_>, job_id: &str, path: &Path) -> Flow<Submitted> {
    let client = &ctx.ready.org.client;
    match client.upload_ingest_file(job_id, path).await {
        Ok(()) => {}
        Err(SalesforceError::Ambiguous) => {
            tracing::warn!(
                job_id,
                "the upload's answer was lost; aborting the job, its rows go again"
            );
            abandon(ctx, job_id).await?;
            return Ok(Submitted::Again);
        }
        Err(error) => return refused(ctx, job_id, &error).await,
    }
    for _ in 0..ATTEMPTS {
        match client.close_ingest_job(job_id).await {
            Ok(_) => return submitted(ctx, job_id).await,
            Err(SalesforceError::Ambiguous) => match client.ingest_job(job_id).await {
                Ok(status) if status.state == JobState::Open => continue,
                Ok(_) => return submitted(ctx, job_id).await,
                Err(error) => return Err(halt_of(&error).into()),
            },
            Err(error) => return refused(ctx, job_id, &error).await,
        }
    }
    // Every close lost its answer and the job is still Open: nothing of it ran. Its rows go again.
    abandon(ctx, job_id).await?;
    Ok(Submitted::Again)
}

async fn submitted(ctx: &Ctx<'_>, job_id: &str) -> Flow<Submitted> {
    let check = ctx
        .storage()
        .set_job_state(ctx.holder(), job_id, "submitted", None, None)
        .await?;
    Ctx::held(check)?;
    Ok(Submitted::Job)
}

/// Aborts an Open job (best effort: an Open job never runs anyway) and puts its rows back.
pub(super) async fn abandon(ctx: &Ctx<'_>, job_id: &str) -> Flow<()> {
    if let Err(error) = ctx.ready.org.client.abort_ingest_job(job_id).await {
        tracing::info!(job_id, %error, "could not abort an unfinished job; it never ran");
    }
    let check = ctx.storage().drop_job(ctx.holder(), job_id).await?;
    Ctx::held(check).map(drop)
}

/// Salesforce refused the upload or the close: the run stops if that is what the error means;
/// otherwise the job is aborted and its rows are logged as failed with Salesforce's words.
async fn refused(ctx: &Ctx<'_>, job_id: &str, error: &SalesforceError) -> Flow<Submitted> {
    let _ = ctx.ready.org.client.abort_ingest_job(job_id).await;
    match classify(error) {
        Failure::Halt(halt) => Err(halt.into()),
        Failure::Records { code, message } => {
            let check = ctx
                .storage()
                .set_job_state(
                    ctx.holder(),
                    job_id,
                    "answered",
                    Some("Failed"),
                    Some(&format!("{code}: {message}")),
                )
                .await?;
            Ctx::held(check)?;
            Ok(Submitted::Job)
        }
    }
}
