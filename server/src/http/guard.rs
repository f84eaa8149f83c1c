//! The session check of the plain (non-server-function) routes that stream: imports, run progress and
//! run results. They authenticate by the session cookie, like the pages, are for super users only, and
//! answer failures with the same `ApiError` JSON as server functions.

use crate::backend::RequestBackend;
use crate::state::AppState;
use crate::storage::{StorageError, WorkspaceId};
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

/// The caller's workspace, when the session belongs to a super user.
///
/// # Errors
/// 401 when signed out, 403 for anyone but a super user.
pub async fn super_user(state: &AppState, session: Session) -> Result<WorkspaceId, ApiError> {
    let me = RequestBackend::new(state, session)
        .caller()
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    if !me.user.role.is_super_user() {
        tracing::info!(
            user_id = me.user.id,
            "refused a streamed route: super users only"
        );
        return Err(ApiError::super_users_only());
    }
    Ok(WorkspaceId(me.workspace.id))
}
