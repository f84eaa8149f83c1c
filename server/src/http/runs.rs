//! `/crm/runs/{id}/events`: a run's progress as server-sent events, for the run page's progress bar; and
//! `/crm/runs/{id}/results.csv`: every row of its log, streamed.
//!
//! Progress is read from the database, not from the engine in this process: the worker pushing a run may
//! be another instance sharing the PostgreSQL. Each open stream reads the run's one row every
//! [`PROGRESS_EVERY`] and sends a `progress` event (the run as JSON) when something changed; it ends after
//! sending a finished run. The engine records a batch at a time, so a faster poll would show nothing new.
//! Both streams check at every step that their user still has access, and end when it was taken away.

use super::csv_cell::{defuse, paged_csv};
use super::guard::{super_user, Failure, Holder};
use crate::state::AppState;
use crate::storage::runs::log::StoredLogRow;
use crate::storage::runs::review::EXPORT_PAGE;
use crate::storage::{Storage, StorageError, WorkspaceId};
use app::api::syncs::RunSummary;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures::{stream, Stream, StreamExt};
use shared::sync::log::LogFilter;
use shared::sync::run::RunStatus;
use std::convert::Infallible;
use std::time::Duration;
use tower_sessions::Session;

/// How often an open progress stream looks at its run.
pub const PROGRESS_EVERY: Duration = Duration::from_millis(500);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/crm/runs/{id}/events", get(events))
        .route("/crm/runs/{id}/results.csv", get(results))
}

/// What a progress stream remembers between looks.
struct Watch {
    storage: Storage,
    holder: Holder,
    workspace: WorkspaceId,
    run_id: i64,
    ticker: tokio::time::Interval,
    last: Option<RunSummary>,
    finished: bool,
    /// How long a run may sit in the queue before the stream stops waiting with it.
    patience: Duration,
    queued_since: Option<tokio::time::Instant>,
}

impl Watch {
    /// Whether the stream has waited long enough for a run that is still queued: no worker anywhere may
    /// be taking runs (every instance started with `KOMO_WORKERS=0`), and an open stream would poll for
    /// ever. The page keeps what it showed; reloading it opens a new stream.
    fn gave_up_on(&mut self, run: &RunSummary) -> bool {
        if run.status != RunStatus::Queued {
            self.queued_since = None;
            return false;
        }
        let since = *self
            .queued_since
            .get_or_insert_with(tokio::time::Instant::now);
        since.elapsed() >= self.patience
    }
}

/// The next `progress` event: waits for a change of the run, ends after a finished run was sent.
async fn next_change(mut watch: Watch) -> Option<(Event, Watch)> {
    if watch.finished {
        return None;
    }
    loop {
        watch.ticker.tick().await;
        if !watch.holder.still_holds().await {
            return None;
        }
        let run = match watch.storage.find_run(watch.workspace, watch.run_id).await {
            Ok(run) => run,
            Err(e) => {
                tracing::warn!(error = %e, run_id = watch.run_id, "progress stream stopped");
                return None;
            }
        };
        if watch.last.is_some() && watch.gave_up_on(&run) {
            tracing::info!(
                run_id = watch.run_id,
                "progress stream stopped: the run is still queued"
            );
            return None;
        }
        if watch.last.as_ref() == Some(&run) {
            continue;
        }
        watch.finished = !run.status.is_active();
        let event = Event::default()
            .event("progress")
            .json_data(&run)
            .unwrap_or_else(|_| Event::default().comment("unserialisable run"));
        watch.last = Some(run);
        return Some((event, watch));
    }
}

/// `GET /crm/runs/{id}/events`: `progress` events until the run has finished.
async fn events(
    State(state): State<AppState>,
    session: Session,
    Path(run_id): Path<i64>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Failure> {
    let holder = super_user(&state, session).await?;
    let workspace = holder.workspace();
    // Refuses another workspace's run before the stream starts.
    state.storage.find_run(workspace, run_id).await?;
    let mut ticker = tokio::time::interval(PROGRESS_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let watch = Watch {
        storage: state.storage.clone(),
        holder,
        workspace,
        run_id,
        ticker,
        last: None,
        finished: false,
        patience: state.progress_patience,
        queued_since: None,
    };
    let changes = stream::unfold(watch, next_change).map(Ok::<_, Infallible>);
    Ok(Sse::new(changes).keep_alive(KeepAlive::default()))
}

/// `GET /crm/runs/{id}/results.csv`: one line per log row in contact order, UTF-8 with a byte-order mark,
/// every text cell defused against formula injection. Pages of [`EXPORT_PAGE`] rows: flat memory.
async fn results(
    State(state): State<AppState>,
    session: Session,
    Path(run_id): Path<i64>,
) -> Result<Response, Failure> {
    let holder = super_user(&state, session).await?;
    state.storage.find_run(holder.workspace(), run_id).await?;
    let storage = state.storage.clone();
    Ok(paged_csv(
        holder,
        format!("run-{run_id}-results.csv"),
        &RESULT_COLUMNS,
        EXPORT_PAGE as usize,
        ResultsAt::Logged(0),
        move |at| results_page(storage.clone(), run_id, at),
        result_record,
    ))
}

/// Where the results download stands: in the log's rows (by row id), then in the unchanged contacts (by
/// contact id), which are lists rather than rows (migration 0012).
#[derive(Debug, Clone, Copy)]
enum ResultsAt {
    Logged(i64),
    Unchanged(i64),
}

/// One page of the results: log rows, topped up with unchanged contacts once the rows run out, so only
/// the last page is short.
async fn results_page(
    storage: Storage,
    run_id: i64,
    at: ResultsAt,
) -> Result<Vec<(ResultsAt, StoredLogRow)>, StorageError> {
    let mut page = Vec::new();
    let after_contact = match at {
        ResultsAt::Logged(after) => {
            let rows = storage
                .log_rows(run_id, &LogFilter::default(), after, EXPORT_PAGE)
                .await?;
            page.extend(rows.into_iter().map(|row| (ResultsAt::Logged(row.id), row)));
            if page.len() as i64 == EXPORT_PAGE {
                return Ok(page);
            }
            0
        }
        ResultsAt::Unchanged(after) => after,
    };
    let room = EXPORT_PAGE - page.len() as i64;
    let rows = storage
        .unchanged_rows(run_id, None, after_contact, room)
        .await?;
    page.extend(
        rows.into_iter()
            .map(|row| (ResultsAt::Unchanged(row.contact_id), row)),
    );
    Ok(page)
}

/// The CSV header.
pub const RESULT_COLUMNS: [&str; 7] = [
    "contact_id",
    "email",
    "action",
    "outcome",
    "salesforce_id",
    "error_code",
    "message",
];

/// One log row as a line of the results.
fn result_record(row: StoredLogRow) -> Vec<String> {
    let text = |v: Option<String>| v.as_deref().map(defuse).unwrap_or_default();
    vec![
        row.contact_id.to_string(),
        defuse(&row.email),
        row.action,
        row.outcome,
        text(row.crm_id),
        text(row.error_code),
        text(row.message),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(email: &str, message: Option<&str>) -> StoredLogRow {
        StoredLogRow {
            id: 1,
            contact_id: 7,
            email: email.into(),
            action: "insert".into(),
            outcome: "failed".into(),
            crm_id: None,
            error_code: Some("REQUIRED_FIELD_MISSING".into()),
            message: message.map(Into::into),
        }
    }

    #[test]
    fn a_result_line_defuses_formulas_in_what_contacts_and_salesforce_said() {
        let line = result_record(row("=cmd@x.io", Some("-1")));
        assert_eq!(
            line,
            [
                "7",
                "'=cmd@x.io",
                "insert",
                "failed",
                "",
                "REQUIRED_FIELD_MISSING",
                "'-1"
            ]
        );
    }
}
