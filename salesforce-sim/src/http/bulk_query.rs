//! Bulk API 2.0 query jobs (doc §6.3), paged with `Sforce-Locator`.

use super::parse_json;
use crate::bulk::{delimiter_byte, JobState, QueryJob};
use crate::error::ApiError;
use crate::ids::make_id;
use crate::soql::{run_query, QueryResult};
use crate::state::{AppState, Ctx};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base64::Engine;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Page size when the caller sends no `maxRecords` [unverified: Salesforce
/// sizes pages by bytes].
const DEFAULT_PAGE: usize = 50_000;

pub async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    body: Bytes,
) -> Response {
    let spec = match parse_json(&body) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let text = |k: &str| spec.get(k).and_then(Value::as_str).map(str::to_owned);
    let operation = text("operation").unwrap_or_else(|| "query".to_owned());
    if operation != "query" && operation != "queryAll" {
        return ApiError::bad_request("INVALIDJOB", format!("Invalid operation: {operation}"))
            .into_response();
    }
    let column_delimiter = text("columnDelimiter").unwrap_or_else(|| "COMMA".to_owned());
    if delimiter_byte(&column_delimiter).is_none() {
        return ApiError::bad_request("INVALIDJOB", "Invalid columnDelimiter").into_response();
    }
    let soql = text("query").unwrap_or_default();
    let mut org = state.org.lock();
    let (object_index, fields, rows) = match run_query(&org, &soql, operation == "queryAll", true) {
        Ok(QueryResult::Rows {
            object,
            fields,
            rows,
        }) => (object, fields, rows),
        Ok(QueryResult::Count(_)) => {
            return ApiError::bad_request("INVALIDJOB", "Aggregate queries are not supported")
                .into_response()
        }
        Err(e) => return e.into_api_error(&soql).into_response(),
    };
    let serial = org.next_serial();
    let mut job = QueryJob {
        id: make_id("750", serial),
        operation,
        object: org.objects[object_index].schema.name.clone(),
        object_index,
        query: soql,
        state: JobState::UploadComplete,
        created_by: ctx.user_id.clone(),
        created_ms: org.now_ms(),
        api_version: ctx.version.parse().unwrap_or(0.0),
        line_ending: text("lineEnding").unwrap_or_else(|| "LF".to_owned()),
        column_delimiter,
        fields,
        rows: Arc::new(rows),
    };
    drop(org);
    // The answer shows UploadComplete, as Salesforce's does; the rows are
    // already snapshotted, so the job is complete by the first poll.
    let info = job.info_json();
    job.state = JobState::JobComplete;
    let mut jobs = state.jobs.lock();
    jobs.query_order.push(job.id.clone());
    jobs.query.insert(job.id.clone(), job);
    drop(jobs);
    state.jobs_changed.send_modify(|n| *n += 1);
    Json(info).into_response()
}

pub async fn list(State(state): State<AppState>) -> Json<Value> {
    let jobs = state.jobs.lock();
    let records: Vec<Value> = jobs
        .query_order
        .iter()
        .filter_map(|id| jobs.query.get(id))
        .map(QueryJob::info_json)
        .collect();
    Json(json!({"done": true, "records": records, "nextRecordsUrl": null}))
}

pub async fn info(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
) -> Response {
    match state.jobs.lock().query.get(&id) {
        Some(job) => Json(job.info_json()).into_response(),
        None => ApiError::not_found().into_response(),
    }
}

pub async fn set_state(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let wanted = match parse_json(&body) {
        Ok(v) => v
            .get("state")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        Err(e) => return e.into_response(),
    };
    let mut jobs = state.jobs.lock();
    let Some(job) = jobs.query.get_mut(&id) else {
        return ApiError::not_found().into_response();
    };
    if wanted != "Aborted" || job.state.is_terminal() {
        return ApiError::new(
            StatusCode::CONFLICT,
            "INVALIDJOBSTATE",
            format!(
                "Cannot change state from {} to {wanted}",
                job.state.as_str()
            ),
        )
        .into_response();
    }
    job.state = JobState::Aborted;
    Json(job.info_json()).into_response()
}

pub async fn delete(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
) -> Response {
    let mut jobs = state.jobs.lock();
    if jobs.query.remove(&id).is_none() {
        return ApiError::not_found().into_response();
    }
    jobs.query_order.retain(|j| j != &id);
    StatusCode::NO_CONTENT.into_response()
}

fn encode_locator(offset: usize) -> String {
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(offset.to_string())
}

fn decode_locator(locator: &str) -> Option<usize> {
    let raw = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(locator.trim_end_matches('='))
        .ok()?;
    String::from_utf8(raw).ok()?.parse().ok()
}

/// `GET …/results?maxRecords=N&locator=L`: one CSV page; `Sforce-Locator` is
/// the next page's locator or the string `null` (doc §6.3).
pub async fn results(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(job) = state.jobs.lock().query.get(&id).cloned() else {
        return ApiError::not_found().into_response();
    };
    if job.state != JobState::JobComplete {
        return ApiError::new(
            StatusCode::CONFLICT,
            "INVALIDJOBSTATE",
            "Job is not complete",
        )
        .into_response();
    }
    let offset = match params
        .get("locator")
        .filter(|l| !l.is_empty() && l.as_str() != "null")
    {
        None => 0,
        Some(l) => match decode_locator(l) {
            Some(o) if o <= job.rows.len() => o,
            _ => {
                return ApiError::bad_request("INVALID_QUERY_LOCATOR", "invalid query locator")
                    .into_response()
            }
        },
    };
    let page = params
        .get("maxRecords")
        .and_then(|m| m.parse::<usize>().ok())
        .filter(|m| *m > 0)
        .unwrap_or(DEFAULT_PAGE);
    let end = (offset + page).min(job.rows.len());
    let delim = delimiter_byte(&job.column_delimiter).unwrap_or(b',');
    let terminator = if job.line_ending == "CRLF" {
        csv::Terminator::CRLF
    } else {
        csv::Terminator::Any(b'\n')
    };
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delim)
        .terminator(terminator)
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::with_capacity((end - offset) * 64));
    {
        let org = state.org.lock();
        let o = &org.objects[job.object_index];
        let header: Vec<&str> = job
            .fields
            .iter()
            .map(|f| o.schema.fields[*f].name.as_str())
            .collect();
        let _ = writer.write_record(&header);
        let mut cells: Vec<String> = Vec::with_capacity(job.fields.len());
        for &r in &job.rows[offset..end] {
            let Some(row) = o.table.row(r) else { continue };
            cells.clear();
            for &f in &job.fields {
                cells.push(
                    org.field_val(job.object_index, r, row, f)
                        .map(|v| v.to_csv_text())
                        .unwrap_or_default(),
                );
            }
            let _ = writer.write_record(&cells);
        }
    }
    let body = writer.into_inner().unwrap_or_default();
    let locator = if end < job.rows.len() {
        encode_locator(end)
    } else {
        "null".to_owned()
    };
    (
        [
            (header::CONTENT_TYPE, "text/csv".to_owned()),
            (header::HeaderName::from_static("sforce-locator"), locator),
            (
                header::HeaderName::from_static("sforce-numberofrecords"),
                (end - offset).to_string(),
            ),
        ],
        body,
    )
        .into_response()
}
