//! Rows read back and the synchronous upsert:
//! - `GET /data/v1/customobjectdata/key/{key}/rowset?$page=&$pagesize=` [code; shape: fixture 10]: every
//!   value a string, `items` absent (not empty) when the page has no rows.
//! - `POST /hub/v1/dataevents/{key:K | GUID}/rowset` [doc; fixtures 11, 12, 23]: an array of
//!   `{keys, values}`, upserted in order and **not atomically** — rows before the first bad one are saved,
//!   the rest are not [code: Segment's notes] — answered 400 / 10006 with `additionalErrors`.

use super::{authorize, external_key};
use crate::dataext::{DataExtension, RowOutcome, WriteMode};
use crate::error::RestError;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

pub async fn read(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(key): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, RestError> {
    let mid = authorize(&state, &headers, "data_extensions_read")?;
    let number = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.parse::<usize>().ok())
    };
    let mut tenant = state.tenant.lock();
    let max = tenant.config.rowset_max_page_size;
    let lowercase = tenant.config.rowset_lowercase_names;
    // The paging snapshot's expiry: 20 minutes [unverified], written in the tenant's UTC−6 clock.
    let expires = tenant.timestamp_after(std::time::Duration::from_secs(20 * 60));
    let page = number("$page").unwrap_or(1).max(1);
    let size = number("$pagesize").unwrap_or(max).clamp(1, max);
    let extension = tenant.extension_by_key(mid, &key).ok_or_else(|| {
        RestError::new(
            StatusCode::NOT_FOUND,
            10001,
            format!("Data extension with key {key} was not found."),
        )
    })?;
    let request_token = crate::ids::guid();
    let count = extension.row_count();
    let rows = extension.rows((page - 1).saturating_mul(size), size);
    let mut links = json!({
        "self": format!("/v1/customobjectdata/token/{request_token}/rowset?$page={page}"),
    });
    if page.saturating_mul(size) < count {
        links["next"] = json!(format!(
            "/v1/customobjectdata/token/{request_token}/rowset?$page={}",
            page + 1
        ));
    }
    let mut body = json!({
        "links": links,
        "requestToken": request_token,
        "tokenExpireDateUtc": expires,
        "customObjectId": extension.object_id,
        "customObjectKey": extension.customer_key,
        "pageSize": size,
        "page": page,
        "count": count,
        "top": 0,
    });
    if !rows.is_empty() {
        let items: Vec<Value> = rows
            .iter()
            .map(|row| render(extension, row, lowercase))
            .collect();
        body["items"] = Value::Array(items);
    }
    Ok(Json(body).into_response())
}

/// A stored row as `{keys, values}`, every value a string (a null as "" [unverified]).
fn render(extension: &DataExtension, row: &[Option<String>], lowercase: bool) -> Value {
    let mut keys = Map::new();
    let mut values = Map::new();
    for (field, value) in extension.fields.iter().zip(row) {
        let name = if lowercase {
            field.spec.name.to_lowercase()
        } else {
            field.spec.name.clone()
        };
        let value = Value::String(value.clone().unwrap_or_default());
        if field.spec.is_primary_key {
            keys.insert(name, value);
        } else {
            values.insert(name, value);
        }
    }
    json!({"keys": keys, "values": values})
}

pub async fn upsert(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(target): Path<String>,
    Json(body): Json<Value>,
) -> Result<Response, RestError> {
    let mid = authorize(&state, &headers, "data_extensions_write")?;
    let bad = |message: String| RestError::new(StatusCode::BAD_REQUEST, 10000, message);
    let rows = body
        .as_array()
        .ok_or_else(|| bad("The request body must be an array of {keys, values} rows.".into()))?;
    let mut tenant = state.tenant.lock();
    if rows.len() > tenant.config.hub_max_rows {
        return Err(bad(format!(
            "The request has {} rows; at most {} are allowed.",
            rows.len(),
            tenant.config.hub_max_rows
        )));
    }
    let extension = match external_key(&target) {
        Some(key) => tenant.extension_by_key(mid, key),
        None => tenant.extension_by_id(mid, &target),
    }
    .ok_or_else(|| {
        RestError::new(
            StatusCode::BAD_REQUEST,
            10001,
            format!("Parameter {target} is invalid."),
        )
    })?;
    for row in rows {
        let mut item = Map::new();
        for part in ["keys", "values"] {
            if let Some(columns) = row.get(part).and_then(Value::as_object) {
                item.extend(columns.clone());
            }
        }
        if let RowOutcome::Error { message, errors } = extension.write(WriteMode::Upsert, &item) {
            let additional: Vec<Value> = if errors.is_empty() {
                vec![json!({"message": message, "errorcode": 10000, "documentation": ""})]
            } else {
                errors
                    .iter()
                    .map(|e| {
                        json!({
                            "message": format!("{}: {}", e.name, e.message),
                            "errorcode": 10000,
                            "documentation": "",
                        })
                    })
                    .collect()
            };
            let body = json!({
                "message": format!("Unable to save rows for data extension ID {}", extension.object_id),
                "errorcode": 10006,
                "documentation": "",
                "additionalErrors": additional,
            });
            return Ok((StatusCode::BAD_REQUEST, Json(body)).into_response());
        }
    }
    Ok(Json(body).into_response())
}
