//! CSV contact import, streamed: the file is never held in memory.
//!
//! The request body flows through a [`StreamReader`] into a blocking thread ([`reader`]), where the `csv`
//! crate reads one record at a time and parses it into a [`NewContact`] or row problems. Parsed rows travel
//! in batches of [`BATCH_ROWS`] over a bounded channel back to the async side, which upserts them and
//! appends the problems to the report. The channel holds at most [`QUEUED_BATCHES`] batches, so when the
//! database is slower than the upload the reader waits, the body stops being read, and TCP slows the
//! browser down: memory stays flat whatever the file's size.
//!
//! A bad row never costs a good one: each row is parsed on its own and only good rows are upserted.

pub mod preview;
mod reader;

use crate::storage::{Storage, StorageError, WorkspaceId};
use bytes::Bytes;
use futures::{Stream, StreamExt};
use shared::contact::custom::CustomProperty;
use shared::contact::import::{ImportCounts, ImportMapping, ImportState};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_util::io::{StreamReader, SyncIoBridge};

/// Rows per upsert, and so per transaction: large enough that the commit (a WAL sync on SQLite) is a
/// small share of a batch, small enough that the queued batches stay a few MiB and a batch holds SQLite's
/// write lock for a fraction of a second.
pub const BATCH_ROWS: usize = 2_000;
/// Parsed batches waiting for the database at most.
const QUEUED_BATCHES: usize = 2;
/// Largest file accepted: a million wide rows fit with room to spare.
pub const MAX_IMPORT_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// How often progress is written at most while rows stream in.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("The file is empty: its first row must name the columns.")]
    NoHeader,
    #[error("The file has {found} columns but {expected} were mapped. Choose the file again.")]
    Columns { expected: usize, found: usize },
    #[error("The file is larger than {max_bytes} bytes.")]
    TooLarge { max_bytes: u64 },
    #[error(
        "Row {row} is longer than {max_bytes} bytes, so the import stopped there. A quote that is \
         never closed makes the rest of the file one row: check the quotes in that row."
    )]
    RecordTooLarge { row: u64, max_bytes: u64 },
    #[error("The file could not be read as CSV at row {row}: {reason}")]
    Csv { row: u64, reason: String },
    #[error("The upload stopped before the end of the file.")]
    Interrupted(#[source] std::io::Error),
    #[error("The import stopped: your access was taken away while it ran. Rows counted as saved are saved.")]
    AccessEnded,
    #[error("The import mapping no longer fits the workspace's fields: {0}")]
    Mapping(String),
    #[error("database fault")]
    Storage(#[from] StorageError),
    #[error("the import worker stopped unexpectedly")]
    Worker,
}

impl ImportError {
    /// What the page shows for a failed import; faults of ours say only that.
    pub fn user_message(&self) -> String {
        match self {
            ImportError::Storage(_) | ImportError::Worker => {
                "Something went wrong on our side; rows counted as saved are saved.".to_owned()
            }
            other => other.to_string(),
        }
    }
}

/// One import's file, ready to stream in.
pub struct ImportJob {
    pub storage: Storage,
    pub workspace: WorkspaceId,
    pub import_id: i64,
    pub mapping: ImportMapping,
    pub properties: Vec<CustomProperty>,
    pub max_bytes: u64,
    /// The session that started the upload, checked again before each batch is saved: a user disabled,
    /// signed out everywhere or demoted mid-upload stops it. `None` for imports no session started.
    pub grant: Option<crate::backend::Grant>,
}

/// Streams `body` into the workspace's contacts, recording progress as it goes and the final state
/// (done, or failed with the reason) at the end. Rows saved before a failure stay saved.
///
/// # Errors
/// The reason the import stopped; it is also recorded on the import.
#[tracing::instrument(skip_all, fields(workspace = job.workspace.0, import = job.import_id))]
pub async fn run<S, E>(job: ImportJob, body: S) -> Result<ImportCounts, ImportError>
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut counts = ImportCounts::default();
    let result = feed(&job, body, &mut counts).await;
    let finish = match &result {
        Ok(()) => (ImportState::Done, String::new()),
        Err(e) => (ImportState::Failed, e.user_message()),
    };
    match &result {
        Ok(()) => tracing::info!(
            rows = counts.rows_read,
            saved = counts.rows_saved,
            failed = counts.rows_failed,
            "import done"
        ),
        Err(e) => tracing::warn!(error = %e, rows = counts.rows_read, "import failed"),
    }
    job.storage
        .record_import_progress(job.import_id, &counts, Some((finish.0, &finish.1)))
        .await?;
    result.map(|()| counts)
}

async fn feed<S, E>(job: &ImportJob, body: S, counts: &mut ImportCounts) -> Result<(), ImportError>
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let bytes_read = Arc::new(AtomicU64::new(0));
    let too_large = Arc::new(AtomicBool::new(false));
    let limited = {
        let (bytes_read, too_large, max) = (bytes_read.clone(), too_large.clone(), job.max_bytes);
        body.map(move |chunk| {
            let chunk = chunk.map_err(std::io::Error::other)?;
            let len = u64::try_from(chunk.len()).unwrap_or(u64::MAX);
            if bytes_read.fetch_add(len, Ordering::Relaxed) + len > max {
                too_large.store(true, Ordering::Relaxed);
                return Err(std::io::Error::other("file too large"));
            }
            Ok(chunk)
        })
    };
    // SyncIoBridge blocks its thread on the async body: the csv crate reads synchronously.
    let source = SyncIoBridge::new(StreamReader::new(Box::pin(limited)));
    let (tx, mut rx) = mpsc::channel(QUEUED_BATCHES);
    let worker = {
        let (mapping, properties) = (job.mapping.clone(), job.properties.clone());
        let limits = reader::Limits {
            too_large,
            max_bytes: job.max_bytes,
        };
        tokio::task::spawn_blocking(move || {
            reader::read_rows(source, &mapping, &properties, &limits, &tx)
        })
    };
    let mut last_write = Instant::now();
    while let Some(batch) = rx.recv().await {
        if let Some(grant) = &job.grant {
            if !grant.still_valid(&job.storage, job.workspace).await? {
                return Err(ImportError::AccessEnded);
            }
        }
        job.storage
            .upsert_contacts(job.workspace, &batch.contacts)
            .await?;
        job.storage
            .add_import_errors(job.import_id, &batch.errors)
            .await?;
        counts.rows_read += batch.rows;
        counts.rows_failed += batch.failed_rows;
        counts.rows_saved += batch.rows - batch.failed_rows;
        counts.bytes_read = bytes_read.load(Ordering::Relaxed);
        if last_write.elapsed() >= PROGRESS_EVERY {
            job.storage
                .record_import_progress(job.import_id, counts, None)
                .await?;
            last_write = Instant::now();
        }
    }
    counts.bytes_read = bytes_read.load(Ordering::Relaxed);
    worker.await.map_err(|_| ImportError::Worker)?
}
