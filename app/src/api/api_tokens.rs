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
    /// Unix seconds; `None` never expires. An expired token is refused like a revoked one.
    pub expires_at: Option<i64>,
    /// Whether it had expired when the list was read (the server's clock decides, not the browser's).
    pub expired: bool,
}

/// The lifetimes a new token may be given, in days; `None` never expires.
pub const TOKEN_LIFETIMES: [(Option<u32>, &str); 5] = [
    (Some(30), "30 days"),
    (Some(90), "90 days"),
    (Some(180), "180 days"),
    (Some(365), "1 year"),
    (None, "Never"),
];

/// The answer to "create": the only time the token itself leaves the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiToken {
    pub view: ApiTokenView,
    pub token: String,
}

/// Longest token name, in characters.
pub const MAX_TOKEN_NAME: usize = 80;

/// The server side of Account Settings → API tokens. Super users only, every method.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait TokensBackend: Send + Sync {
    /// The workspace's API tokens (never the secrets).
    async fn list_api_tokens(&self) -> Result<Vec<ApiTokenView>, ApiError>;
    /// A new token, returned this once, valid for `lifetime_days` (`None`: until revoked).
    async fn create_api_token(
        &self,
        name: String,
        lifetime_days: Option<u32>,
    ) -> Result<CreatedApiToken, ApiError>;
    async fn revoke_api_token(&self, token_id: i64) -> Result<(), ApiError>;
}

#[server(endpoint = "list_api_tokens")]
pub async fn list_api_tokens() -> Result<Vec<ApiTokenView>, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.list_api_tokens().await }).await
}

#[server(endpoint = "create_api_token")]
pub async fn create_api_token(
    name: String,
    expires_in_days: String,
) -> Result<CreatedApiToken, ApiError> {
    use super::{respond, super_user_backend};
    respond(async {
        let backend = super_user_backend().await?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_TOKEN_NAME {
            return Err(ApiError::Invalid {
                field: "name".into(),
                reason: format!("Name: give the token a name of up to {MAX_TOKEN_NAME} characters"),
            });
        }
        let lifetime = match expires_in_days.trim() {
            "" | "never" => None,
            days => Some(
                days.parse::<u32>()
                    .ok()
                    .filter(|d| TOKEN_LIFETIMES.iter().any(|(l, _)| *l == Some(*d)))
                    .ok_or_else(|| ApiError::Invalid {
                        field: "expires_in_days".into(),
                        reason: format!(
                            "Expires: \"{days}\" is not one of 30, 90, 180 or 365 days, or never"
                        ),
                    })?,
            ),
        };
        backend.create_api_token(name.to_owned(), lifetime).await
    })
    .await
}

#[server(endpoint = "revoke_api_token")]
pub async fn revoke_api_token(token_id: i64) -> Result<(), ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.revoke_api_token(token_id).await }).await
}
