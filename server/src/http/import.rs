//! `/import/contacts/{id}`: the file of an import the page started (server fn `start_import`), streamed
//! into contacts; and `/import/contacts/{id}/errors.csv`, the row error report, streamed out.
//!
//! Plain axum routes rather than server functions because both bodies are streams: a server function
//! would buffer the whole file. Both authenticate by the session cookie, like the pages, and are for super
//! users only. Failures answer with the same `ApiError` JSON as server functions.

use super::csv_cell::{csv_download, defuse};
use super::guard::{super_user, Failure};
use crate::import::{self, ImportJob, MAX_IMPORT_BYTES};
use crate::state::AppState;
use app::error::ApiError;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::stream;
use shared::contact::fields::FieldCatalog;
use shared::contact::import::{ImportMapping, ImportRowError, ImportState, ImportStatus};
use tower_sessions::Session;

/// Errors per page of the report stream: memory per download stays small however long the report.
const REPORT_PAGE: u32 = 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/import/contacts/{id}", post(upload))
        .route("/import/contacts/{id}/errors.csv", get(error_report))
        // The body is streamed, never buffered; `import::run` enforces MAX_IMPORT_BYTES as it reads.
        .layer(DefaultBodyLimit::disable())
}

/// `POST /import/contacts/{id}`, the CSV file as the body. Answers once the whole file is imported, with
/// the final [`ImportStatus`]; the page polls `import_status` meanwhile for the progress bar.
#[tracing::instrument(skip_all, fields(import = id))]
async fn upload(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    body: Body,
) -> Result<Json<ImportStatus>, Failure> {
    let workspace = super_user(&state, session).await?;
    let record = state.storage.get_import(workspace, id).await?;
    if !state.storage.begin_import(workspace, id).await? {
        return Err(ApiError::Conflict(
            "This import already has its file. Start a new import.".into(),
        )
        .into());
    }
    let properties = state.storage.list_contact_properties(workspace).await?;
    let mapping = match ImportMapping::parse(&record.mapping, &FieldCatalog::new(&properties)) {
        Ok(mapping) => mapping,
        Err(e) => {
            let message = import::ImportError::Mapping(e.to_string()).user_message();
            state
                .storage
                .record_import_progress(
                    id,
                    &Default::default(),
                    Some((ImportState::Failed, &message)),
                )
                .await?;
            return Err(ApiError::Invalid {
                field: "mapping".into(),
                reason: message,
            }
            .into());
        }
    };
    let job = ImportJob {
        storage: state.storage.clone(),
        workspace,
        import_id: id,
        mapping,
        properties,
        max_bytes: MAX_IMPORT_BYTES,
    };
    // Its own task: if the browser goes away, hyper drops this handler, but the import still sees the
    // body end early and records itself as failed instead of staying "running" for ever.
    let running = tokio::spawn(import::run(job, body.into_data_stream()));
    let outcome = running
        .await
        .map_err(|_| crate::backend::internal(import::ImportError::Worker))?;
    match outcome {
        Ok(_) => Ok(Json(state.storage.get_import(workspace, id).await?.status)),
        Err(import::ImportError::Storage(e)) => Err(e.into()),
        Err(e) => Err(ApiError::Invalid {
            field: "file".into(),
            reason: e.user_message(),
        }
        .into()),
    }
}

/// `GET /import/contacts/{id}/errors.csv`: every row problem, in file order, as CSV.
async fn error_report(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, Failure> {
    let workspace = super_user(&state, session).await?;
    // Also proves the import belongs to the caller's workspace before anything streams.
    state.storage.get_import(workspace, id).await?;
    let storage = state.storage.clone();
    let pages = stream::unfold(Some(0_i64), move |after| {
        let storage = storage.clone();
        async move {
            let after = after?;
            let page = match storage
                .page_import_errors(workspace, id, after, REPORT_PAGE)
                .await
            {
                Ok(page) => page,
                Err(e) => {
                    tracing::error!(error = %e, "error report page failed");
                    return Some((Err(std::io::Error::other("report page failed")), None));
                }
            };
            let next = (page.len() == REPORT_PAGE as usize)
                .then(|| page.last().map(|(pos, _)| *pos))
                .flatten();
            let rows: Vec<ImportRowError> = page.into_iter().map(|(_, e)| e).collect();
            Some((encode(after == 0, &rows), next))
        }
    });
    Ok(csv_download(
        &format!("import-{id}-errors.csv"),
        Body::from_stream(pages),
    ))
}

/// One page of the report as CSV bytes, with the header row first on the first page.
fn encode(first: bool, rows: &[ImportRowError]) -> std::io::Result<Vec<u8>> {
    let mut out = csv::Writer::from_writer(Vec::new());
    if first {
        out.write_record(["row", "email", "field", "reason"])?;
    }
    for e in rows {
        out.write_record([
            e.row.to_string(),
            defuse(&e.email),
            defuse(&e.field),
            defuse(&e.reason),
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_cells_that_look_like_formulas_are_written_as_text() {
        let rows = [ImportRowError {
            row: 3,
            email: "=HYPERLINK(\"x\")".into(),
            field: "email".into(),
            reason: "bad".into(),
        }];
        let csv = String::from_utf8(encode(true, &rows).expect("csv")).expect("utf-8");
        assert_eq!(
            csv,
            "row,email,field,reason\n3,\"'=HYPERLINK(\"\"x\"\")\",email,bad\n"
        );
    }
}
