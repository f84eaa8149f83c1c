//! First start: a database with no workspace gets one, with a super user.

use crate::auth::password;
use crate::config::Bootstrap;
use crate::storage::people::UserRecord;
use crate::storage::{Storage, StorageError};
use secrecy::{ExposeSecret, SecretString};
use shared::Role;

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Password(#[from] password::PasswordError),
}

/// What a first start created, so `main` can tell the person at the terminal how to sign in.
pub struct FirstStart {
    pub email: String,
    /// Present only when the password was generated: it is shown once and stored only as a hash.
    pub generated_password: Option<SecretString>,
}

/// Creates the first workspace and super user when there is no workspace yet; does nothing otherwise.
///
/// # Errors
/// Database or hashing faults.
pub async fn ensure_first_workspace(
    storage: &Storage,
    bootstrap: &Bootstrap,
) -> Result<Option<FirstStart>, BootstrapError> {
    if storage.count_workspaces().await? > 0 {
        return Ok(None);
    }
    let (password, generated) = match &bootstrap.admin_password {
        Some(given) => (given.clone(), false),
        None => (SecretString::from(password::generate()), true),
    };
    let hash = password::hash(password.clone()).await?;
    let workspace = storage.create_workspace(&bootstrap.workspace_name).await?;
    storage
        .create_user(
            workspace,
            &UserRecord {
                email: &bootstrap.admin_email,
                name: &bootstrap.admin_name,
                role: Role::SuperUser,
                password_hash: &hash,
                // A generated password was printed to a terminal: its reader chooses their own at once.
                must_change_password: generated,
            },
        )
        .await?;
    tracing::info!(
        workspace_id = workspace.0,
        "created the first workspace and its super user"
    );
    Ok(Some(FirstStart {
        email: bootstrap.admin_email.to_string(),
        generated_password: generated.then_some(password),
    }))
}

impl FirstStart {
    /// The sign-in note printed once to the terminal (not the log): the only time a generated password
    /// is ever shown.
    pub fn print(&self, url: &str) {
        let password = match &self.generated_password {
            Some(p) => p.expose_secret().to_owned(),
            None => "(the KOMO_ADMIN_PASSWORD you set)".to_owned(),
        };
        println!(
            "\n  ┌─ Komo CRM Sync: first start ───────────────────────────\n  │ Sign in at {url}\n  │   email:    {}\n  │   password: {password}\n  │ This password is shown only once.{}\n  └────────────────────────────────────────────────────────\n",
            self.email,
            if self.generated_password.is_some() {
                " You choose your own at first sign-in."
            } else {
                " Keep it somewhere safe."
            }
        );
    }
}
