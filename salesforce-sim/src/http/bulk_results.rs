//! Bulk API 2.0 ingest results (doc §6.1): the uploaded CSV re-read and
//! written back with `sf__Id`/`sf__Created` or `sf__Id`/`sf__Error` in front.

use crate::bulk::{delimiter_byte, RowOutcome};
use crate::error::ApiError;
use crate::ids::make_id;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Successful,
    Failed,
    Unprocessed,
}

/// Re-reads the uploaded CSV and writes the requested result rows with their `sf__` columns.
fn results(state: &AppState, id: &str, kind: Kind) -> Response {
    let (job, prefix) = {
        let jobs = state.jobs.lock();
        let Some(job) = jobs.ingest.get(id).cloned() else {
            return ApiError::not_found().into_response();
        };
        let org = state.org.lock();
        let prefix = org
            .object_index(&job.object)
            .map(|o| org.objects[o].schema.key_prefix.clone())
            .unwrap_or_default();
        (job, prefix)
    };
    if !(job.state.is_terminal()) && kind != Kind::Unprocessed {
        return ApiError::new(
            StatusCode::CONFLICT,
            "INVALIDJOBSTATE",
            "Job is not complete",
        )
        .into_response();
    }
    let delim = delimiter_byte(&job.column_delimiter).unwrap_or(b',');
    let terminator = if job.line_ending == "CRLF" {
        csv::Terminator::CRLF
    } else {
        csv::Terminator::Any(b'\n')
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delim)
        .from_reader(job.data.as_slice());
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delim)
        .terminator(terminator)
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new());
    let header: Vec<String> = reader
        .headers()
        .map(|h| h.iter().map(str::to_owned).collect())
        .unwrap_or_default();
    let extra: &[&str] = match kind {
        Kind::Successful => &["sf__Id", "sf__Created"],
        Kind::Failed => &["sf__Id", "sf__Error"],
        Kind::Unprocessed => &[],
    };
    let mut write = |row: Vec<String>| writer.write_record(&row).is_ok();
    if !header.is_empty() {
        write(
            extra
                .iter()
                .map(|s| (*s).to_owned())
                .chain(header.iter().cloned())
                .collect(),
        );
    }
    for (i, record) in reader.records().enumerate() {
        let Ok(record) = record else { break };
        let original = record.iter().map(str::to_owned);
        let row: Option<Vec<String>> = match (kind, job.outcomes.get(i)) {
            (Kind::Successful, Some(RowOutcome::Ok { row, created })) => Some(
                [make_id(&prefix, *row as u64), created.to_string()]
                    .into_iter()
                    .chain(original)
                    .collect(),
            ),
            (Kind::Failed, Some(RowOutcome::Failed { row, error })) => {
                let id = row.map(|r| make_id(&prefix, r as u64)).unwrap_or_default();
                Some(
                    [id, error.to_string()]
                        .into_iter()
                        .chain(original)
                        .collect(),
                )
            }
            (Kind::Unprocessed, None | Some(RowOutcome::Unprocessed)) => Some(original.collect()),
            _ => None,
        };
        if let Some(row) = row {
            write(row);
        }
    }
    let body = writer.into_inner().unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/csv")], body).into_response()
}

pub async fn successful(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
) -> Response {
    results(&state, &id, Kind::Successful)
}

pub async fn failed(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
) -> Response {
    results(&state, &id, Kind::Failed)
}

pub async fn unprocessed(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
) -> Response {
    results(&state, &id, Kind::Unprocessed)
}
