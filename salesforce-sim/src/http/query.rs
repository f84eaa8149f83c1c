//! SOQL over REST (doc §4): `/query`, `/queryAll` and `nextRecordsUrl` pages.

use crate::error::ApiError;
use crate::org::{Cursor, Org};
use crate::soql::{run_query, QueryResult};
use crate::state::{AppState, Ctx};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::collections::HashMap;

/// Page size: the org's batch size, or a smaller `Sforce-Query-Options:
/// batchSize=N` (200–2,000; advisory, doc §4.2).
fn batch_size(org: &Org, headers: &HeaderMap) -> usize {
    let max = org.config.query_batch_size;
    headers
        .get("sforce-query-options")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .find_map(|kv| kv.trim().strip_prefix("batchSize="))
        })
        .and_then(|n| n.trim().parse::<usize>().ok())
        .map(|n| n.clamp(200, max.max(200)).min(max))
        .unwrap_or(max)
}

pub async fn query(
    state: State<AppState>,
    ctx: Extension<Ctx>,
    params: Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    run(state, ctx, params, headers, false)
}

pub async fn query_all(
    state: State<AppState>,
    ctx: Extension<Ctx>,
    params: Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    run(state, ctx, params, headers, true)
}

fn run(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
    include_deleted: bool,
) -> Response {
    let Some(soql) = params.get("q") else {
        return ApiError::bad_request("MALFORMED_QUERY", "A query string has to be specified")
            .into_response();
    };
    let mut org = state.org.lock();
    let batch = batch_size(&org, &headers);
    match run_query(&org, soql, include_deleted, false) {
        Err(e) => e.into_api_error(soql).into_response(),
        Ok(QueryResult::Count(n)) => {
            Json(json!({"totalSize": n, "done": true, "records": []})).into_response()
        }
        Ok(QueryResult::Rows {
            object,
            fields,
            rows,
        }) => {
            let cursor = Cursor {
                object,
                fields,
                rows: std::sync::Arc::new(rows),
            };
            let body = page(
                &mut org,
                &cursor,
                None,
                0,
                batch,
                &ctx.version,
                include_deleted,
            );
            Json(body).into_response()
        }
    }
}

/// One page starting at `offset`; opens a cursor when more pages follow.
fn page(
    org: &mut Org,
    cursor: &Cursor,
    id: Option<&str>,
    offset: usize,
    batch: usize,
    version: &str,
    all: bool,
) -> Value {
    let total = cursor.rows.len();
    let end = (offset + batch).min(total);
    let records: Vec<Value> = cursor.rows[offset.min(end)..end]
        .iter()
        .map(|&r| org.record_json(cursor.object, r, &cursor.fields, version))
        .collect();
    let mut body = json!({"totalSize": total, "done": end >= total, "records": records});
    if end < total {
        let id = match id {
            Some(id) => id.to_owned(),
            None => org.open_cursor(cursor.clone()),
        };
        let resource = if all { "queryAll" } else { "query" };
        if let Some(m) = body.as_object_mut() {
            m.insert(
                "nextRecordsUrl".to_owned(),
                json!(format!("/services/data/v{version}/{resource}/{id}-{end}")),
            );
        }
    }
    body
}

pub async fn next_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((_, locator)): Path<(String, String)>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let invalid =
        || ApiError::bad_request("INVALID_QUERY_LOCATOR", "invalid query locator").into_response();
    let Some((id, offset)) = locator.rsplit_once('-') else {
        return invalid();
    };
    let Ok(offset) = offset.parse::<usize>() else {
        return invalid();
    };
    let mut org = state.org.lock();
    let Some(cursor) = org.cursor(id).cloned() else {
        return invalid();
    };
    let batch = batch_size(&org, &headers);
    let all = uri.path().contains("/queryAll/");
    Json(page(
        &mut org,
        &cursor,
        Some(id),
        offset,
        batch,
        &ctx.version,
        all,
    ))
    .into_response()
}
