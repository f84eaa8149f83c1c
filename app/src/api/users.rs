//! The workspace's people: list, add, change role (super users only).

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
