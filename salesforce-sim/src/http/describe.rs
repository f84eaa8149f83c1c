//! Describe (doc §3): `/sobjects`, `/sobjects/{type}`, `/sobjects/{type}/describe`.

use crate::error::ApiError;
use crate::schema::global_describe;
use crate::state::{AppState, Ctx};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};

pub async fn global(Extension(ctx): Extension<Ctx>) -> Json<Value> {
    Json(global_describe(&ctx.version))
}

/// The requested object's describe, or `NOT_FOUND` like an object the user cannot see.
fn describe_of(state: &AppState, object: &str, version: &str) -> Result<Value, ApiError> {
    let org = state.org.lock();
    let obj = org.object_index(object).ok_or_else(ApiError::not_found)?;
    let doc = org.objects[obj].schema.describe_for(version);
    // The recorder replaced the host with a placeholder; point it at us.
    let text = doc
        .to_string()
        .replace("https://orgname.my.salesforce.com", &state.base_url);
    Ok(serde_json::from_str(&text).unwrap_or(doc))
}

pub async fn describe(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((_, object)): Path<(String, String)>,
) -> Response {
    match describe_of(&state, &object, &ctx.version) {
        Ok(doc) => Json(doc).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /sobjects/{type}`: `objectDescribe` (the describe's top level without
/// fields and relationships) and `recentItems`.
pub async fn basic_info(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((_, object)): Path<(String, String)>,
) -> Response {
    match describe_of(&state, &object, &ctx.version) {
        Ok(mut doc) => {
            if let Some(m) = doc.as_object_mut() {
                for k in [
                    "fields",
                    "childRelationships",
                    "recordTypeInfos",
                    "supportedScopes",
                    "namedLayoutInfos",
                    "actionOverrides",
                ] {
                    m.remove(k);
                }
            }
            Json(json!({"objectDescribe": doc, "recentItems": []})).into_response()
        }
        Err(e) => e.into_response(),
    }
}
