//! Bulk API 2.0 ingest endpoints (doc §6.1).

use super::parse_json;
use crate::bulk::{delimiter_byte, ingest, IngestJob, JobState};
use crate::error::ApiError;
use crate::ids::make_id;
use crate::state::{AppState, Ctx};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::sync::Arc;

fn job_error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    ApiError::new(status, code, message).into_response()
}

fn version_number(ctx: &Ctx) -> f64 {
    ctx.version.parse().unwrap_or(0.0)
}

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
    let operation = text("operation").unwrap_or_default();
    if !["insert", "update", "upsert", "delete", "hardDelete"].contains(&operation.as_str()) {
        return job_error(
            StatusCode::BAD_REQUEST,
            "INVALIDJOB",
            format!("Invalid operation: {operation}"),
        );
    }
    let line_ending = text("lineEnding").unwrap_or_else(|| "LF".to_owned());
    let column_delimiter = text("columnDelimiter").unwrap_or_else(|| "COMMA".to_owned());
    if !["LF", "CRLF"].contains(&line_ending.as_str())
        || delimiter_byte(&column_delimiter).is_none()
    {
        return job_error(
            StatusCode::BAD_REQUEST,
            "INVALIDJOB",
            "Invalid lineEnding or columnDelimiter",
        );
    }
    if text("contentType").is_some_and(|c| c != "CSV") {
        return job_error(
            StatusCode::BAD_REQUEST,
            "INVALIDJOB",
            "Only contentType CSV is supported",
        );
    }
    let external_id_field = text("externalIdFieldName");
    let (object, now) = {
        let org = state.org.lock();
        let name = text("object").unwrap_or_default();
        let Some(obj) = org.object_index(&name) else {
            return job_error(
                StatusCode::BAD_REQUEST,
                "INVALIDJOB",
                format!("Unable to find object: {name}"),
            );
        };
        let schema = &org.objects[obj].schema;
        if operation == "upsert" {
            let Some(ext) = &external_id_field else {
                return job_error(
                    StatusCode::BAD_REQUEST,
                    "INVALIDJOB",
                    format!("External ID was blank for {}. An External ID must be specified for upsert.", schema.name),
                );
            };
            if !schema.field(ext).is_some_and(|f| f.upsert_key) {
                return job_error(
                    StatusCode::BAD_REQUEST,
                    "INVALIDJOB",
                    format!(
                        "The field {ext} is not an External ID field on {}",
                        schema.name
                    ),
                );
            }
        }
        (schema.name.clone(), org.now_ms())
    };
    let serial = state.org.lock().next_serial();
    let job = IngestJob {
        id: make_id("750", serial),
        object,
        operation,
        external_id_field,
        state: JobState::Open,
        created_by: ctx.user_id.clone(),
        created_ms: now,
        modified_ms: now,
        api_version: version_number(&ctx),
        line_ending,
        column_delimiter,
        assignment_rule_id: text("assignmentRuleId"),
        data: Arc::new(Vec::new()),
        uploads: 0,
        processed: 0,
        failed: 0,
        error_message: None,
        outcomes: Arc::new(Vec::new()),
        processing_ms: 0,
    };
    let info = job.info_json();
    let mut jobs = state.jobs.lock();
    jobs.ingest_order.push(job.id.clone());
    jobs.ingest.insert(job.id.clone(), job);
    Json(info).into_response()
}

pub async fn list(State(state): State<AppState>) -> Json<Value> {
    let jobs = state.jobs.lock();
    let records: Vec<Value> = jobs
        .ingest_order
        .iter()
        .filter_map(|id| jobs.ingest.get(id))
        .map(IngestJob::info_json)
        .collect();
    Json(json!({"done": true, "records": records, "nextRecordsUrl": null}))
}

pub async fn info(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
) -> Response {
    match state.jobs.lock().ingest.get(&id) {
        Some(job) => Json(job.info_json()).into_response(),
        None => ApiError::not_found().into_response(),
    }
}

pub async fn upload(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let allow_many = state.org.lock().config.bulk_allow_multiple_uploads;
    let mut jobs = state.jobs.lock();
    let Some(job) = jobs.ingest.get_mut(&id) else {
        return ApiError::not_found().into_response();
    };
    if job.state != JobState::Open || (job.uploads > 0 && !allow_many) {
        // Code and wording [unverified] (doc §11: whether more uploads are accepted).
        return job_error(
            StatusCode::CONFLICT,
            "INVALIDJOBSTATE",
            format!("Job {id} is not open for data upload"),
        );
    }
    let data = Arc::make_mut(&mut job.data);
    if job.uploads > 0 {
        // Later uploads repeat the header; keep only their data rows.
        let skip = body
            .iter()
            .position(|&b| b == b'\n')
            .map(|i| i + 1)
            .unwrap_or(body.len());
        if !data.ends_with(b"\n") {
            data.push(b'\n');
        }
        data.extend_from_slice(&body[skip..]);
    } else {
        data.extend_from_slice(&body);
    }
    job.uploads += 1;
    StatusCode::CREATED.into_response()
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
    let info = {
        let mut jobs = state.jobs.lock();
        let Some(job) = jobs.ingest.get_mut(&id) else {
            return ApiError::not_found().into_response();
        };
        match (wanted.as_str(), job.state) {
            ("UploadComplete", JobState::Open) => job.state = JobState::UploadComplete,
            ("Aborted", JobState::Open | JobState::UploadComplete | JobState::InProgress) => {
                job.state = JobState::Aborted
            }
            _ => {
                return job_error(
                    StatusCode::CONFLICT,
                    "INVALIDJOBSTATE",
                    format!(
                        "Cannot change state from {} to {wanted}",
                        job.state.as_str()
                    ),
                )
            }
        }
        job.info_json()
    };
    if wanted == "UploadComplete" {
        let shared = state.clone();
        tokio::task::spawn_blocking(move || ingest::process(&shared, &id));
    } else {
        state.jobs_changed.send_modify(|n| *n += 1);
    }
    Json(info).into_response()
}

pub async fn delete(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
) -> Response {
    let mut jobs = state.jobs.lock();
    match jobs.ingest.get(&id).map(|j| j.state) {
        None => ApiError::not_found().into_response(),
        Some(JobState::Open | JobState::InProgress) => job_error(
            StatusCode::CONFLICT,
            "INVALIDJOBSTATE",
            "Job must be closed before it can be deleted",
        ),
        Some(_) => {
            jobs.ingest.remove(&id);
            jobs.ingest_order.retain(|j| j != &id);
            StatusCode::NO_CONTENT.into_response()
        }
    }
}
