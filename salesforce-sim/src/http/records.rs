//! Single-record REST (doc §5.1): create, read, update, delete, upsert by external id.

use super::{allow_duplicate_save, parse_json};
use crate::error::{ApiError, RecordError};
use crate::org::{Org, WriteOptions};
use crate::state::{AppState, Ctx};
use crate::validate::{changes_from_json, WriteKind};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

fn body_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match parse_json(body)? {
        Value::Object(m) => Ok(m),
        _ => Err(ApiError::bad_request(
            "JSON_PARSER_ERROR",
            "Cannot deserialize instance of SObject from START_ARRAY value",
        )),
    }
}

fn object(org: &Org, name: &str) -> Result<usize, ApiError> {
    org.object_index(name).ok_or_else(ApiError::not_found)
}

/// Single-record calls answer a bad or unknown id with 404 (deleted: ENTITY_IS_DELETED).
fn record_id(org: &Org, obj: usize, id: &str) -> Result<u32, ApiError> {
    org.resolve_id(obj, id)
        .map_err(|e| match e.status_code.as_str() {
            "ENTITY_IS_DELETED" => e.into_api_error(),
            _ => ApiError::not_found(),
        })
}

fn options(ctx: &Ctx, headers: &HeaderMap) -> WriteOptions {
    WriteOptions {
        allow_duplicate_save: allow_duplicate_save(headers),
        user_id: ctx.user_id.clone(),
    }
}

fn result(r: Result<Response, ApiError>) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

pub async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((_, object_name)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    result((|| {
        let mut org = state.org.lock();
        let obj = object(&org, &object_name)?;
        let fields = body_object(&body)?;
        if fields.keys().any(|k| k.eq_ignore_ascii_case("id")) {
            return Err(RecordError::new(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                "cannot specify Id in an insert call",
                &["Id"],
            )
            .into_api_error());
        }
        let changes = changes_from_json(&org.objects[obj].schema, &fields, WriteKind::Insert)
            .map_err(RecordError::into_api_error)?;
        let idx = org
            .insert(obj, changes, &options(&ctx, &headers), &mut Vec::new())
            .map_err(RecordError::into_api_error)?;
        let id = crate::ids::make_id(&org.objects[obj].schema.key_prefix, idx as u64);
        Ok((
            StatusCode::CREATED,
            Json(json!({"id": id, "success": true, "errors": []})),
        )
            .into_response())
    })())
}

pub async fn get(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((_, object_name, id)): Path<(String, String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    result((|| {
        let org = state.org.lock();
        let obj = object(&org, &object_name)?;
        let idx = org
            .resolve_id(obj, &id)
            .map_err(|_| ApiError::not_found())?;
        render(&org, obj, idx, params.get("fields"), &ctx.version)
    })())
}

fn render(
    org: &Org,
    obj: usize,
    idx: u32,
    fields: Option<&String>,
    version: &str,
) -> Result<Response, ApiError> {
    let body = match fields {
        None => org.full_record_json(obj, idx, version),
        Some(list) => {
            let schema = &org.objects[obj].schema;
            let mut wanted = Vec::new();
            for name in list.split(',').map(str::trim) {
                let f = schema.field_index(name).ok_or_else(|| {
                    ApiError::bad_request(
                        "INVALID_FIELD",
                        format!("No such column '{name}' on sobject of type {}", schema.name),
                    )
                })?;
                wanted.push(f);
            }
            org.record_json(obj, idx, &wanted, version)
        }
    };
    Ok(Json(body).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((_, object_name, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    result((|| {
        let mut org = state.org.lock();
        let obj = object(&org, &object_name)?;
        let fields = body_object(&body)?;
        let idx = record_id(&org, obj, &id)?;
        let changes = changes_from_json(&org.objects[obj].schema, &fields, WriteKind::Update)
            .map_err(RecordError::into_api_error)?;
        org.update(obj, idx, changes, &options(&ctx, &headers), &mut Vec::new())
            .map_err(RecordError::into_api_error)?;
        Ok(StatusCode::NO_CONTENT.into_response())
    })())
}

pub async fn delete(
    State(state): State<AppState>,
    Path((_, object_name, id)): Path<(String, String, String)>,
) -> Response {
    result((|| {
        let mut org = state.org.lock();
        let obj = object(&org, &object_name)?;
        let idx = record_id(&org, obj, &id)?;
        org.delete(obj, idx, &mut Vec::new())
            .map_err(RecordError::into_api_error)?;
        Ok(StatusCode::NO_CONTENT.into_response())
    })())
}

/// The upsert-key field, or 404 as Salesforce answers for anything else (doc §5.1).
fn key_field(org: &Org, obj: usize, name: &str) -> Result<usize, ApiError> {
    let schema = &org.objects[obj].schema;
    schema
        .field_index(name)
        .filter(|&f| schema.fields[f].upsert_key)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                format!("Provided external ID field does not exist or is not accessible: {name}"),
            )
        })
}

/// HTTP 300 with the matching records' URLs.
fn multiple_choices(org: &Org, obj: usize, rows: &[u32], version: &str) -> Response {
    let urls: Vec<String> = rows
        .iter()
        .map(|r| org.record_url(obj, *r, version))
        .collect();
    (StatusCode::MULTIPLE_CHOICES, Json(urls)).into_response()
}

pub async fn get_by_key(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((_, object_name, field, value)): Path<(String, String, String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    result((|| {
        let org = state.org.lock();
        let obj = object(&org, &object_name)?;
        let f = key_field(&org, obj, &field)?;
        match org.matches(obj, f, &value).as_slice() {
            [] => Err(ApiError::not_found()),
            [one] => render(&org, obj, *one, params.get("fields"), &ctx.version),
            many => Ok(multiple_choices(&org, obj, many, &ctx.version)),
        }
    })())
}

pub async fn upsert(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((_, object_name, field, value)): Path<(String, String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    result((|| {
        let mut org = state.org.lock();
        let obj = object(&org, &object_name)?;
        let f = key_field(&org, obj, &field)?;
        let fields = body_object(&body)?;
        let is_id = org.objects[obj].schema.fields[f].name == "Id";
        let found = if is_id {
            org.resolve_id(obj, &value)
                .map(|r| vec![r])
                .map_err(RecordError::into_api_error)?
        } else {
            org.matches(obj, f, &value)
        };
        if found.len() > 1 {
            return Ok(multiple_choices(&org, obj, &found, &ctx.version));
        }
        let kind = if found.is_empty() {
            WriteKind::Insert
        } else {
            WriteKind::Update
        };
        let changes = changes_from_json(&org.objects[obj].schema, &fields, kind)
            .map_err(RecordError::into_api_error)?;
        let (idx, created) = org
            .upsert(
                obj,
                f,
                Some(&value),
                changes,
                &options(&ctx, &headers),
                &mut Vec::new(),
            )
            .map_err(RecordError::into_api_error)?;
        let id = crate::ids::make_id(&org.objects[obj].schema.key_prefix, idx as u64);
        let old_api = ctx
            .version
            .split('.')
            .next()
            .and_then(|v| v.parse::<u32>().ok())
            .is_some_and(|v| v < 46);
        Ok(match (created, old_api) {
            (true, _) => (
                StatusCode::CREATED,
                Json(json!({"id": id, "success": true, "errors": [], "created": true})),
            )
                .into_response(),
            // Before API 46.0 an upsert that updated answered 204 (doc §5.1).
            (false, true) => StatusCode::NO_CONTENT.into_response(),
            (false, false) => {
                Json(json!({"id": id, "success": true, "errors": [], "created": false}))
                    .into_response()
            }
        })
    })())
}
