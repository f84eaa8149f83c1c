//! The session check of the plain (non-server-function) routes that stream: imports, run progress and
//! run results. They authenticate by the session cookie, like the pages, are for super users only, and
//! answer failures with the same `ApiError` JSON as server functions.

use crate::backend::{Grant, RequestBackend};
use crate::state::AppState;
use crate::storage::{Storage, StorageError, WorkspaceId};
use app::error::ApiError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use tower_sessions::Session;

/// A refused or failed request, answered as `ApiError` JSON with its status.
pub struct Failure(pub ApiError);

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure(e)
    }
}

impl From<StorageError> for Failure {
    fn from(e: StorageError) -> Self {
        Failure(e.into())
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0)).into_response()
    }
}

/// A super user's session, as a streamed response keeps it: the workspace it may read, and the grant it
/// checks again as it goes ([`Holder::still_holds`]), so a user disabled, signed out everywhere or demoted
/// mid-stream loses the stream too.
#[derive(Clone)]
pub struct Holder {
    storage: Storage,
    workspace: WorkspaceId,
    grant: Grant,
}

impl Holder {
    pub fn workspace(&self) -> WorkspaceId {
        self.workspace
    }

    /// The session's claim, for work that checks it again outside a stream (an import).
    pub fn grant(&self) -> Grant {
        self.grant
    }

    /// Whether the session would still be let in. A database fault counts as no: a stream that cannot
    /// tell stops.
    pub async fn still_holds(&self) -> bool {
        match self.grant.still_valid(&self.storage, self.workspace).await {
            Ok(valid) => {
                if !valid {
                    tracing::info!(
                        user_id = self.grant.user_id,
                        "a stream ended: its user's access was taken away"
                    );
                }
                valid
            }
            Err(error) => {
                tracing::warn!(%error, "a stream ended: could not check its session");
                false
            }
        }
    }
}

/// The caller's session, when it belongs to a super user.
///
/// # Errors
/// 401 when signed out, 403 for anyone but a super user (or someone who must change their password).
pub async fn super_user(state: &AppState, session: Session) -> Result<Holder, ApiError> {
    let (workspace, grant) = RequestBackend::new(state, session)
        .super_user_grant()
        .await?;
    Ok(Holder {
        storage: state.storage.clone(),
        workspace,
        grant,
    })
}
