//! The workspace's people, for super users. Passwords are hashed here, off the async threads
//! (`auth::password`); storage refuses to demote the last super user.

use super::{internal, RequestBackend};
use crate::auth::password;
use crate::storage::people::UserRecord;
use crate::storage::StorageError;
use app::api::users::PeopleBackend;
use app::error::ApiError;
use secrecy::SecretString;
use shared::{NewUser, Role, UserView};

#[async_trait::async_trait]
impl PeopleBackend for RequestBackend {
    async fn list_users(&self) -> Result<Vec<UserView>, ApiError> {
        let workspace = self.super_user().await?;
        Ok(self.storage.list_users(workspace).await?)
    }

    #[tracing::instrument(skip_all)]
    async fn add_user(&self, user: NewUser) -> Result<UserView, ApiError> {
        let workspace = self.super_user().await?;
        let hash = password::hash(SecretString::from(user.password))
            .await
            .map_err(internal)?;
        let record = UserRecord {
            email: &user.email,
            name: &user.name,
            role: user.role,
            password_hash: &hash,
        };
        let created = self
            .storage
            .create_user(workspace, &record)
            .await
            .map_err(|e| match e {
                StorageError::Duplicate(_) => ApiError::Invalid {
                    field: "email".into(),
                    reason: "Email: someone with this email already has an account".into(),
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
}
