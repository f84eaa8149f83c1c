//! Workspaces and their users. What takes access away (roles, disabling, deleting, passwords, sessions)
//! is in `access`.

/// Role changes, disabling, deleting, passwords and session epochs.
pub mod access;

use super::error::OnUnique;
use super::rows::{MemberRow, UserRow, USER_COLUMNS};
use super::{now_unix, on_pool, Storage, StorageError, WorkspaceId};
use shared::{EmailAddress, Me, Role, UserView, WorkspaceName};

/// A user ready to be stored: the password is already hashed.
pub struct UserRecord<'a> {
    pub email: &'a EmailAddress,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    /// True when someone other than the user chose the password.
    pub must_change_password: bool,
}

/// What sign-in needs to check a password. Deliberately not `Debug`/`Serialize`: it holds the hash.
pub struct Credentials {
    pub user_id: i64,
    pub password_hash: String,
    /// Disabled users cannot sign in.
    pub disabled: bool,
    /// The epoch a session started now belongs to (see [`Storage::find_signed_in`]).
    pub session_epoch: i64,
}

const MEMBER_COLUMNS: &str =
    "select u.id, u.email, u.name, u.role, u.disabled_at, u.must_change_password, \
     w.id as workspace_id, w.name as workspace_name \
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
    /// [`StorageError::Duplicate`] when this workspace has a user with the email. Other workspaces' users
    /// never conflict (migration 0016), so the answer tells a super user nothing about them.
    pub async fn create_user(
        &self,
        workspace: WorkspaceId,
        user: &UserRecord<'_>,
    ) -> Result<UserView, StorageError> {
        let sql = format!(
            "insert into users (workspace_id, email, name, role, password_hash, created_at, \
             must_change_password) values ($1, $2, $3, $4, $5, $6, $7) returning {USER_COLUMNS}"
        );
        let row: UserRow = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(workspace.0)
            .bind(user.email.as_str())
            .bind(user.name)
            .bind(user.role.as_str())
            .bind(user.password_hash)
            .bind(now_unix())
            .bind(user.must_change_password)
            .fetch_one(pool)
            .await)
        .on_unique("user with this email")?;
        row.try_into()
    }

    /// The accounts of an email, in every workspace, for sign-in: enabled ones first, then oldest first,
    /// at most `limit`.
    ///
    /// # Errors
    /// Database faults.
    pub async fn find_credentials(
        &self,
        email: &EmailAddress,
        limit: i64,
    ) -> Result<Vec<Credentials>, StorageError> {
        let sql =
            "select id, password_hash, disabled_at, session_epoch from users where email = $1 \
                   order by disabled_at is not null, id limit $2";
        let rows: Vec<(i64, String, Option<i64>, i64)> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(email.as_str())
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .map(
                |(user_id, password_hash, disabled_at, session_epoch)| Credentials {
                    user_id,
                    password_hash,
                    disabled: disabled_at.is_some(),
                    session_epoch,
                },
            )
            .collect())
    }

    /// A user with their workspace, whatever their state.
    ///
    /// # Errors
    /// Database faults or a corrupt role.
    pub async fn find_member(&self, user_id: i64) -> Result<Option<Me>, StorageError> {
        let sql = format!("{MEMBER_COLUMNS} where u.id = $1");
        let row: Option<MemberRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(user_id).fetch_optional(pool).await)?;
        row.map(Me::try_from).transpose()
    }

    /// The user a session belongs to, as it is resolved on every request: `None` once the user is gone,
    /// disabled, or has moved to a newer session epoch (signed out everywhere, changed password) than the
    /// session was started in.
    ///
    /// # Errors
    /// Database faults or a corrupt role.
    pub async fn find_signed_in(
        &self,
        user_id: i64,
        session_epoch: i64,
    ) -> Result<Option<Me>, StorageError> {
        let sql = format!(
            "{MEMBER_COLUMNS} where u.id = $1 and u.session_epoch = $2 and u.disabled_at is null"
        );
        let row: Option<MemberRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(user_id)
            .bind(session_epoch)
            .fetch_optional(pool)
            .await)?;
        row.map(Me::try_from).transpose()
    }

    /// # Errors
    /// Database faults or a corrupt role.
    pub async fn list_users(&self, workspace: WorkspaceId) -> Result<Vec<UserView>, StorageError> {
        let sql =
            format!("select {USER_COLUMNS} from users where workspace_id = $1 order by name, id");
        let rows: Vec<UserRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(workspace.0).fetch_all(pool).await)?;
        rows.into_iter().map(UserView::try_from).collect()
    }
}
