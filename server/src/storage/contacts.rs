//! Komo contacts: batched upsert by email, get, delete, and (in `page.rs`) keyset pages with prefix search.
//!
//! An upsert is `insert … on conflict (workspace_id, email) do update` statements in one transaction.
//! Absent fields are bound as null and kept with `coalesce(excluded.x, contacts.x)`, so a caller sends
//! only what changed.
//! The two dialects differ only in how they merge the custom-property JSON and lower-case name keys, so
//! only the `on conflict` clause has an arm per backend.

pub mod filter_sql;
/// The engine's selection: counting and streaming the contacts a sync's filter selects.
pub mod matching;
mod page;
pub mod properties;
mod rows;
/// Per sync, what it last pushed of a contact: the detail page's "Syncs" table.
pub mod sync_state;

use super::binds::{bind_all, column_names, Binds, Dialect};
use super::{now_unix, on_pool, Storage, StorageError, WorkspaceId};
use rows::{ContactRow, UpsertRow, CONTACT_COLUMNS, UPSERT_ROW_COLUMNS};
use shared::contact::{Contact, NewContact};
use shared::EmailAddress;
use std::collections::HashMap;

/// PostgreSQL: contacts per statement. The rows travel as one JSON parameter ([`super::binds`]), so this
/// bounds the statement's memory, not a parameter count.
const CHUNK: usize = 1_000;

/// SQLite: contacts per `values (…)` statement (24 bare `?` each). SQLite reads plain values without the
/// JSON row set's cost per row (`json_each` turns each row object back into text for `->>` to parse:
/// 11 % of a store), and bare placeholders cost nothing to look up ([`Binds::in_order`]). A call's last
/// few rows go in statements of 32, 16, … 1 rows, so SQLite caches at most seven statement texts.
const SQLITE_ROWS: usize = 64;

/// The pieces `rows` is written in on SQLite: [`SQLITE_ROWS`] at a time, then the rest by powers of two.
fn sqlite_pieces<T>(rows: &[T]) -> Vec<&[T]> {
    let mut pieces: Vec<&[T]> = Vec::with_capacity(rows.len() / SQLITE_ROWS + 7);
    let mut rest = rows;
    let mut size = SQLITE_ROWS;
    while !rest.is_empty() {
        while size > rest.len() {
            size /= 2;
        }
        let (piece, after) = rest.split_at(size);
        pieces.push(piece);
        rest = after;
    }
    pieces
}

/// One PostgreSQL upsert of `rows`, read from one JSON parameter ([`super::binds`]).
fn postgres_json_statement(
    workspace: WorkspaceId,
    now: i64,
    rows: &[UpsertRow],
    conflict: &str,
) -> Result<(String, Binds), StorageError> {
    let mut binds = Binds::new();
    let workspace_id = binds.int(workspace.0);
    let now = binds.int(now);
    let source = binds.insert_source(
        Dialect::Postgres,
        &[&workspace_id, &now, &now],
        rows,
        &UPSERT_ROW_COLUMNS,
    )?;
    let sql = format!(
        "insert into contacts (workspace_id, created_at, updated_at, {}) {source} \
         {conflict} returning id, email",
        column_names(&UPSERT_ROW_COLUMNS)
    );
    Ok((sql, binds))
}

/// One SQLite upsert of `rows`: `insert … values (…), (…) on conflict … returning id, email`.
fn sqlite_values_statement(
    workspace: WorkspaceId,
    now: i64,
    rows: &[UpsertRow],
    conflict: &str,
) -> (String, Binds) {
    let mut binds = Binds::in_order();
    let groups: Vec<String> = rows
        .iter()
        .map(|row| {
            let lead = [binds.int(workspace.0), binds.int(now), binds.int(now)].join(", ");
            format!("({lead}, {})", row.bind_values(&mut binds))
        })
        .collect();
    let sql = format!(
        "insert into contacts (workspace_id, created_at, updated_at, {}) values {} \
         {conflict} returning id, email",
        column_names(&UPSERT_ROW_COLUMNS),
        groups.join(", ")
    );
    (sql, binds)
}

/// `lower()` of the merged names. PostgreSQL lower-cases under the "C" collation, which like SQLite's
/// `lower` touches ASCII letters only, so both backends build identical keys.
fn conflict_clause(storage: &Storage) -> String {
    let (lower_open, lower_close, custom) = match storage {
        Storage::Sqlite(_) => (
            "lower(",
            ")",
            // RFC 7396 merge: a null value removes the property.
            "json_patch(coalesce(contacts.custom, '{}'), coalesce(excluded.custom, '{}'))",
        ),
        Storage::Postgres(_) => (
            "lower((",
            ") collate \"C\")",
            "jsonb_strip_nulls(coalesce(contacts.custom, '{}')::jsonb || coalesce(excluded.custom, '{}')::jsonb)::text",
        ),
    };
    let first = "coalesce(excluded.first_name, contacts.first_name, '')";
    let last = "coalesce(excluded.last_name, contacts.last_name, '')";
    let keep = |c: &str| format!("{c} = coalesce(excluded.{c}, contacts.{c})");
    let kept: Vec<String> = [
        "first_name",
        "last_name",
        "phone",
        "mobile",
        "company",
        "job_title",
        "street",
        "city",
        "region",
        "postcode",
        "country",
        "date_of_birth",
        "marketing_opt_in",
        "source_hub",
        "source_campaign",
        "tags",
    ]
    .iter()
    .map(|c| keep(c))
    .collect();
    format!(
        "on conflict (workspace_id, email) do update set {kept}, \
         marketing_opt_in_at = case \
           when excluded.marketing_opt_in is null then contacts.marketing_opt_in_at \
           when not excluded.marketing_opt_in then null \
           when contacts.marketing_opt_in then contacts.marketing_opt_in_at \
           else excluded.marketing_opt_in_at end, \
         custom = {custom}, \
         name_key = trim({lower_open}{first} || ' ' || {last}{lower_close}), \
         sort_name = trim({lower_open}{last} || ' ' || {first}{lower_close}), \
         updated_at = excluded.updated_at",
        kept = kept.join(", "),
    )
}

impl Storage {
    /// Inserts or updates contacts by email, in chunks. Opting in records the time (given, or now) the
    /// first time only; opting out clears it. When one email appears twice, the later item wins.
    ///
    /// Returns each item's contact id, in input order.
    ///
    /// One transaction per call: a call is stored whole or not at all, and its rows share one commit
    /// (one WAL sync on SQLite instead of one per statement).
    ///
    /// # Errors
    /// Database faults; nothing of the call is stored then.
    #[tracing::instrument(skip_all, fields(workspace = workspace.0, count = contacts.len()))]
    pub async fn upsert_contacts(
        &self,
        workspace: WorkspaceId,
        contacts: &[NewContact],
    ) -> Result<Vec<i64>, StorageError> {
        // PostgreSQL refuses to update one row twice in a statement, so keep only each email's last item.
        let mut last_index: HashMap<&str, usize> = HashMap::new();
        for (i, c) in contacts.iter().enumerate() {
            last_index.insert(c.email.as_str(), i);
        }
        let now = now_unix();
        let unique: Vec<UpsertRow> = contacts
            .iter()
            .enumerate()
            .filter(|(i, c)| last_index.get(c.email.as_str()) == Some(i))
            .map(|(_, c)| UpsertRow::new(c, now))
            .collect::<Result<_, _>>()?;
        let conflict = conflict_clause(self);
        let statements: Vec<(String, Binds)> = match self.dialect() {
            Dialect::Sqlite => sqlite_pieces(&unique)
                .into_iter()
                .map(|piece| sqlite_values_statement(workspace, now, piece, &conflict))
                .collect(),
            Dialect::Postgres => unique
                .chunks(CHUNK)
                .map(|chunk| postgres_json_statement(workspace, now, chunk, &conflict))
                .collect::<Result<_, _>>()?,
        };
        let returned: Vec<(i64, String)> = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut returned = Vec::with_capacity(unique.len());
            for (sql, binds) in &statements {
                returned.extend(
                    bind_all!(sqlx::query_as::<_, (i64, String)>(sql), binds)
                        .fetch_all(&mut *tx)
                        .await?,
                );
            }
            tx.commit().await?;
            returned
        });
        let mut ids: HashMap<String, i64> = HashMap::with_capacity(unique.len());
        ids.extend(returned.into_iter().map(|(id, email)| (email, id)));
        contacts
            .iter()
            .map(|c| {
                ids.get(c.email.as_str())
                    .copied()
                    .ok_or_else(|| StorageError::Corrupt("upsert returned no id".into()))
            })
            .collect()
    }

    /// # Errors
    /// [`StorageError::NotFound`] when no such contact is in this workspace.
    pub async fn get_contact(
        &self,
        workspace: WorkspaceId,
        id: i64,
    ) -> Result<Contact, StorageError> {
        let sql =
            format!("select {CONTACT_COLUMNS} from contacts where workspace_id = $1 and id = $2");
        let row: Option<ContactRow> = on_pool!(self, pool => sqlx::query_as(&sql).bind(workspace.0).bind(id).fetch_optional(pool).await)?;
        row.ok_or(StorageError::NotFound("contact"))?.try_into()
    }

    /// # Errors
    /// [`StorageError::NotFound`] when no contact has this email in this workspace.
    pub async fn get_contact_by_email(
        &self,
        workspace: WorkspaceId,
        email: &EmailAddress,
    ) -> Result<Contact, StorageError> {
        let sql = format!(
            "select {CONTACT_COLUMNS} from contacts where workspace_id = $1 and email = $2"
        );
        let row: Option<ContactRow> = on_pool!(self, pool => sqlx::query_as(&sql).bind(workspace.0).bind(email.as_str()).fetch_optional(pool).await)?;
        row.ok_or(StorageError::NotFound("contact"))?.try_into()
    }

    /// # Errors
    /// [`StorageError::NotFound`] when no contact has this email in this workspace.
    pub async fn delete_contact_by_email(
        &self,
        workspace: WorkspaceId,
        email: &EmailAddress,
    ) -> Result<(), StorageError> {
        let sql = "delete from contacts where workspace_id = $1 and email = $2";
        let affected = on_pool!(self, pool => sqlx::query(sql)
            .bind(workspace.0)
            .bind(email.as_str())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        if affected == 0 {
            return Err(StorageError::NotFound("contact"));
        }
        Ok(())
    }

    /// # Errors
    /// Database faults.
    pub async fn count_contacts(&self, workspace: WorkspaceId) -> Result<i64, StorageError> {
        // Kept by triggers (migration 0007): `count(*)` reads every row, 100 ms at a million on
        // PostgreSQL. A workspace that never had a contact has no row.
        let sql =
            "select coalesce((select contacts from contact_counts where workspace_id = $1), 0)";
        let count: i64 = on_pool!(self, pool => sqlx::query_scalar(sql).bind(workspace.0).fetch_one(pool).await)?;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_pieces_are_full_then_powers_of_two() {
        let sizes = |n: usize| -> Vec<usize> {
            let rows = vec![0u8; n];
            sqlite_pieces(&rows).iter().map(|p| p.len()).collect()
        };
        assert_eq!(sizes(0), Vec::<usize>::new());
        assert_eq!(sizes(1), [1]);
        assert_eq!(sizes(64), [64]);
        assert_eq!(sizes(200), [64, 64, 64, 8]);
        assert_eq!(sizes(127), [64, 32, 16, 8, 4, 2, 1]);
        assert_eq!(sizes(5_000).iter().sum::<usize>(), 5_000);
    }
}
