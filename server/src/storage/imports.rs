//! CSV imports: the `imports` row the page polls, and the per-row problems behind the error report.
//! Every read is scoped to a workspace; `import_errors` has no workspace of its own, so its reads join
//! `imports` to check it.

use super::{now_unix, on_pool, Storage, StorageError, WorkspaceId};
use shared::contact::import::{ImportCounts, ImportRowError, ImportState, ImportStatus};

/// Rows per insert of errors: 5 binds each, far below either backend's limit.
const ERROR_CHUNK: usize = 500;

/// An import as stored; the mapping stays in its wire form until the importer parses it against the
/// workspace's current catalog.
pub struct ImportRecord {
    pub status: ImportStatus,
    pub mapping: String,
}

#[derive(sqlx::FromRow)]
struct ImportRow {
    id: i64,
    file_name: String,
    mapping: String,
    state: String,
    total_bytes: i64,
    bytes_read: i64,
    rows_read: i64,
    rows_saved: i64,
    rows_failed: i64,
    message: String,
}

const IMPORT_COLUMNS: &str = "id, file_name, mapping, state, total_bytes, bytes_read, rows_read, \
    rows_saved, rows_failed, message";

fn unsigned(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn signed(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl TryFrom<ImportRow> for ImportRecord {
    type Error = StorageError;
    fn try_from(row: ImportRow) -> Result<Self, StorageError> {
        let state = ImportState::parse(&row.state)
            .ok_or_else(|| StorageError::Corrupt(format!("import state {}", row.state)))?;
        Ok(ImportRecord {
            status: ImportStatus {
                id: row.id,
                file_name: row.file_name,
                state,
                total_bytes: unsigned(row.total_bytes),
                counts: ImportCounts {
                    bytes_read: unsigned(row.bytes_read),
                    rows_read: unsigned(row.rows_read),
                    rows_saved: unsigned(row.rows_saved),
                    rows_failed: unsigned(row.rows_failed),
                },
                message: row.message,
                first_errors: Vec::new(),
            },
            mapping: row.mapping,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ErrorRow {
    id: i64,
    row_number: i64,
    email: String,
    field: String,
    reason: String,
}

impl Storage {
    /// Records a new import, waiting for its file. Returns its id.
    ///
    /// # Errors
    /// Database faults.
    pub async fn create_import(
        &self,
        workspace: WorkspaceId,
        file_name: &str,
        total_bytes: u64,
        mapping: &str,
    ) -> Result<i64, StorageError> {
        let sql = "insert into imports (workspace_id, file_name, mapping, state, total_bytes, \
                   created_at, updated_at) values ($1, $2, $3, 'waiting', $4, $5, $5) returning id";
        let now = now_unix();
        let id: i64 = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(workspace.0)
            .bind(file_name)
            .bind(mapping)
            .bind(signed(total_bytes))
            .bind(now)
            .fetch_one(pool)
            .await)?;
        Ok(id)
    }

    /// # Errors
    /// [`StorageError::NotFound`] when the workspace has no such import.
    pub async fn get_import(
        &self,
        workspace: WorkspaceId,
        id: i64,
    ) -> Result<ImportRecord, StorageError> {
        let sql =
            format!("select {IMPORT_COLUMNS} from imports where workspace_id = $1 and id = $2");
        let row: Option<ImportRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(workspace.0)
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        row.ok_or(StorageError::NotFound("import"))?.try_into()
    }

    /// Moves a waiting import to running. `false` when it is not waiting (its file already came), so one
    /// import cannot be fed twice, even by two requests at once.
    ///
    /// # Errors
    /// Database faults.
    pub async fn begin_import(
        &self,
        workspace: WorkspaceId,
        id: i64,
    ) -> Result<bool, StorageError> {
        let sql = "update imports set state = 'running', updated_at = $3 \
                   where workspace_id = $1 and id = $2 and state = 'waiting'";
        let affected = on_pool!(self, pool => sqlx::query(sql)
            .bind(workspace.0)
            .bind(id)
            .bind(now_unix())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(affected == 1)
    }

    /// Saves the counters, and with `finish` the final state and message.
    ///
    /// # Errors
    /// Database faults.
    pub async fn record_import_progress(
        &self,
        id: i64,
        counts: &ImportCounts,
        finish: Option<(ImportState, &str)>,
    ) -> Result<(), StorageError> {
        let (state, message) = finish.unwrap_or((ImportState::Running, ""));
        let sql = "update imports set bytes_read = $2, rows_read = $3, rows_saved = $4, \
                   rows_failed = $5, state = $6, message = $7, updated_at = $8 where id = $1";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(id)
            .bind(signed(counts.bytes_read))
            .bind(signed(counts.rows_read))
            .bind(signed(counts.rows_saved))
            .bind(signed(counts.rows_failed))
            .bind(state.as_str())
            .bind(message)
            .bind(now_unix())
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Appends row problems to an import's report.
    ///
    /// # Errors
    /// Database faults.
    pub async fn add_import_errors(
        &self,
        import_id: i64,
        errors: &[ImportRowError],
    ) -> Result<(), StorageError> {
        for chunk in errors.chunks(ERROR_CHUNK) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let b = i * 5;
                    format!(
                        "(${}, ${}, ${}, ${}, ${})",
                        b + 1,
                        b + 2,
                        b + 3,
                        b + 4,
                        b + 5
                    )
                })
                .collect();
            let sql = format!(
                "insert into import_errors (import_id, row_number, email, field, reason) values {}",
                values.join(", ")
            );
            on_pool!(self, pool => {
                let mut query = sqlx::query(&sql);
                for e in chunk {
                    query = query
                        .bind(import_id)
                        .bind(signed(e.row))
                        .bind(&e.email)
                        .bind(&e.field)
                        .bind(&e.reason);
                }
                query.execute(pool).await.map(|_| ())
            })?;
        }
        Ok(())
    }

    /// Up to `limit` problems of an import, in file order, after the position `after` (0 to start).
    /// Returns each with its position, for the next call.
    ///
    /// # Errors
    /// Database faults. An import of another workspace simply has no errors here.
    pub async fn page_import_errors(
        &self,
        workspace: WorkspaceId,
        import_id: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, ImportRowError)>, StorageError> {
        let sql = "select e.id, e.row_number, e.email, e.field, e.reason from import_errors e \
                   join imports i on i.id = e.import_id \
                   where i.workspace_id = $1 and e.import_id = $2 and e.id > $3 \
                   order by e.id limit $4";
        let rows: Vec<ErrorRow> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(workspace.0)
            .bind(import_id)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    r.id,
                    ImportRowError {
                        row: unsigned(r.row_number),
                        email: r.email,
                        field: r.field,
                        reason: r.reason,
                    },
                )
            })
            .collect())
    }
}
