//! `/api/v1/contacts`: bulk upsert, list, get and delete, for the Komo workspace's feed.

use super::auth::ApiWorkspace;
use super::bulk_body::{self, BulkTurn};
use super::error::V1Error;
use super::{wire, MAX_BODY_BYTES};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use shared::contact::fields::FieldCatalog;
use shared::contact::query::ContactQuery;
use shared::contact::NewContact;
use shared::EmailAddress;

/// `POST /api/v1/contacts/bulk`: upserts by email. Valid items are saved even when others are not; each
/// refused item is reported with its index, field and reason. The body is read with bounded memory
/// ([`bulk_body`]).
#[tracing::instrument(skip_all, fields(workspace = workspace.0 .0))]
pub async fn bulk_upsert(
    State(state): State<AppState>,
    workspace: ApiWorkspace,
    _turn: BulkTurn,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, V1Error> {
    let workspace = workspace.0;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return Err(V1Error::BadRequest(
            "send the body with `Content-Type: application/json`".into(),
        ));
    }
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            V1Error::TooLarge {
                max_bytes: MAX_BODY_BYTES,
            }
        } else {
            V1Error::BadRequest(format!(
                "the body could not be read: {}",
                rejection.body_text()
            ))
        }
    })?;
    let items = bulk_body::parse(&body)?.contacts.0;
    drop(body);
    let properties = state.storage.list_contact_properties(workspace).await?;
    let mut valid: Vec<(usize, NewContact)> = Vec::with_capacity(items.len());
    let mut errors: Vec<Value> = Vec::new();
    for (index, raw) in items.iter().enumerate() {
        let item = match bulk_body::item(raw) {
            Ok(item) => item,
            Err(e) => {
                errors.push(json!({ "index": index, "field": "", "reason": e.to_string() }));
                continue;
            }
        };
        let parsed =
            wire::contact_input(&item).and_then(|input| NewContact::parse(input, &properties));
        match parsed {
            Ok(contact) => valid.push((index, contact)),
            Err(problems) => {
                errors.extend(problems.iter().map(
                    |e| json!({ "index": index, "field": e.field(), "reason": e.to_string() }),
                ))
            }
        }
    }
    let contacts: Vec<NewContact> = valid.iter().map(|(_, c)| c.clone()).collect();
    let ids = state.storage.upsert_contacts(workspace, &contacts).await?;
    let results: Vec<Value> = valid
        .iter()
        .zip(ids)
        .map(|((index, c), id)| json!({ "index": index, "id": id, "email": c.email.as_str() }))
        .collect();
    tracing::info!(saved = results.len(), refused = errors.len(), "bulk upsert");
    Ok(Json(json!({
        "saved": results.len(),
        "failed": items.len() - results.len(),
        "results": results,
        "errors": errors,
    })))
}

#[derive(Deserialize)]
pub struct ListParams {
    #[serde(default)]
    search: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    after: String,
    limit: Option<u32>,
}

/// `GET /api/v1/contacts?search=&sort=updated|email|name&after=&limit=`: one keyset page.
///
/// A search counts its matches only up to [`shared::contact::query::ContactPage::COUNT_CAP`] (so the
/// page stays fast at a million contacts); `total_capped` tells a feed that `total` is then that cap,
/// not the real number.
pub async fn list(
    State(state): State<AppState>,
    ApiWorkspace(workspace): ApiWorkspace,
    Query(params): Query<ListParams>,
) -> Result<Json<Value>, V1Error> {
    let query = ContactQuery::new(&params.search, &params.sort, &params.after, params.limit);
    let page = state.storage.page_contacts(workspace, &query).await?;
    Ok(Json(json!({
        "total": page.total,
        "total_capped": page.total_capped,
        "contacts": page.contacts.iter().map(wire::contact_json).collect::<Vec<_>>(),
        "next": page.next.map(|c| c.encode()),
    })))
}

fn parse_email(raw: &str) -> Result<EmailAddress, V1Error> {
    EmailAddress::parse(raw).map_err(|e| V1Error::BadRequest(e.to_string()))
}

/// `GET /api/v1/contacts/{email}`.
pub async fn get(
    State(state): State<AppState>,
    ApiWorkspace(workspace): ApiWorkspace,
    Path(email): Path<String>,
) -> Result<Json<Value>, V1Error> {
    let email = parse_email(&email)?;
    let contact = state
        .storage
        .get_contact_by_email(workspace, &email)
        .await?;
    Ok(Json(wire::contact_json(&contact)))
}

/// `DELETE /api/v1/contacts/{email}`: 204, or 404 when there is no such contact.
pub async fn delete(
    State(state): State<AppState>,
    ApiWorkspace(workspace): ApiWorkspace,
    Path(email): Path<String>,
) -> Result<StatusCode, V1Error> {
    let email = parse_email(&email)?;
    state
        .storage
        .delete_contact_by_email(workspace, &email)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/fields`: the field catalog, so a feed knows the keys and types it may send.
pub async fn fields(
    State(state): State<AppState>,
    ApiWorkspace(workspace): ApiWorkspace,
) -> Result<Json<FieldCatalog>, V1Error> {
    let properties = state.storage.list_contact_properties(workspace).await?;
    Ok(Json(FieldCatalog::new(&properties)))
}
