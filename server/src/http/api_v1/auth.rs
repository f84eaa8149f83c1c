//! Token authentication for `/api/v1`: an extractor, so a handler that takes [`ApiWorkspace`] cannot run
//! without a valid token, and every query it makes is scoped to that token's workspace.

use super::error::V1Error;
use super::token;
use crate::state::AppState;
use crate::storage::WorkspaceId;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};

/// The workspace whose API token came with the request.
pub struct ApiWorkspace(pub WorkspaceId);

impl FromRequestParts<AppState> for ApiWorkspace {
    type Rejection = V1Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, V1Error> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or(V1Error::MissingToken)?;
        let value = header.to_str().map_err(|_| V1Error::BadToken)?;
        let given = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(V1Error::MissingToken)?;
        let workspace = state
            .storage
            .workspace_for_token(&token::hash(given))
            .await?
            .ok_or(V1Error::BadToken)?;
        Ok(ApiWorkspace(workspace))
    }
}
