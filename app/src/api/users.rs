//! The workspace's people: list, add, change role, disable or enable, delete, reset a password, sign out
//! everywhere (super users only).

use crate::error::ApiError;
use leptos::prelude::*;
use shared::UserView;

/// The server side of the people page. Super users only, every method.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait PeopleBackend: Send + Sync {
    async fn list_users(&self) -> Result<Vec<UserView>, ApiError>;
    async fn add_user(&self, user: shared::NewUser) -> Result<UserView, ApiError>;
    /// The last super user of a workspace cannot be demoted.
    async fn change_role(&self, user_id: i64, role: shared::Role) -> Result<UserView, ApiError>;
    /// A disabled user cannot sign in and their sessions end at once. Not oneself, and not the last
    /// enabled super user.
    async fn disable_user(&self, user_id: i64) -> Result<UserView, ApiError>;
    async fn enable_user(&self, user_id: i64) -> Result<UserView, ApiError>;
    /// Deletes the account; runs and saved versions keep the name. Not oneself, and not the last enabled
    /// super user.
    async fn delete_user(&self, user_id: i64) -> Result<(), ApiError>;
    /// Ends every session the user holds, on every device and instance.
    async fn sign_out_user(&self, user_id: i64) -> Result<(), ApiError>;
    /// Sets a password the user must replace at their next sign-in; ends their sessions.
    async fn reset_password(
        &self,
        user_id: i64,
        password: shared::NewPassword,
    ) -> Result<UserView, ApiError>;
}

#[server(endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<UserView>, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.list_users().await }).await
}

#[server(endpoint = "add_user")]
pub async fn add_user(
    email: String,
    name: String,
    role: String,
    password: String,
) -> Result<UserView, ApiError> {
    use super::{respond, super_user_backend};
    respond(async {
        let backend = super_user_backend().await?;
        let user = shared::NewUser::parse(&email, &name, &role, &password)?;
        backend.add_user(user).await
    })
    .await
}

#[server(endpoint = "change_role")]
pub async fn change_role(user_id: i64, role: String) -> Result<UserView, ApiError> {
    use super::{respond, super_user_backend};
    respond(async {
        let backend = super_user_backend().await?;
        let role = shared::Role::parse(&role)?;
        backend.change_role(user_id, role).await
    })
    .await
}

#[server(endpoint = "disable_user")]
pub async fn disable_user(user_id: i64) -> Result<UserView, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.disable_user(user_id).await }).await
}

#[server(endpoint = "enable_user")]
pub async fn enable_user(user_id: i64) -> Result<UserView, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.enable_user(user_id).await }).await
}

#[server(endpoint = "delete_user")]
pub async fn delete_user(user_id: i64) -> Result<(), ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.delete_user(user_id).await }).await
}

#[server(endpoint = "sign_out_user")]
pub async fn sign_out_user(user_id: i64) -> Result<(), ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.sign_out_user(user_id).await }).await
}

#[server(endpoint = "reset_password")]
pub async fn reset_password(user_id: i64, password: String) -> Result<UserView, ApiError> {
    use super::{respond, super_user_backend};
    respond(async {
        let backend = super_user_backend().await?;
        let password = shared::NewPassword::parse(&password)?;
        backend.reset_password(user_id, password).await
    })
    .await
}
