//! CRM connections of a workspace.

use super::error::OnUnique;
use super::{now_unix, on_pool, Storage, StorageError, WorkspaceId};
use app::api::crm::ConnectionSummary;

#[derive(sqlx::FromRow)]
struct ConnectionRow {
    id: i64,
    crm: String,
    domain: String,
}

impl From<ConnectionRow> for ConnectionSummary {
    fn from(row: ConnectionRow) -> Self {
        ConnectionSummary {
            id: row.id,
            crm: row.crm,
            domain: row.domain,
        }
    }
}

impl Storage {
    /// # Errors
    /// Database faults.
    pub async fn list_connections(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Vec<ConnectionSummary>, StorageError> {
        let sql = "select id, crm, domain from crm_connections where workspace_id = $1 order by id";
        let rows: Vec<ConnectionRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(workspace.0).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// # Errors
    /// [`StorageError::Duplicate`] when this workspace already connected that org.
    pub async fn create_connection(
        &self,
        workspace: WorkspaceId,
        crm: &str,
        domain: &str,
    ) -> Result<ConnectionSummary, StorageError> {
        let sql = "insert into crm_connections (workspace_id, crm, domain, created_at) values ($1, $2, $3, $4) \
                   returning id, crm, domain";
        let row: ConnectionRow = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(workspace.0)
            .bind(crm)
            .bind(domain)
            .bind(now_unix())
            .fetch_one(pool)
            .await)
        .on_unique("connection")?;
        Ok(row.into())
    }
}
