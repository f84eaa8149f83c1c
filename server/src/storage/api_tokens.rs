//! Workspace API tokens for `/api/v1`. Only a token's SHA-256 is stored; the token itself is shown once.

use super::{now_unix, on_pool, Storage, StorageError, WorkspaceId};
use app::api::api_tokens::ApiTokenView;

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    name: String,
    prefix: String,
    created_at: i64,
    last_used_at: Option<i64>,
    expires_at: Option<i64>,
}

impl From<TokenRow> for ApiTokenView {
    fn from(row: TokenRow) -> Self {
        ApiTokenView {
            id: row.id,
            name: row.name,
            prefix: row.prefix,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            expires_at: row.expires_at,
            expired: row.expires_at.is_some_and(|at| at <= now_unix()),
        }
    }
}

/// How often `last_used_at` is written at most: a busy feed should not turn every read into a write.
const TOUCH_EVERY_SECS: i64 = 60;

impl Storage {
    /// # Errors
    /// Database faults.
    pub async fn list_api_tokens(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Vec<ApiTokenView>, StorageError> {
        let sql = "select id, name, prefix, created_at, last_used_at, expires_at from api_tokens \
                   where workspace_id = $1 order by id";
        let rows: Vec<TokenRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(workspace.0).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// # Errors
    /// Database faults.
    pub async fn create_api_token(
        &self,
        workspace: WorkspaceId,
        name: &str,
        token_hash: &str,
        prefix: &str,
        expires_at: Option<i64>,
    ) -> Result<ApiTokenView, StorageError> {
        let sql = "insert into api_tokens (workspace_id, name, token_hash, prefix, created_at, expires_at) \
                   values ($1, $2, $3, $4, $5, $6) \
                   returning id, name, prefix, created_at, last_used_at, expires_at";
        let row: TokenRow = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(workspace.0)
            .bind(name)
            .bind(token_hash)
            .bind(prefix)
            .bind(now_unix())
            .bind(expires_at)
            .fetch_one(pool)
            .await)?;
        Ok(row.into())
    }

    /// # Errors
    /// [`StorageError::NotFound`] when the token is not in this workspace.
    pub async fn delete_api_token(
        &self,
        workspace: WorkspaceId,
        id: i64,
    ) -> Result<(), StorageError> {
        let sql = "delete from api_tokens where workspace_id = $1 and id = $2";
        let affected = on_pool!(self, pool => sqlx::query(sql)
            .bind(workspace.0)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        if affected == 0 {
            return Err(StorageError::NotFound("API token"));
        }
        Ok(())
    }

    /// The workspace a token hash belongs to, noting the use; `None` for an unknown or expired token.
    ///
    /// # Errors
    /// Database faults.
    pub async fn workspace_for_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<WorkspaceId>, StorageError> {
        let now = now_unix();
        let sql = "select id, workspace_id from api_tokens \
                   where token_hash = $1 and (expires_at is null or expires_at > $2)";
        let found: Option<(i64, i64)> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await)?;
        let Some((id, workspace_id)) = found else {
            return Ok(None);
        };
        let touch = "update api_tokens set last_used_at = $2 \
                     where id = $1 and (last_used_at is null or last_used_at < $3)";
        on_pool!(self, pool => sqlx::query(touch)
            .bind(id)
            .bind(now)
            .bind(now - TOUCH_EVERY_SECS)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(Some(WorkspaceId(workspace_id)))
    }
}
