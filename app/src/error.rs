use crate::components::icon::Icon;
use leptos::prelude::*;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// The one error type that crosses the wire. Its `Display` is the sentence the user reads; internal detail
/// never goes in here (the server logs it under the reference id carried by `Internal`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ApiError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("Only {needed} can do this. Ask a super user of your workspace for access.")]
    Forbidden { needed: String },
    #[error("The email or password is incorrect.")]
    WrongCredentials,
    #[error("Too many failed sign-ins. Try again in {retry_after_secs} seconds.")]
    TooManyAttempts { retry_after_secs: u64 },
    /// Too many password checks are running or waiting already (`auth::gate`); nothing was checked.
    #[error("Too many sign-ins at once. Try again in {retry_after_secs} seconds.")]
    Busy { retry_after_secs: u64 },
    /// A super user chose this person's password; they must choose their own before anything else.
    #[error(
        "Choose a new password before you go on: a super user set the one you signed in with."
    )]
    PasswordChangeRequired,
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("{0}")]
    Conflict(String),
    #[error("{0} was not found.")]
    NotFound(String),
    /// The CRM refused or could not be reached; the text is written for the super user who must fix it.
    #[error("Salesforce: {0}")]
    Crm(String),
    #[error("Something went wrong on our side (ref {0}).")]
    Internal(String),
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

impl ApiError {
    /// The HTTP status a server function answers with when it fails this way.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Unauthenticated | ApiError::WrongCredentials => 401,
            ApiError::Forbidden { .. } | ApiError::PasswordChangeRequired => 403,
            ApiError::NotFound(_) => 404,
            ApiError::Conflict(_) => 409,
            ApiError::Invalid { .. } => 422,
            ApiError::TooManyAttempts { .. } | ApiError::Busy { .. } => 429,
            ApiError::Internal(_) => 500,
            ApiError::Crm(_) => 502,
            ApiError::Transport(_) => 502,
        }
    }

    pub fn super_users_only() -> Self {
        ApiError::Forbidden {
            needed: "super users".into(),
        }
    }

    /// For a 429: when to try again (the `Retry-After` header).
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            ApiError::TooManyAttempts { retry_after_secs }
            | ApiError::Busy { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// The sentence to show a person: for `Invalid` the reason alone (it names the field in words, where
    /// `Display` also carries the form key for logs and API clients).
    pub fn message(&self) -> String {
        match self {
            ApiError::Invalid { reason, .. } => reason.clone(),
            other => other.to_string(),
        }
    }

    /// For `Invalid`: the form field the problem belongs to.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl From<shared::NewUserError> for ApiError {
    fn from(e: shared::NewUserError) -> Self {
        ApiError::Invalid {
            field: e.field().to_owned(),
            reason: e.to_string(),
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(e: ServerFnErrorErr) -> Self {
        ApiError::Transport(e.to_string())
    }
}

/// Shows an [`ApiError`] as a finished-looking panel. Pages use it inside their `ErrorBoundary`-like
/// `match`es; it never panics on an empty error list because it takes exactly one error.
#[component]
pub fn ErrorView(error: ApiError) -> impl IntoView {
    let (title, icon) = match &error {
        ApiError::Forbidden { .. } => ("Super users only", "lock"),
        ApiError::Unauthenticated => ("Signed out", "key"),
        ApiError::PasswordChangeRequired => ("New password needed", "key"),
        ApiError::NotFound(_) => ("Not found", "compass"),
        _ => ("Something went wrong", "alert"),
    };
    view! {
        <div class="panel error-panel" role="alert" data-status=error.status()>
            <div class="empty-icon">
                <Icon name=icon />
            </div>
            <h2>{title}</h2>
            <p>{error.to_string()}</p>
        </div>
    }
}
