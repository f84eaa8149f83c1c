//! `GET /data/v1/customobjects/{id}/fields`: a data extension's fields by its GUID [doc; shape: fixture 09].
//! An external key, with or without `key:`, is refused with 400 "Id is invalid" [code].

use super::authorize;
use crate::dataext::Field;
use crate::error::RestError;
use crate::fields::FieldType;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

pub async fn fields(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, RestError> {
    let mid = authorize(&state, &headers, "data_extensions_read")?;
    let invalid = || RestError::new(StatusCode::BAD_REQUEST, 10001, "Id is invalid.");
    if !is_guid(&id) {
        return Err(invalid());
    }
    let mut tenant = state.tenant.lock();
    let extension = tenant.extension_by_id(mid, &id).ok_or_else(|| {
        RestError::new(
            StatusCode::NOT_FOUND,
            10001,
            format!("Parameter {id} is invalid."),
        )
    })?;
    let fields: Vec<Value> = extension
        .fields
        .iter()
        .enumerate()
        .map(|(ordinal, field)| describe(field, ordinal))
        .collect();
    // The envelope follows fixture 09 (a deSchema, the same objects by another channel), whose `id` is
    // the data extension's.
    Ok(Json(json!({
        "links": {},
        "fieldCount": fields.len(),
        "fields": fields,
        "id": extension.object_id,
    }))
    .into_response())
}

fn describe(field: &Field, ordinal: usize) -> Value {
    let spec = &field.spec;
    let mut out = json!({
        "description": "",
        "id": field.id,
        "isHidden": false,
        "isInheritable": false,
        "isNullable": spec.is_nullable,
        "isOverridable": false,
        "isPrimaryKey": spec.is_primary_key,
        "isReadOnly": false,
        "isTemplateField": false,
        "masktype": "None",
        "mustOverride": false,
        "name": spec.name,
        "ordinal": ordinal,
        "storagetype": "Plain",
        "type": format!("{:?}", spec.field_type),
    });
    if let Some(length) = spec.effective_length() {
        out["length"] = json!(length);
    }
    if spec.field_type == FieldType::Decimal {
        out["scale"] = json!(spec.scale.unwrap_or(0));
    }
    if let Some(default) = &spec.default_value {
        out["defaultValue"] = json!(default);
    }
    out
}

fn is_guid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}
