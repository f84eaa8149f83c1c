//! The workspace's people: list, add, change role (super users only).

use crate::error::ApiError;
use leptos::prelude::*;
use shared::UserView;

#[server(endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<UserView>, ApiError> {
    use super::{backend, respond};
    respond(backend()?.list_users().await)
}

#[server(endpoint = "add_user")]
pub async fn add_user(
    email: String,
    name: String,
    role: String,
    password: String,
) -> Result<UserView, ApiError> {
    use super::{backend, respond};
    let backend = backend()?;
    respond(backend.require_super_user().await)?;
    let user =
        respond(shared::NewUser::parse(&email, &name, &role, &password).map_err(ApiError::from))?;
    respond(backend.add_user(user).await)
}

#[server(endpoint = "change_role")]
pub async fn change_role(user_id: i64, role: String) -> Result<UserView, ApiError> {
    use super::{backend, respond};
    let backend = backend()?;
    respond(backend.require_super_user().await)?;
    let role = respond(shared::Role::parse(&role).map_err(ApiError::from))?;
    respond(backend.change_role(user_id, role).await)
}
