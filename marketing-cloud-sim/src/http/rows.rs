//! The asynchronous rows API [doc]: `POST` (insert) and `PUT` (upsert)
//! `/data/v1/async/dataextensions/{key:K | GUID}/rows` with `{"items": [...]}`, answered 202 with a
//! `requestId`; then `GET /data/v1/async/{id}/status` and `/results`, one result per item in submission
//! order [code].
//!
//! Rows are written when the request is accepted; only the status lags, by `SimConfig::pending_polls`.

use super::{authorize, external_key};
use crate::dataext::{RowOutcome, WriteMode};
use crate::error::{async_refusal, RestError};
use crate::state::AppState;
use crate::tenant::AsyncRequest;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// `POST` inserts, `PUT` upserts [doc].
pub async fn write(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(target): Path<String>,
    body: Bytes,
) -> Result<Response, RestError> {
    let mode = if method == Method::PUT {
        WriteMode::Upsert
    } else {
        WriteMode::Insert
    };
    let mid = authorize(&state, &headers, "data_extensions_write")?;
    let mut tenant = state.tenant.lock();
    if body.len() > tenant.config.async_max_bytes {
        return Err(RestError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            10000,
            format!(
                "The request is {} bytes; the limit is {}.",
                body.len(),
                tenant.config.async_max_bytes
            ),
        ));
    }
    let items = parse_items(&body)?;
    let key = match external_key(&target) {
        Some(key) => tenant
            .extension_by_key(mid, key)
            .map(|d| d.customer_key.clone()),
        None => tenant
            .extension_by_id(mid, &target)
            .map(|d| d.customer_key.clone()),
    };
    let request_id = crate::ids::guid();
    let Some(key) = key else {
        let (id, key) = match external_key(&target) {
            Some(key) => ("", key),
            None => (target.as_str(), ""),
        };
        let message = format!(
            "Failed to resolve the Custom Object from the provided ObjectReferenceIdentifier [Id: {id}, Key: {key}]."
        );
        return Ok(async_refusal(&request_id, "CustomObjectNotFound", &message));
    };
    if items.len() > tenant.config.async_max_items {
        let message = format!(
            "The request has {} items; at most {} are allowed.",
            items.len(),
            tenant.config.async_max_items
        );
        return Ok(async_refusal(&request_id, "TooManyItems", &message));
    }
    let Some(id) = tenant.accept_async(mid, &key, mode, &items) else {
        return Err(RestError::new(
            StatusCode::NOT_FOUND,
            10001,
            "Data extension not found.",
        ));
    };
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"requestId": id, "resultMessages": []})),
    )
        .into_response())
}

fn parse_items(body: &[u8]) -> Result<Vec<Map<String, Value>>, RestError> {
    let bad = |why: &str| RestError::new(StatusCode::BAD_REQUEST, 10004, why.to_owned());
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| bad(&format!("The request body is not valid JSON: {e}")))?;
    let items = value
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("The request body needs an \"items\" array."))?;
    items
        .iter()
        .map(|i| {
            i.as_object()
                .cloned()
                .ok_or_else(|| bad("Each item must be an object of column values."))
        })
        .collect()
}

/// The request `id` of the token's business unit.
fn find(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    each: impl FnOnce(&mut AsyncRequest) -> Value,
) -> Result<Response, RestError> {
    let mid = authorize(state, headers, "data_extensions_read")?;
    let mut tenant = state.tenant.lock();
    let request = tenant
        .requests
        .get_mut(id)
        .filter(|r| r.mid == mid)
        .ok_or_else(|| {
            RestError::new(
                StatusCode::NOT_FOUND,
                10001,
                format!("Request {id} was not found."),
            )
        })?;
    Ok(Json(each(request)).into_response())
}

pub async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, RestError> {
    find(&state, &headers, &id, |request| {
        let has_errors = request.results.iter().any(|r| !r.is_ok());
        let status = if request.pending_polls > 0 {
            request.pending_polls -= 1;
            json!({
                "callDateTime": request.called_at,
                "hasErrors": false,
                "requestStatus": "Pending",
                "resultStatus": "",
                "requestId": id,
            })
        } else {
            json!({
                "callDateTime": request.called_at,
                "completionDateTime": request.completed_at,
                "hasErrors": has_errors,
                "pickupDateTime": request.called_at,
                "requestStatus": "Complete",
                "resultStatus": if has_errors { "Has Errors" } else { "OK" },
                "requestId": id,
            })
        };
        json!({"requestId": id, "status": status, "resultMessages": []})
    })
}

pub async fn results(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, RestError> {
    let default_size = state.tenant.lock().config.results_page_size;
    let number = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.parse::<usize>().ok())
    };
    let page = number("$page").unwrap_or(1).max(1);
    let size = number("$pageSize").unwrap_or(default_size).clamp(1, 2_500);
    find(&state, &headers, &id, |request| {
        let items: Vec<Value> = request
            .results
            .iter()
            .skip((page - 1).saturating_mul(size))
            .take(size)
            .map(result_item)
            .collect();
        json!({
            "page": page,
            "pageSize": size,
            "count": request.results.len(),
            "items": items,
            "requestId": id,
            "resultMessages": [],
        })
    })
}

/// One item of `/results` [fixtures 19, 20].
fn result_item(outcome: &RowOutcome) -> Value {
    match outcome {
        RowOutcome::Ok { message } => json!({"message": message, "status": "OK"}),
        RowOutcome::Error { message, errors } => {
            let mut item = json!({"errorCode": 2, "message": message, "status": "Error"});
            if !errors.is_empty() {
                item["errors"] = errors
                    .iter()
                    .map(
                        |e| json!({"errorMessage": e.message, "name": e.name, "errorCode": e.code}),
                    )
                    .collect();
            }
            item
        }
    }
}
