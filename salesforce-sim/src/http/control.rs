//! The control API: everything the library handle can do, as JSON under
//! `/__sim`, for Playwright and the demo. Documented in README.md.

use crate::config::ConnectedApp;
use crate::org::FaultPatch;
use crate::schema::CustomField;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/apps", post(add_app))
        .route("/fields/{object}", post(add_field))
        .route("/records/{object}", get(records).post(seed))
        .route("/seed-contacts", post(seed_contacts))
        .route("/faults", get(faults).post(set_faults).delete(reset_faults))
        .route("/tokens/expire", post(expire_tokens))
        .route("/clock/advance", post(advance_clock))
        .route("/limits", get(limits).post(set_limits))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/busy", get(busy))
        .route("/jobs/{id}", get(job_state))
}

fn bad(message: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": message.into()})),
    )
        .into_response()
}

async fn add_app(State(state): State<AppState>, Json(app): Json<ConnectedApp>) -> Response {
    state.org.lock().add_app(app);
    StatusCode::NO_CONTENT.into_response()
}

async fn add_field(
    State(state): State<AppState>,
    Path(object): Path<String>,
    Json(spec): Json<CustomField>,
) -> Response {
    match state.org.lock().add_custom_field(&object, &spec) {
        Ok(name) => (StatusCode::CREATED, Json(json!({"name": name}))).into_response(),
        Err(e) => bad(e),
    }
}

async fn records(State(state): State<AppState>, Path(object): Path<String>) -> Json<Value> {
    Json(Value::Array(state.records(&object)))
}

async fn seed(
    State(state): State<AppState>,
    Path(object): Path<String>,
    Json(records): Json<Vec<Value>>,
) -> Response {
    match state.seed(&object, &records) {
        Ok(ids) => (StatusCode::CREATED, Json(json!({"ids": ids}))).into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!([e.to_collection_json()])),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
struct Count {
    count: usize,
}

async fn seed_contacts(State(state): State<AppState>, Json(c): Json<Count>) -> Response {
    match state.seed_contacts(c.count) {
        Ok(n) => (StatusCode::CREATED, Json(json!({"created": n}))).into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!([e.to_collection_json()])),
        )
            .into_response(),
    }
}

async fn faults(State(state): State<AppState>) -> Json<Value> {
    Json(serde_json::to_value(&state.org.lock().faults).unwrap_or(Value::Null))
}

async fn set_faults(State(state): State<AppState>, Json(patch): Json<FaultPatch>) -> Json<Value> {
    let mut org = state.org.lock();
    org.faults.apply(patch);
    Json(serde_json::to_value(&org.faults).unwrap_or(Value::Null))
}

async fn reset_faults(State(state): State<AppState>) -> StatusCode {
    state.org.lock().faults = Default::default();
    StatusCode::NO_CONTENT
}

async fn expire_tokens(State(state): State<AppState>) -> StatusCode {
    state.org.lock().expire_all_tokens();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Advance {
    ms: i64,
}

async fn advance_clock(State(state): State<AppState>, Json(a): Json<Advance>) -> StatusCode {
    state.org.lock().clock_offset_ms += a.ms;
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Limits {
    max: Option<u64>,
    used: Option<u64>,
}

async fn limits(State(state): State<AppState>) -> Json<Value> {
    let org = state.org.lock();
    Json(json!({"max": org.api_max, "used": org.api_used}))
}

async fn set_limits(State(state): State<AppState>, Json(l): Json<Limits>) -> Json<Value> {
    let mut org = state.org.lock();
    if let Some(m) = l.max {
        org.api_max = m;
    }
    if let Some(u) = l.used {
        org.api_used = u;
    }
    Json(json!({"max": org.api_max, "used": org.api_used}))
}

async fn requests(State(state): State<AppState>) -> Json<Value> {
    Json(serde_json::to_value(&*state.log.lock()).unwrap_or(Value::Null))
}

/// The simulator's own time since the log was last cleared: answering requests, and processing Bulk ingest
/// jobs in the background (µs).
async fn busy(State(state): State<AppState>) -> Json<Value> {
    let requests: u64 = state.log.lock().iter().map(|r| r.micros).sum();
    let jobs = state.job_micros.load(Ordering::Relaxed);
    Json(json!({"requests_micros": requests, "jobs_micros": jobs}))
}

async fn clear_requests(State(state): State<AppState>) -> StatusCode {
    state.clear_log();
    StatusCode::NO_CONTENT
}

async fn job_state(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let jobs = state.jobs.lock();
    match jobs
        .ingest
        .get(&id)
        .map(|j| j.info_json())
        .or_else(|| jobs.query.get(&id).map(|j| j.info_json()))
    {
        Some(info) => Json(info).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
