//! Who is signed in, signing in and out.

use crate::error::ApiError;
use leptos::prelude::*;
use shared::Me;

/// The server side of signing in and out, and the role check of the functions that judge their input
/// first.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait SessionBackend: Send + Sync {
    /// The signed-in person, or `None` when signed out.
    async fn me(&self) -> Result<Option<Me>, ApiError>;
    /// Checks the password and starts a session. One generic error for any wrong email or password.
    async fn sign_in(&self, email: String, password: String) -> Result<Me, ApiError>;
    async fn sign_out(&self) -> Result<(), ApiError>;
    /// The caller's own password, given the current one. Ends every other session of theirs; this one
    /// carries on. The one thing someone whose password a super user set may do.
    async fn change_password(
        &self,
        current: String,
        new: shared::NewPassword,
    ) -> Result<Me, ApiError>;
    /// Refuses anyone but a super user; see `api::super_user_backend`.
    async fn require_super_user(&self) -> Result<(), ApiError>;
}

#[server(endpoint = "me")]
pub async fn current_user() -> Result<Option<Me>, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.me().await }).await
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<Me, ApiError> {
    use super::{backend, respond};
    let me = respond(async { backend()?.sign_in(email, password).await }).await?;
    leptos_axum::redirect("/");
    Ok(me)
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.sign_out().await }).await?;
    leptos_axum::redirect("/sign-in");
    Ok(())
}

#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<Me, ApiError> {
    use super::{backend, respond};
    let me = respond(async {
        let backend = backend()?;
        let new = shared::NewPassword::parse(&new_password).map_err(|e| ApiError::Invalid {
            field: "new_password".into(),
            reason: format!("New {}", e.to_string().to_lowercase()),
        })?;
        if confirm_password != new_password {
            return Err(ApiError::Invalid {
                field: "confirm_password".into(),
                reason: "Repeat the new password: it does not match".into(),
            });
        }
        backend.change_password(current_password, new).await
    })
    .await?;
    leptos_axum::redirect("/");
    Ok(me)
}

/// The app-wide sign-in and sign-out actions; the shell's `current_user` resource refetches when either runs.
#[derive(Clone, Copy)]
pub struct SessionActions {
    pub sign_in: ServerAction<SignIn>,
    pub sign_out: ServerAction<SignOut>,
    pub change_password: ServerAction<ChangePassword>,
}

pub fn provide_session_actions() {
    provide_context(SessionActions {
        sign_in: ServerAction::<SignIn>::new(),
        sign_out: ServerAction::<SignOut>::new(),
        change_password: ServerAction::<ChangePassword>::new(),
    });
}

/// The signed-in person, reloaded after every sign-in, sign-out or password change.
pub fn use_current_user() -> Resource<Result<Option<Me>, ApiError>> {
    let actions = use_context::<SessionActions>();
    Resource::new(
        move || {
            actions.map(|a| {
                (
                    a.sign_in.version().get(),
                    a.sign_out.version().get(),
                    a.change_password.version().get(),
                )
            })
        },
        |_| current_user(),
    )
}
