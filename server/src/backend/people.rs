//! The workspace's people, for super users. Passwords are hashed here, off the async threads
//! (`auth::password`) and one turn at a time (`auth::gate`); storage refuses to demote, disable or delete
//! the last enabled super user. A super user never disables or deletes themselves: another super user
//! does, so nobody locks themselves out by a slip.

use super::{internal, RequestBackend};
use crate::auth::password;
use crate::storage::people::UserRecord;
use crate::storage::{StorageError, WorkspaceId};
use app::api::users::PeopleBackend;
use app::error::ApiError;
use secrecy::SecretString;
use shared::{NewPassword, NewUser, Role, UserView};

#[async_trait::async_trait]
impl PeopleBackend for RequestBackend {
    async fn list_users(&self) -> Result<Vec<UserView>, ApiError> {
        let workspace = self.super_user().await?;
        Ok(self.storage.list_users(workspace).await?)
    }

    #[tracing::instrument(skip_all)]
    async fn add_user(&self, user: NewUser) -> Result<UserView, ApiError> {
        let workspace = self.super_user().await?;
        let hash = self.hash_new_password(&user.password).await?;
        let record = UserRecord {
            email: &user.email,
            name: &user.name,
            role: user.role,
            password_hash: &hash,
            // The super user chose it: the new user chooses their own at first sign-in.
            must_change_password: true,
        };
        let created = self
            .storage
            .create_user(workspace, &record)
            .await
            .map_err(|e| match e {
                StorageError::Duplicate(_) => ApiError::Invalid {
                    field: "email".into(),
                    reason: "Email: this workspace already has a user with this email".into(),
                },
                other => other.into(),
            })?;
        tracing::info!(
            user_id = created.id,
            role = created.role.as_str(),
            "user added"
        );
        Ok(created)
    }

    async fn change_role(&self, user_id: i64, role: Role) -> Result<UserView, ApiError> {
        let workspace = self.super_user().await?;
        let changed = self.storage.set_role(workspace, user_id, role).await?;
        tracing::info!(user_id, role = role.as_str(), "role changed");
        Ok(changed)
    }

    async fn disable_user(&self, user_id: i64) -> Result<UserView, ApiError> {
        let workspace = self.someone_else(user_id, "disable").await?;
        let disabled = self.storage.disable_user(workspace, user_id).await?;
        tracing::info!(user_id, "user disabled; their sessions ended");
        Ok(disabled)
    }

    async fn enable_user(&self, user_id: i64) -> Result<UserView, ApiError> {
        let workspace = self.super_user().await?;
        let enabled = self.storage.enable_user(workspace, user_id).await?;
        tracing::info!(user_id, "user enabled");
        Ok(enabled)
    }

    async fn delete_user(&self, user_id: i64) -> Result<(), ApiError> {
        let workspace = self.someone_else(user_id, "delete").await?;
        self.storage.delete_user(workspace, user_id).await?;
        tracing::info!(user_id, "user deleted");
        Ok(())
    }

    async fn sign_out_user(&self, user_id: i64) -> Result<(), ApiError> {
        let workspace = self.super_user().await?;
        self.storage.end_sessions(workspace, user_id).await?;
        tracing::info!(user_id, "signed out everywhere");
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn reset_password(
        &self,
        user_id: i64,
        password: NewPassword,
    ) -> Result<UserView, ApiError> {
        let workspace = self.someone_else(user_id, "reset the password of").await?;
        let hash = self.hash_new_password(&password).await?;
        self.storage
            .set_password(workspace, user_id, &hash, true)
            .await?;
        tracing::info!(user_id, "password reset by a super user; sessions ended");
        let user = self.storage.find_member(user_id).await?;
        user.map(|me| me.user)
            .ok_or(ApiError::NotFound("User".into()))
    }
}

impl RequestBackend {
    /// The caller's workspace, when they are a super user acting on someone other than themselves (their
    /// own password they change with the current one, on their own page).
    async fn someone_else(&self, user_id: i64, verb: &str) -> Result<WorkspaceId, ApiError> {
        let me = self.super_user_me().await?;
        if me.user.id == user_id {
            return Err(ApiError::Conflict(format!(
                "You cannot {verb} your own account: ask another super user."
            )));
        }
        Ok(WorkspaceId(me.workspace.id))
    }

    /// Hashes a password a super user chose, at the hasher's next free turn.
    async fn hash_new_password(&self, password: &NewPassword) -> Result<String, ApiError> {
        let _turn = self.hash_gate.turn().await.map_err(|_| ApiError::Busy {
            retry_after_secs: 1,
        })?;
        password::hash(SecretString::from(password.expose().to_owned()))
            .await
            .map_err(internal)
    }
}
