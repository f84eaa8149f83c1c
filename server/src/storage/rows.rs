//! Rows as the database returns them, and their conversion into `shared` types. Stored values go through
//! the same parsers as user input, so a corrupt row is an error, not a surprise downstream.

use super::StorageError;
use shared::{initials_of, Me, Role, UserView, WorkspaceView};

/// The columns of [`UserRow`], for `select` and `returning`.
pub(crate) const USER_COLUMNS: &str = "id, email, name, role, disabled_at, must_change_password";

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub disabled_at: Option<i64>,
    pub must_change_password: bool,
}

impl TryFrom<UserRow> for UserView {
    type Error = StorageError;
    fn try_from(row: UserRow) -> Result<Self, StorageError> {
        let role = Role::parse(&row.role).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        Ok(UserView {
            id: row.id,
            email: row.email,
            name: row.name,
            role,
            disabled: row.disabled_at.is_some(),
            must_change_password: row.must_change_password,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MemberRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub disabled_at: Option<i64>,
    pub must_change_password: bool,
    pub workspace_id: i64,
    pub workspace_name: String,
}

impl TryFrom<MemberRow> for Me {
    type Error = StorageError;
    fn try_from(row: MemberRow) -> Result<Self, StorageError> {
        let workspace = WorkspaceView {
            id: row.workspace_id,
            initials: initials_of(&row.workspace_name),
            name: row.workspace_name,
        };
        let user = UserView::try_from(UserRow {
            id: row.id,
            email: row.email,
            name: row.name,
            role: row.role,
            disabled_at: row.disabled_at,
            must_change_password: row.must_change_password,
        })?;
        Ok(Me { user, workspace })
    }
}
