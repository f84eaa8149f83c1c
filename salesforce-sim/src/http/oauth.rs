//! `POST /services/oauth2/token` (client credentials, doc §1.2–1.4) and the identity URL.

use crate::error::{ApiError, OAuthError};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::HashMap;

const IDENTITY: &str = include_str!("../../fixtures/identity_url_response.json");

/// Client id and secret from the body, or from HTTP Basic (then only
/// `grant_type` is in the body).
fn credentials(headers: &HeaderMap, form: &HashMap<String, String>) -> (String, String) {
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|b64| {
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()
        })
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
        });
    match basic {
        Some(pair) => pair,
        None => (
            form.get("client_id").cloned().unwrap_or_default(),
            form.get("client_secret").cloned().unwrap_or_default(),
        ),
    }
}

pub async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let is_form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    // A JSON (or any non-form) body is answered with unsupported_grant_type (doc §1.2).
    let form: HashMap<String, String> = match (is_form, serde_urlencoded::from_bytes(&body)) {
        (true, Ok(form)) => form,
        _ => {
            return OAuthError::new("unsupported_grant_type", "grant type not supported")
                .into_response()
        }
    };
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return OAuthError::new("unsupported_grant_type", "grant type not supported")
            .into_response();
    }
    let (client_id, client_secret) = credentials(&headers, &form);
    let host = headers.get("host").and_then(|v| v.to_str().ok());
    let (grant, org_id) = {
        let mut org = state.org.lock();
        match org.issue_token(&client_id, &client_secret, host) {
            Ok(g) => (g, org.config.org_id.clone()),
            Err(e) => return e.into_response(),
        }
    };
    let base = &state.base_url;
    let id = format!("{base}/id/{org_id}/{}", grant.user_id);
    let issued_at = grant.issued_at_ms.to_string();
    // HMAC-SHA256 over id + issued_at keyed by the client secret, as Salesforce signs it.
    let signature = Hmac::<Sha256>::new_from_slice(client_secret.as_bytes())
        .map(|mut mac| {
            mac.update(id.as_bytes());
            mac.update(issued_at.as_bytes());
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        })
        .unwrap_or_default();
    Json(json!({
        "access_token": grant.access_token,
        "signature": signature,
        "scope": "api",
        "instance_url": base,
        "id": id,
        "token_type": "Bearer",
        "issued_at": issued_at,
        "api_instance_url": base,
    }))
    .into_response()
}

/// `GET {id}`: the recorded identity document, rewritten for the run-as user.
pub async fn identity(
    State(state): State<AppState>,
    Path((org_id, user_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' ').map(|(_, t)| t.trim().to_owned()));
    let mut org = state.org.lock();
    let caller = match token.map(|t| org.touch_token(&t)) {
        Some(Ok(u)) => u,
        _ => return ApiError::invalid_session().into_response(),
    };
    let Some(user) = org.user_by_id(&user_id).cloned() else {
        return ApiError::not_found().into_response();
    };
    if org_id != org.config.org_id || caller != user.id {
        return ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "INSUFFICIENT_ACCESS",
            "Bad_Id",
        )
        .into_response();
    }
    let recorded = IDENTITY
        .replace(
            "https://theplayground-dev-ed.my.salesforce.com",
            &state.base_url,
        )
        .replace("https://login.salesforce.com", &state.base_url);
    let mut doc: Value = match serde_json::from_str(&recorded) {
        Ok(v) => v,
        Err(_) => return ApiError::not_found().into_response(),
    };
    let org15 = org.config.org_id.get(..15).unwrap_or_default().to_owned();
    if let Some(m) = doc.as_object_mut() {
        m.insert(
            "id".into(),
            json!(format!(
                "{}/id/{}/{}",
                state.base_url, org.config.org_id, user.id
            )),
        );
        m.insert("user_id".into(), json!(user.id));
        m.insert("organization_id".into(), json!(org.config.org_id));
        m.insert("username".into(), json!(user.username));
        m.insert("email".into(), json!(user.username));
        m.insert("display_name".into(), json!("Integration User"));
        m.insert("first_name".into(), json!("Integration"));
        m.insert("last_name".into(), json!("User"));
        m.insert(
            "nick_name".into(),
            json!(user.username.split('@').next().unwrap_or_default()),
        );
    }
    let text = doc
        .to_string()
        .replace("00Di0000000bAAA", &org15)
        .replace("005i00000016AAAAAA", &user.id);
    match serde_json::from_str::<Value>(&text) {
        Ok(v) => Json(v).into_response(),
        Err(_) => ApiError::not_found().into_response(),
    }
}
