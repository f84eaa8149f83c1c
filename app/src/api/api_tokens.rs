//! Workspace API tokens: Account Settings → API tokens (super users only). A token is shown once, when
//! created; the server keeps only its hash.

use crate::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A token as lists show it: never the secret, only the prefix that tells tokens apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenView {
    pub id: i64,
    pub name: String,
    /// The first characters of the token, e.g. `komo_3fA9`.
    pub prefix: String,
    /// Unix seconds.
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The answer to "create": the only time the token itself leaves the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiToken {
    pub view: ApiTokenView,
    pub token: String,
}

/// Longest token name, in characters.
pub const MAX_TOKEN_NAME: usize = 80;

#[server(endpoint = "list_api_tokens")]
pub async fn list_api_tokens() -> Result<Vec<ApiTokenView>, ApiError> {
    use super::{backend, respond};
    respond(backend()?.list_api_tokens().await)
}

#[server(endpoint = "create_api_token")]
pub async fn create_api_token(name: String) -> Result<CreatedApiToken, ApiError> {
    use super::{backend, respond};
    let backend = backend()?;
    respond(backend.require_super_user().await)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_TOKEN_NAME {
        return respond(Err(ApiError::Invalid {
            field: "name".into(),
            reason: format!("Name: give the token a name of up to {MAX_TOKEN_NAME} characters"),
        }));
    }
    respond(backend.create_api_token(name.to_owned()).await)
}

#[server(endpoint = "revoke_api_token")]
pub async fn revoke_api_token(token_id: i64) -> Result<(), ApiError> {
    use super::{backend, respond};
    respond(backend()?.revoke_api_token(token_id).await)
}
