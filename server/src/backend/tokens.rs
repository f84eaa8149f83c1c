//! Workspace API tokens, for super users. The token is generated and hashed in `http::api_v1::token`,
//! beside the code that checks it; storage keeps only the hash and a prefix that tells tokens apart.

use super::RequestBackend;
use crate::http::api_v1::token;
use crate::storage::now_unix;
use app::api::api_tokens::{ApiTokenView, CreatedApiToken, TokensBackend};
use app::error::ApiError;

#[async_trait::async_trait]
impl TokensBackend for RequestBackend {
    async fn list_api_tokens(&self) -> Result<Vec<ApiTokenView>, ApiError> {
        let workspace = self.super_user().await?;
        Ok(self.storage.list_api_tokens(workspace).await?)
    }

    async fn create_api_token(
        &self,
        name: String,
        lifetime_days: Option<u32>,
    ) -> Result<CreatedApiToken, ApiError> {
        let workspace = self.super_user().await?;
        let fresh = token::generate();
        let expires_at = lifetime_days.map(|days| now_unix() + i64::from(days) * 24 * 60 * 60);
        let view = self
            .storage
            .create_api_token(workspace, &name, &fresh.hash, &fresh.prefix, expires_at)
            .await?;
        tracing::info!(token_id = view.id, "API token created");
        Ok(CreatedApiToken {
            view,
            token: fresh.token,
        })
    }

    async fn revoke_api_token(&self, token_id: i64) -> Result<(), ApiError> {
        let workspace = self.super_user().await?;
        self.storage.delete_api_token(workspace, token_id).await?;
        tracing::info!(token_id, "API token revoked");
        Ok(())
    }
}
