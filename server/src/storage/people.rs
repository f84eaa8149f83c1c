//! Workspaces and their users.

use super::error::OnUnique;
use super::rows::{MemberRow, UserRow};
use super::{now_unix, on_pool, Storage, StorageError, WorkspaceId};
use shared::{EmailAddress, Me, Role, UserView, WorkspaceName};

/// A user ready to be stored: the password is already hashed.
pub struct UserRecord<'a> {
    pub email: &'a EmailAddress,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
}

/// What sign-in needs to check a password. Deliberately not `Debug`/`Serialize`: it holds the hash.
pub struct Credentials {
    pub user_id: i64,
    pub password_hash: String,
}

const MEMBER_COLUMNS: &str =
    "select u.id, u.email, u.name, u.role, w.id as workspace_id, w.name as workspace_name \
     from users u join workspaces w on w.id = u.workspace_id";

impl Storage {
    /// # Errors
    /// Database faults.
    pub async fn count_workspaces(&self) -> Result<i64, StorageError> {
        let sql = "select count(*) from workspaces";
        let count: i64 = on_pool!(self, pool => sqlx::query_scalar(sql).fetch_one(pool).await)?;
        Ok(count)
    }

    /// The oldest workspace: the one the first start created.
    ///
    /// # Errors
    /// Database faults.
    pub async fn first_workspace(&self) -> Result<Option<WorkspaceId>, StorageError> {
        let sql = "select min(id) from workspaces";
        let id: Option<i64> =
            on_pool!(self, pool => sqlx::query_scalar(sql).fetch_one(pool).await)?;
        Ok(id.map(WorkspaceId))
    }

    /// # Errors
    /// Database faults.
    pub async fn create_workspace(
        &self,
        name: &WorkspaceName,
    ) -> Result<WorkspaceId, StorageError> {
        let sql = "insert into workspaces (name, created_at) values ($1, $2) returning id";
        let id: i64 = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(name.as_str())
            .bind(now_unix())
            .fetch_one(pool)
            .await)?;
        Ok(WorkspaceId(id))
    }

    /// # Errors
    /// [`StorageError::Duplicate`] when the email is taken (in any workspace).
    pub async fn create_user(
        &self,
        workspace: WorkspaceId,
        user: &UserRecord<'_>,
    ) -> Result<UserView, StorageError> {
        let sql = "insert into users (workspace_id, email, name, role, password_hash, created_at) \
                   values ($1, $2, $3, $4, $5, $6) returning id, email, name, role";
        let row: UserRow = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(workspace.0)
            .bind(user.email.as_str())
            .bind(user.name)
            .bind(user.role.as_str())
            .bind(user.password_hash)
            .bind(now_unix())
            .fetch_one(pool)
            .await)
        .on_unique("user with this email")?;
        row.try_into()
    }

    /// The stored hash for an email, for sign-in.
    ///
    /// # Errors
    /// Database faults.
    pub async fn find_credentials(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<Credentials>, StorageError> {
        let sql = "select id, password_hash from users where email = $1";
        let row: Option<(i64, String)> = on_pool!(self, pool => sqlx::query_as(sql).bind(email.as_str()).fetch_optional(pool).await)?;
        Ok(row.map(|(user_id, password_hash)| Credentials {
            user_id,
            password_hash,
        }))
    }

    /// A user with their workspace, as the session resolves them on each request.
    ///
    /// # Errors
    /// Database faults or a corrupt role.
    pub async fn find_member(&self, user_id: i64) -> Result<Option<Me>, StorageError> {
        let sql = format!("{MEMBER_COLUMNS} where u.id = $1");
        let row: Option<MemberRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(user_id).fetch_optional(pool).await)?;
        row.map(Me::try_from).transpose()
    }

    /// # Errors
    /// Database faults or a corrupt role.
    pub async fn list_users(&self, workspace: WorkspaceId) -> Result<Vec<UserView>, StorageError> {
        let sql =
            "select id, email, name, role from users where workspace_id = $1 order by name, id";
        let rows: Vec<UserRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(workspace.0).fetch_all(pool).await)?;
        rows.into_iter().map(UserView::try_from).collect()
    }

    /// Changes a user's role within `workspace`.
    ///
    /// One statement both checks and updates, so two super users demoting each other at the same moment
    /// cannot leave the workspace with none.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when the user is not in this workspace, [`StorageError::LastSuperUser`]
    /// when this would remove the workspace's last super user.
    pub async fn set_role(
        &self,
        workspace: WorkspaceId,
        user_id: i64,
        role: Role,
    ) -> Result<UserView, StorageError> {
        let sql = "update users set role = $1 \
                   where id = $2 and workspace_id = $3 \
                     and ($1 = 'super_user' or exists ( \
                       select 1 from users other \
                       where other.workspace_id = $3 and other.role = 'super_user' and other.id <> $2)) \
                   returning id, email, name, role";
        // "Another super user exists" is read from a snapshot. On PostgreSQL two super users demoting each
        // other at once would each still see the other and both succeed, leaving none; locking the
        // workspace's row first makes role changes in one workspace take turns, and the check (a statement
        // of its own, so a fresh snapshot) runs once the turn is ours. SQLite has one writer at a time and
        // runs the check inside the update, so it needs no lock.
        let lock = match self {
            Storage::Postgres(_) => Some("select id from workspaces where id = $1 for update"),
            Storage::Sqlite(_) => None,
        };
        let row: Option<UserRow> = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if let Some(lock) = lock {
                sqlx::query(lock).bind(workspace.0).execute(&mut *tx).await?;
            }
            let row = sqlx::query_as(sql)
                .bind(role.as_str())
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
