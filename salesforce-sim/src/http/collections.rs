//! sObject Collections (doc §5.2): create, update, upsert by external id,
//! delete. ≤ 200 records, results in request order, HTTP 200 whenever the
//! request itself is well formed, `allOrNone` rolls every write back.

use super::{allow_duplicate_save, parse_json};
use crate::error::{ApiError, RecordError};
use crate::ids::make_id;
use crate::org::{Org, WriteOptions};
use crate::state::{AppState, Ctx};
use crate::store::Undo;
use crate::validate::{changes_from_json, WriteKind};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

const MAX_RECORDS: usize = 200;

struct Batch {
    all_or_none: bool,
    records: Vec<Map<String, Value>>,
}

fn parse_batch(body: &[u8]) -> Result<Batch, ApiError> {
    let v = parse_json(body)?;
    let all_or_none = v.get("allOrNone").and_then(Value::as_bool).unwrap_or(false);
    let records = v.get("records").and_then(Value::as_array).ok_or_else(|| {
        ApiError::bad_request(
            "JSON_PARSER_ERROR",
            "Cannot deserialize request: 'records' is required",
        )
    })?;
    if records.len() > MAX_RECORDS {
        // Code and wording [unverified]; only "400 above 200" is documented.
        return Err(ApiError::bad_request(
            "EXCEEDED_ID_LIMIT",
            format!("record limit reached. cannot submit more than {MAX_RECORDS} records into this call"),
        ));
    }
    let records = records
        .iter()
        .map(|r| {
            r.as_object().cloned().ok_or_else(|| {
                ApiError::bad_request(
                    "JSON_PARSER_ERROR",
                    "Cannot deserialize instance of SObject",
                )
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Batch {
        all_or_none,
        records,
    })
}

/// The object named by a record's `attributes.type`.
fn record_type(
    org: &Org,
    record: &Map<String, Value>,
    default: Option<usize>,
) -> Result<usize, ApiError> {
    match record.get("attributes").and_then(|a| a.get("type")).and_then(Value::as_str) {
        Some(t) => org.object_index(t).ok_or_else(|| {
            ApiError::bad_request("INVALID_TYPE", format!("sObject type '{t}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."))
        }),
        None => default.ok_or_else(|| ApiError::bad_request("INVALID_TYPE", "When creating or updating an sObject, you must specify the type in the attributes")),
    }
}

type Outcome = Result<(u32, Option<bool>), RecordError>;

/// Renders outcomes; with allOrNone and any failure, undoes every write first.
fn finish(
    org: &mut Org,
    objs: &[usize],
    outcomes: Vec<Outcome>,
    undo: Vec<(usize, Undo)>,
    all_or_none: bool,
) -> Response {
    let any_failed = outcomes.iter().any(Result::is_err);
    let rolled_back = all_or_none && any_failed;
    if rolled_back {
        for (obj, u) in undo.into_iter().rev() {
            org.objects[obj].table.undo(u);
        }
    }
    let results: Vec<Value> = outcomes
        .into_iter()
        .zip(objs)
        .map(|(o, &obj)| match o {
            Ok(_) if rolled_back => json!({"success": false, "errors": [{
                "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
                "fields": []}]}),
            Ok((idx, created)) => {
                let mut v = json!({"id": make_id(&org.objects[obj].schema.key_prefix, idx as u64), "success": true, "errors": []});
                if let (Some(c), Some(m)) = (created, v.as_object_mut()) {
                    m.insert("created".to_owned(), json!(c));
                }
                v
            }
            Err(e) => json!({"success": false, "errors": [e.to_collection_json()]}),
        })
        .collect();
    Json(Value::Array(results)).into_response()
}

/// A create or update batch and each record's object (from its `attributes.type`); one record without a
/// known type refuses the whole call, as Salesforce does.
fn typed_batch(org: &Org, body: &[u8]) -> Result<(Batch, Vec<usize>), ApiError> {
    let batch = parse_batch(body)?;
    let objs = batch
        .records
        .iter()
        .map(|r| record_type(org, r, None))
        .collect::<Result<_, _>>()?;
    Ok((batch, objs))
}

fn options(ctx: &Ctx, headers: &HeaderMap) -> WriteOptions {
    WriteOptions {
        allow_duplicate_save: allow_duplicate_save(headers),
        user_id: ctx.user_id.clone(),
    }
}

pub async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let opts = options(&ctx, &headers);
    let mut org = state.org.lock();
    let (batch, objs) = match typed_batch(&org, &body) {
        Ok(typed) => typed,
        Err(e) => return e.into_response(),
    };
    let mut undo = Vec::new();
    let mut outcomes = Vec::with_capacity(objs.len());
    for (r, &obj) in batch.records.iter().zip(&objs) {
        let outcome = if r
            .keys()
            .any(|k| k.eq_ignore_ascii_case("id") && !r[k].is_null())
        {
            Err(RecordError::new(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                "cannot specify Id in an insert call",
                &["Id"],
            ))
        } else {
            let mut u = Vec::new();
            let res = changes_from_json(&org.objects[obj].schema, r, WriteKind::Insert)
                .and_then(|c| org.insert(obj, c, &opts, &mut u));
            undo.extend(u.into_iter().map(|x| (obj, x)));
            res.map(|idx| (idx, None))
        };
        outcomes.push(outcome);
    }
    finish(&mut org, &objs, outcomes, undo, batch.all_or_none)
}

pub async fn update(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let opts = options(&ctx, &headers);
    let mut org = state.org.lock();
    let (batch, objs) = match typed_batch(&org, &body) {
        Ok(typed) => typed,
        Err(e) => return e.into_response(),
    };
    let mut undo = Vec::new();
    let mut outcomes = Vec::with_capacity(objs.len());
    for (r, &obj) in batch.records.iter().zip(&objs) {
        let id = r
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("id"))
            .and_then(|(_, v)| v.as_str());
        let outcome = match id {
            None => Err(RecordError::new(
                "MISSING_ARGUMENT",
                "Id not specified in an update call",
                &[],
            )),
            Some(id) => {
                let mut u = Vec::new();
                let res = org.resolve_id(obj, id).and_then(|idx| {
                    let c = changes_from_json(&org.objects[obj].schema, r, WriteKind::Update)?;
                    org.update(obj, idx, c, &opts, &mut u).map(|_| (idx, None))
                });
                undo.extend(u.into_iter().map(|x| (obj, x)));
                res
            }
        };
        outcomes.push(outcome);
    }
    finish(&mut org, &objs, outcomes, undo, batch.all_or_none)
}

pub async fn upsert(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((_, object_name, field)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let opts = options(&ctx, &headers);
    let batch = match parse_batch(&body) {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let mut org = state.org.lock();
    let Some(obj) = org.object_index(&object_name) else {
        return ApiError::not_found().into_response();
    };
    let schema = &org.objects[obj].schema;
    let Some(key) = schema
        .field_index(&field)
        .filter(|&f| schema.fields[f].upsert_key)
    else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Provided external ID field does not exist or is not accessible: {field}"),
        )
        .into_response();
    };
    let key_name = schema.fields[key].name.clone();
    let is_id = key_name == "Id";
    let mut undo = Vec::new();
    let mut outcomes = Vec::with_capacity(batch.records.len());
    for r in &batch.records {
        if let Err(e) = record_type(&org, r, Some(obj)).and_then(|t| {
            if t == obj {
                Ok(())
            } else {
                Err(ApiError::bad_request(
                    "INVALID_TYPE",
                    "upsert records must all be of the type in the URL",
                ))
            }
        }) {
            return e.into_response();
        }
        let value = r
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&key_name))
            .map(|(_, v)| v);
        let key_value = match value {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        let outcome = if key_value.is_none() && !is_id {
            // Wording [unverified].
            Err(RecordError::new(
                "MISSING_ARGUMENT",
                format!("{key_name} not specified"),
                &[],
            ))
        } else {
            let mut u = Vec::new();
            let existing = match (&key_value, is_id) {
                (Some(k), false) => org.matches(obj, key, k).len(),
                (Some(_), true) => 1,
                (None, _) => 0,
            };
            let kind = if existing == 0 {
                WriteKind::Insert
            } else {
                WriteKind::Update
            };
            let res = changes_from_json(&org.objects[obj].schema, r, kind)
                .and_then(|c| org.upsert(obj, key, key_value.as_deref(), c, &opts, &mut u));
            undo.extend(u.into_iter().map(|x| (obj, x)));
            res.map(|(idx, created)| (idx, Some(created)))
        };
        outcomes.push(outcome);
    }
    let objs = vec![obj; outcomes.len()];
    finish(&mut org, &objs, outcomes, undo, batch.all_or_none)
}

/// `DELETE /composite/sobjects?ids=…&allOrNone=…`
pub async fn delete(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let ids: Vec<String> = params
        .get("ids")
        .map(|s| s.split(',').map(|x| x.trim().to_owned()).collect())
        .unwrap_or_default();
    if ids.len() > MAX_RECORDS {
        return ApiError::bad_request("EXCEEDED_ID_LIMIT", format!("record limit reached. cannot submit more than {MAX_RECORDS} records into this call"))
            .into_response();
    }
    let all_or_none = params
        .get("allOrNone")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let mut org = state.org.lock();
    let mut undo = Vec::new();
    let mut outcomes = Vec::new();
    let mut objs = Vec::new();
    for id in &ids {
        let obj = org
            .objects
            .iter()
            .position(|o| id.starts_with(&o.schema.key_prefix));
        let outcome = match obj {
            None => Err(RecordError::new(
                "MALFORMED_ID",
                format!("malformed id {id}"),
                &[],
            )),
            Some(obj) => {
                let mut u = Vec::new();
                let res = org
                    .resolve_id(obj, id)
                    .and_then(|idx| org.delete(obj, idx, &mut u).map(|_| (idx, None)));
                undo.extend(u.into_iter().map(|x| (obj, x)));
                res
            }
        };
        objs.push(obj.unwrap_or(0));
        outcomes.push(outcome);
    }
    finish(&mut org, &objs, outcomes, undo, all_or_none)
}
