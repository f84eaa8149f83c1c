//! `/import/contacts/{id}`: the file of an import the page started (server fn `start_import`), streamed
//! into contacts; and `/import/contacts/{id}/errors.csv`, the row error report, streamed out.
//!
//! Plain axum routes rather than server functions because both bodies are streams: a server function
//! would buffer the whole file. Both authenticate by the session cookie, like the pages, and are for super
//! users only. Failures answer with the same `ApiError` JSON as server functions.

use super::csv_cell::{defuse, paged_csv};
use super::guard::{super_user, Failure};
use crate::import::{self, ImportJob, MAX_IMPORT_BYTES};
use crate::state::AppState;
use app::error::ApiError;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
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
    let holder = super_user(&state, session).await?;
    let workspace = holder.workspace();
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
        grant: Some(holder.grant()),
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
    let holder = super_user(&state, session).await?;
    let workspace = holder.workspace();
    // Also proves the import belongs to the caller's workspace before anything streams.
    state.storage.get_import(workspace, id).await?;
    let storage = state.storage.clone();
    Ok(paged_csv(
        holder,
        format!("import-{id}-errors.csv"),
        &["row", "email", "field", "reason"],
        REPORT_PAGE as usize,
        0,
        move |after| {
            let storage = storage.clone();
            async move {
                storage
                    .page_import_errors(workspace, id, after, REPORT_PAGE)
                    .await
            }
        },
        report_record,
    ))
}

/// One row problem as a line of the report.
fn report_record(e: ImportRowError) -> Vec<String> {
    vec![
        e.row.to_string(),
        defuse(&e.email),
        defuse(&e.field),
        defuse(&e.reason),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_cells_that_look_like_formulas_are_written_as_text() {
        let line = report_record(ImportRowError {
            row: 3,
            email: "=HYPERLINK(\"x\")".into(),
            field: "email".into(),
            reason: "bad".into(),
        });
        assert_eq!(line, ["3", "'=HYPERLINK(\"x\")", "email", "bad"]);
    }
}
