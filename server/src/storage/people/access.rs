//! What a super user can take away or give back, and what a user changes about their own access: roles,
//! disabling, deleting, passwords, and the session epoch that ends every session of a user at once.
//!
//! A workspace always keeps at least one *enabled* super user. The statements that could break that rule
//! check it themselves ([`keeps_a_super_user`]), and on PostgreSQL they first lock the workspace's row, so
//! two super users demoting, disabling or deleting each other at the same moment take turns instead of
//! each seeing the other still there.

use super::super::rows::{UserRow, USER_COLUMNS};
use super::super::{now_unix, on_pool, Storage, StorageError, WorkspaceId};
use shared::{Role, UserView};

/// A change that could leave a workspace without an enabled super user.
#[derive(Debug, Clone, Copy)]
enum GuardedChange {
    Role(Role),
    Disable { at: i64 },
    Delete,
}

/// The condition, on the row about to change (`id = {user}`, in `{workspace}`), that after the change the
/// workspace still has an enabled super user: this row is not one, or another one exists.
fn keeps_a_super_user(user: &str, workspace: &str) -> String {
    format!(
        "(role <> 'super_user' or disabled_at is not null or exists ( \
           select 1 from users other \
           where other.workspace_id = {workspace} and other.role = 'super_user' \
             and other.disabled_at is null and other.id <> {user}))"
    )
}

impl GuardedChange {
    fn sql(self) -> String {
        match self {
            // Making someone a super user never needs the check.
            GuardedChange::Role(_) => format!(
                "update users set role = $1 where id = $2 and workspace_id = $3 \
                 and ($1 = 'super_user' or {}) returning {USER_COLUMNS}",
                keeps_a_super_user("$2", "$3")
            ),
            GuardedChange::Disable { .. } => format!(
                "update users set disabled_at = $1, session_epoch = session_epoch + 1 \
                 where id = $2 and workspace_id = $3 and {} returning {USER_COLUMNS}",
                keeps_a_super_user("$2", "$3")
            ),
            GuardedChange::Delete => format!(
                "delete from users where id = $1 and workspace_id = $2 and {} \
                 returning {USER_COLUMNS}",
                keeps_a_super_user("$1", "$2")
            ),
        }
    }
}

impl Storage {
    /// Changes a user's role within `workspace`.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when the user is not in this workspace, [`StorageError::LastSuperUser`]
    /// when this would leave it without an enabled super user.
    pub async fn set_role(
        &self,
        workspace: WorkspaceId,
        user_id: i64,
        role: Role,
    ) -> Result<UserView, StorageError> {
        self.change_guarded(workspace, user_id, GuardedChange::Role(role))
            .await
    }

    /// Disables a user: they cannot sign in, and every session they hold ends at its next request (the
    /// epoch moves on). Disabling a disabled user changes nothing but the time.
    ///
    /// # Errors
    /// As [`Self::set_role`].
    pub async fn disable_user(
        &self,
        workspace: WorkspaceId,
        user_id: i64,
    ) -> Result<UserView, StorageError> {
        let change = GuardedChange::Disable { at: now_unix() };
        self.change_guarded(workspace, user_id, change).await
    }

    /// Lets a disabled user sign in again. Their old sessions stay ended.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when the user is not in this workspace.
    pub async fn enable_user(
        &self,
        workspace: WorkspaceId,
        user_id: i64,
    ) -> Result<UserView, StorageError> {
        let sql = format!(
            "update users set disabled_at = null where id = $1 and workspace_id = $2 \
             returning {USER_COLUMNS}"
        );
        let row: Option<UserRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(user_id)
            .bind(workspace.0)
            .fetch_optional(pool)
            .await)?;
        row.ok_or(StorageError::NotFound("user"))?.try_into()
    }

    /// Deletes a user. Their sessions end with them; the syncs' versions and runs keep their name
    /// (`changed_by_name`, `started_by_name`), and the email is free for a new account.
    ///
    /// # Errors
    /// As [`Self::set_role`].
    pub async fn delete_user(
        &self,
        workspace: WorkspaceId,
        user_id: i64,
    ) -> Result<UserView, StorageError> {
        self.change_guarded(workspace, user_id, GuardedChange::Delete)
            .await
    }

    /// Ends every session of a user in `workspace` ("sign out everywhere") and returns the new epoch, which
    /// a session that should survive (the caller's own, after a password change) takes on.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when the user is not in this workspace.
    pub async fn end_sessions(
        &self,
        workspace: WorkspaceId,
        user_id: i64,
    ) -> Result<i64, StorageError> {
        let sql = "update users set session_epoch = session_epoch + 1 \
                   where id = $1 and workspace_id = $2 returning session_epoch";
        let epoch: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(user_id)
            .bind(workspace.0)
            .fetch_optional(pool)
            .await)?;
        epoch.ok_or(StorageError::NotFound("user"))
    }

    /// The stored password hash of a user in `workspace`, to check their current password.
    ///
    /// # Errors
    /// Database faults.
    pub async fn password_hash(
        &self,
        workspace: WorkspaceId,
        user_id: i64,
    ) -> Result<Option<String>, StorageError> {
        let sql = "select password_hash from users where id = $1 and workspace_id = $2";
        let hash: Option<String> = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(user_id)
            .bind(workspace.0)
            .fetch_optional(pool)
            .await)?;
        Ok(hash)
    }

    /// Replaces a user's password and ends every session they hold; returns the new session epoch.
    /// `must_change` is true when a super user chose it, so the user picks their own at their next
    /// sign-in.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when the user is not in this workspace.
    pub async fn set_password(
        &self,
        workspace: WorkspaceId,
        user_id: i64,
        password_hash: &str,
        must_change: bool,
    ) -> Result<i64, StorageError> {
        let sql = "update users set password_hash = $1, must_change_password = $2, \
                   session_epoch = session_epoch + 1 \
                   where id = $3 and workspace_id = $4 returning session_epoch";
        let epoch: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(password_hash)
            .bind(must_change)
            .bind(user_id)
            .bind(workspace.0)
            .fetch_optional(pool)
            .await)?;
        epoch.ok_or(StorageError::NotFound("user"))
    }

    /// Runs one [`GuardedChange`] in the workspace's turn (PostgreSQL) and tells a refusal apart from a
    /// missing user.
    async fn change_guarded(
        &self,
        workspace: WorkspaceId,
        user_id: i64,
        change: GuardedChange,
    ) -> Result<UserView, StorageError> {
        let sql = change.sql();
        // "Another enabled super user exists" is read from a snapshot. On PostgreSQL two super users
        // demoting each other at once would each still see the other and both succeed, leaving none;
        // locking the workspace's row first makes these changes take turns, and the check (a statement of
        // its own, so a fresh snapshot) runs once the turn is ours. SQLite has one writer at a time and
        // runs the check inside the write, so it needs no lock.
        let lock = match self {
            Storage::Postgres(_) => Some("select id from workspaces where id = $1 for update"),
            Storage::Sqlite(_) => None,
        };
        let row: Option<UserRow> = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if let Some(lock) = lock {
                sqlx::query(lock).bind(workspace.0).execute(&mut *tx).await?;
            }
            let query = sqlx::query_as(&sql);
            let query = match change {
                GuardedChange::Role(role) => query.bind(role.as_str()),
                GuardedChange::Disable { at } => query.bind(at),
                GuardedChange::Delete => query,
            };
            let row = query
                .bind(user_id)
                .bind(workspace.0)
                .fetch_optional(&mut *tx)
                .await?;
            tx.commit().await?;
            row
        });
        match row {
            Some(row) => row.try_into(),
            None if self.user_in_workspace(workspace, user_id).await? => {
                Err(StorageError::LastSuperUser)
            }
            None => Err(StorageError::NotFound("user")),
        }
    }

    async fn user_in_workspace(
        &self,
        workspace: WorkspaceId,
        user_id: i64,
    ) -> Result<bool, StorageError> {
        let sql = "select count(*) from users where id = $1 and workspace_id = $2";
        let count: i64 = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(user_id)
            .bind(workspace.0)
            .fetch_one(pool)
            .await)?;
        Ok(count > 0)
    }
}
