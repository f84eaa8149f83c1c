//! CRM connections of a workspace. The sealed secret is read only by [`Storage::connection_secret`]; every
//! listing leaves it out, so it cannot reach the browser by accident.

use super::error::OnUnique;
use super::{now_unix, on_pool, Storage, StorageError, WorkspaceId};
use app::api::crm::{ConnectionStatus, ConnectionSummary};

const SUMMARY_COLUMNS: &str =
    "id, crm, domain, client_id, status, last_tested_at, last_success_at, last_error, \
     org_id, run_as_username, api_used, api_allowed";

#[derive(sqlx::FromRow)]
struct ConnectionRow {
    id: i64,
    crm: String,
    domain: String,
    client_id: String,
    status: String,
    last_tested_at: Option<i64>,
    last_success_at: Option<i64>,
    last_error: Option<String>,
    org_id: Option<String>,
    run_as_username: Option<String>,
    api_used: Option<i64>,
    api_allowed: Option<i64>,
}

impl From<ConnectionRow> for ConnectionSummary {
    fn from(row: ConnectionRow) -> Self {
        ConnectionSummary {
            id: row.id,
            crm: row.crm,
            domain: row.domain,
            client_id: row.client_id,
            status: if row.status == "failing" {
                ConnectionStatus::Failing
            } else {
                ConnectionStatus::Connected
            },
            last_tested_at: row.last_tested_at,
            last_success_at: row.last_success_at,
            last_error: row.last_error,
            org_id: row.org_id,
            run_as_username: row.run_as_username,
            api_usage: row.api_used.zip(row.api_allowed),
        }
    }
}

/// A connection's credentials as the form saves them; the secret is already sealed.
pub struct ConnectionRecord<'a> {
    pub crm: &'a str,
    pub domain: &'a str,
    pub client_id: &'a str,
    /// `None` on update: keep the stored secret.
    pub secret_sealed: Option<&'a str>,
}

/// What a test found out, recorded on the connection.
pub struct TestRecord<'a> {
    pub ok: bool,
    pub error: Option<&'a str>,
    pub org_id: Option<&'a str>,
    pub run_as_username: Option<&'a str>,
    pub api_usage: Option<(i64, i64)>,
}

impl Storage {
    /// # Errors
    /// Database faults.
    pub async fn list_connections(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Vec<ConnectionSummary>, StorageError> {
        let sql = format!(
            "select {SUMMARY_COLUMNS} from crm_connections where workspace_id = $1 order by id"
        );
        let rows: Vec<ConnectionRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(workspace.0).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// # Errors
    /// [`StorageError::NotFound`] when the connection is not in this workspace.
    pub async fn find_connection(
        &self,
        workspace: WorkspaceId,
        id: i64,
    ) -> Result<ConnectionSummary, StorageError> {
        let sql = format!(
            "select {SUMMARY_COLUMNS} from crm_connections where workspace_id = $1 and id = $2"
        );
        let row: Option<ConnectionRow> = on_pool!(self, pool => sqlx::query_as(&sql).bind(workspace.0).bind(id).fetch_optional(pool).await)?;
        row.map(Into::into)
            .ok_or(StorageError::NotFound("connection"))
    }

    /// The sealed client secret, for the server's own use only.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when the connection is not in this workspace.
    pub async fn connection_secret(
        &self,
        workspace: WorkspaceId,
        id: i64,
    ) -> Result<String, StorageError> {
        let sql =
            "select client_secret_sealed from crm_connections where workspace_id = $1 and id = $2";
        let sealed: Option<String> = on_pool!(self, pool => sqlx::query_scalar(sql).bind(workspace.0).bind(id).fetch_optional(pool).await)?;
        sealed.ok_or(StorageError::NotFound("connection"))
    }

    /// # Errors
    /// [`StorageError::Duplicate`] when this workspace already connected that org.
    pub async fn create_connection(
        &self,
        workspace: WorkspaceId,
        crm: &str,
        domain: &str,
    ) -> Result<ConnectionSummary, StorageError> {
        self.insert_connection(
            workspace,
            &ConnectionRecord {
                crm,
                domain,
                client_id: "",
                secret_sealed: Some(""),
            },
        )
        .await
    }

    /// # Errors
    /// [`StorageError::Duplicate`] when this workspace already connected that org.
    pub async fn insert_connection(
        &self,
        workspace: WorkspaceId,
        record: &ConnectionRecord<'_>,
    ) -> Result<ConnectionSummary, StorageError> {
        let sql = format!(
            "insert into crm_connections (workspace_id, crm, domain, client_id, client_secret_sealed, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $6) returning {SUMMARY_COLUMNS}"
        );
        let row: ConnectionRow = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(workspace.0)
            .bind(record.crm)
            .bind(record.domain)
            .bind(record.client_id)
            .bind(record.secret_sealed.unwrap_or_default())
            .bind(now_unix())
            .fetch_one(pool)
            .await)
        .on_unique("connection")?;
        Ok(row.into())
    }

    /// Updates domain and client id, and the secret only when a new one is given.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] outside this workspace; [`StorageError::Duplicate`] for an org already
    /// connected.
    pub async fn update_connection(
        &self,
        workspace: WorkspaceId,
        id: i64,
        record: &ConnectionRecord<'_>,
    ) -> Result<ConnectionSummary, StorageError> {
        let sql = format!(
            "update crm_connections set domain = $3, client_id = $4, \
               client_secret_sealed = coalesce($5, client_secret_sealed), updated_at = $6 \
             where workspace_id = $1 and id = $2 returning {SUMMARY_COLUMNS}"
        );
        let row: Option<ConnectionRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(workspace.0)
            .bind(id)
            .bind(record.domain)
            .bind(record.client_id)
            .bind(record.secret_sealed)
            .bind(now_unix())
            .fetch_optional(pool)
            .await)
        .on_unique("connection")?;
        row.map(Into::into)
            .ok_or(StorageError::NotFound("connection"))
    }

    /// Replaces the sealed secret (key rotation re-seals with the new key).
    ///
    /// # Errors
    /// Database faults.
    pub async fn reseal_connection_secret(
        &self,
        id: i64,
        sealed: &str,
    ) -> Result<(), StorageError> {
        let sql = "update crm_connections set client_secret_sealed = $2 where id = $1";
        on_pool!(self, pool => sqlx::query(sql).bind(id).bind(sealed).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Every connection's id, workspace and sealed secret: for re-encryption at start-up only.
    ///
    /// # Errors
    /// Database faults.
    pub async fn all_sealed_secrets(&self) -> Result<Vec<(i64, i64, String)>, StorageError> {
        let sql = "select id, workspace_id, client_secret_sealed from crm_connections where client_secret_sealed <> ''";
        let rows: Vec<(i64, i64, String)> =
            on_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await)?;
        Ok(rows)
    }

    /// # Errors
    /// [`StorageError::NotFound`] outside this workspace.
    pub async fn record_connection_test(
        &self,
        workspace: WorkspaceId,
        id: i64,
        test: &TestRecord<'_>,
    ) -> Result<ConnectionSummary, StorageError> {
        let now = now_unix();
        let sql = format!(
            "update crm_connections set status = $3, last_tested_at = $4, \
               last_success_at = case when $5 then $4 else last_success_at end, \
               last_error = $6, org_id = coalesce($7, org_id), run_as_username = coalesce($8, run_as_username), \
               api_used = coalesce($9, api_used), api_allowed = coalesce($10, api_allowed) \
             where workspace_id = $1 and id = $2 returning {SUMMARY_COLUMNS}"
        );
        let row: Option<ConnectionRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(workspace.0)
            .bind(id)
            .bind(if test.ok { "connected" } else { "failing" })
            .bind(now)
            .bind(test.ok)
            .bind(test.error)
            .bind(test.org_id)
            .bind(test.run_as_username)
            .bind(test.api_usage.map(|u| u.0))
            .bind(test.api_usage.map(|u| u.1))
            .fetch_optional(pool)
            .await)?;
        row.map(Into::into)
            .ok_or(StorageError::NotFound("connection"))
    }

    /// # Errors
    /// [`StorageError::NotFound`] outside this workspace.
    pub async fn delete_connection(
        &self,
        workspace: WorkspaceId,
        id: i64,
    ) -> Result<(), StorageError> {
        let sql = "delete from crm_connections where workspace_id = $1 and id = $2";
        let affected = on_pool!(self, pool => sqlx::query(sql)
            .bind(workspace.0)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        if affected == 0 {
            Err(StorageError::NotFound("connection"))
        } else {
            Ok(())
        }
    }
}
