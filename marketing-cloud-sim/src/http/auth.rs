//! `POST /v2/token`: client credentials, JSON or form-encoded [doc, code].

use crate::error::oauth_error;
use crate::state::AppState;
use crate::tenant::TokenRequest;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

pub async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let request: Option<TokenRequest> = if form {
        serde_urlencoded::from_bytes(&body).ok()
    } else {
        serde_json::from_slice(&body).ok()
    };
    let Some(request) = request else {
        return oauth_error(
            400,
            "invalid_request",
            "The request body could not be read.",
        );
    };
    let mut tenant = state.tenant.lock();
    match tenant.issue_token(&request) {
        Ok((access_token, issued)) => {
            let base = &state.base_url;
            Json(json!({
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": tenant.config.token_lifetime.as_secs(),
                "scope": issued.scopes.join(" "),
                "soap_instance_url": format!("{base}/"),
                "rest_instance_url": format!("{base}/"),
            }))
            .into_response()
        }
        Err(refusal) => oauth_error(refusal.status, refusal.error, &refusal.description),
    }
}
