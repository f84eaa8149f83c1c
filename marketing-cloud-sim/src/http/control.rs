//! `/__sim`: the control API tests and the demo drive the tenant with (not a Marketing Cloud API).
//! Every operation calls the same `Tenant` method as [`crate::Simulator`]'s.
//!
//! - `POST /dataextensions` `{mid?, name, key, fields: [FieldSpec], sendableField?}` → 201 `{objectId}`
//! - `GET /dataextensions/{key}/rows?mid=` → every row as `{column: value}` (stored form)
//! - `POST /dataextensions/{key}/rows` `{mid?, items}` → upserts, `{ok, failed}`
//! - `POST /clock` `{advanceSecs}`; `POST /tokens/expire`
//! - `GET|PUT|DELETE /faults` → read, replace or clear the fault switches ([`crate::Faults`])
//! - `GET /requests` → the request log; `DELETE /requests` clears it

use crate::dataext::{DataExtension, WriteMode};
use crate::faults::Faults;
use crate::fields::FieldSpec;
use crate::state::AppState;
use crate::tenant::Tenant;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::time::Duration;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dataextensions", post(create))
        .route("/dataextensions/{key}/rows", get(rows).post(seed))
        .route("/clock", post(clock))
        .route("/faults", get(faults).put(set_faults).delete(clear_faults))
        .route("/tokens/expire", post(expire))
        .route("/requests", get(requests).delete(clear_requests))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewExtension {
    mid: Option<u64>,
    name: String,
    key: String,
    fields: Vec<FieldSpec>,
    sendable_field: Option<String>,
}

fn refused(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": message}))).into_response()
}

/// The business unit a control call names, or the tenant's first.
fn unit_of(tenant: &Tenant, mid: Option<u64>) -> Result<u64, String> {
    mid.or_else(|| tenant.units.keys().next().copied())
        .ok_or_else(|| "the tenant has no business unit yet".into())
}

/// The data extension `key` of the unit a control call names.
fn extension<'a>(
    tenant: &'a mut Tenant,
    mid: Option<u64>,
    key: &str,
) -> Result<&'a mut DataExtension, String> {
    let mid = unit_of(tenant, mid)?;
    tenant
        .extension_by_key(mid, key)
        .ok_or_else(|| format!("no data extension {key} in {mid}"))
}

async fn create(State(state): State<AppState>, Json(new): Json<NewExtension>) -> Response {
    let mut tenant = state.tenant.lock();
    let mid = match unit_of(&tenant, new.mid) {
        Ok(mid) => mid,
        Err(message) => return refused(message),
    };
    match tenant.create_extension(mid, &new.name, &new.key, new.fields, new.sendable_field) {
        Ok(id) => (StatusCode::CREATED, Json(json!({"objectId": id}))).into_response(),
        Err(message) => refused(message),
    }
}

#[derive(Debug, Deserialize)]
struct Unit {
    mid: Option<u64>,
}

async fn rows(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(unit): Query<Unit>,
) -> Response {
    let mut tenant = state.tenant.lock();
    let extension = match extension(&mut tenant, unit.mid, &key) {
        Ok(extension) => extension,
        Err(message) => return refused(message),
    };
    let rows: Vec<Value> = extension
        .rows(0, usize::MAX)
        .iter()
        .map(|row| Value::Object(extension.row_object(row)))
        .collect();
    Json(rows).into_response()
}

#[derive(Debug, Deserialize)]
struct Seed {
    mid: Option<u64>,
    items: Vec<Map<String, Value>>,
}

async fn seed(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Json(seed): Json<Seed>,
) -> Response {
    let mut tenant = state.tenant.lock();
    let extension = match extension(&mut tenant, seed.mid, &key) {
        Ok(extension) => extension,
        Err(message) => return refused(message),
    };
    let outcomes: Vec<bool> = seed
        .items
        .iter()
        .map(|item| extension.write(WriteMode::Upsert, item).is_ok())
        .collect();
    let ok = outcomes.iter().filter(|o| **o).count();
    Json(json!({"ok": ok, "failed": outcomes.len() - ok})).into_response()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Clock {
    advance_secs: u64,
}

async fn clock(State(state): State<AppState>, Json(clock): Json<Clock>) -> StatusCode {
    state
        .tenant
        .lock()
        .advance_clock(Duration::from_secs(clock.advance_secs));
    StatusCode::NO_CONTENT
}

async fn expire(State(state): State<AppState>) -> StatusCode {
    state.tenant.lock().expire_tokens();
    StatusCode::NO_CONTENT
}

async fn requests(State(state): State<AppState>) -> Response {
    Json(state.log.lock().clone()).into_response()
}

async fn clear_requests(State(state): State<AppState>) -> StatusCode {
    state.log.lock().clear();
    StatusCode::NO_CONTENT
}

async fn faults(State(state): State<AppState>) -> Response {
    Json(state.tenant.lock().faults.clone()).into_response()
}

async fn set_faults(State(state): State<AppState>, Json(faults): Json<Faults>) -> StatusCode {
    state.tenant.lock().faults = faults;
    StatusCode::NO_CONTENT
}

async fn clear_faults(State(state): State<AppState>) -> StatusCode {
    state.tenant.lock().faults = Faults::default();
    StatusCode::NO_CONTENT
}
