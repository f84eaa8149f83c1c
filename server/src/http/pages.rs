//! The two ways into the Leptos app: rendering a page and calling a server function. Both put a
//! [`RequestBackend`] for this request's session into context, so server functions run the same way in
//! SSR and over HTTP.

use super::client::client_address;
use crate::backend::RequestBackend;
use crate::state::AppState;
use app::api::backend::Backend;
use app::error::ErrorView;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_sessions::Session;

fn context_for(
    state: &AppState,
    session: Session,
    request: &Request<Body>,
) -> (
    Arc<RequestBackend>,
    impl Fn() + Clone + Send + Sync + 'static,
) {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let client = client_address(peer, request.headers(), &state.trusted_proxies);
    let backend = Arc::new(RequestBackend::new(state, session).with_client(client));
    let for_context: Arc<dyn Backend> = backend.clone();
    (backend, move || provide_context(for_context.clone()))
}

/// `/api/*`: server functions.
pub async fn server_fn(
    State(state): State<AppState>,
    session: Session,
    request: Request<Body>,
) -> Response {
    let (_, provide) = context_for(&state, session, &request);
    leptos_axum::handle_server_fns_with_context(provide, request)
        .await
        .into_response()
}

/// Every page route. Signed-out visitors are sent to sign-in; pages for super users answer 403 to anyone
/// else (the page itself shows why, because its server function refuses too).
pub async fn page(
    State(state): State<AppState>,
    session: Session,
    request: Request<Body>,
) -> Response {
    let path = request.uri().path().to_owned();
    let (backend, provide) = context_for(&state, session, &request);
    let caller = match backend.caller().await {
        Ok(caller) => caller,
        Err(error) => return error_page(&state, error),
    };
    let Some(me) = caller else {
        return if path == "/sign-in" {
            render(&state, provide, request).await
        } else {
            Redirect::to("/sign-in").into_response()
        };
    };
    if path == "/sign-in" {
        return Redirect::to("/").into_response();
    }
    // Someone whose password a super user chose sees nothing else until they have chosen their own.
    if me.user.must_change_password && path != app::CHANGE_PASSWORD_PATH {
        return Redirect::to(app::CHANGE_PASSWORD_PATH).into_response();
    }
    let forbidden = is_super_user_path(&path) && !me.user.role.is_super_user();
    let mut response = render(&state, provide, request).await;
    if forbidden {
        *response.status_mut() = StatusCode::FORBIDDEN;
    }
    response
}

fn is_super_user_path(path: &str) -> bool {
    app::SUPER_USER_PATHS
        .iter()
        .any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")))
}

async fn render(
    state: &AppState,
    provide: impl Fn() + Clone + Send + Sync + 'static,
    request: Request<Body>,
) -> Response {
    let options = state.leptos_options.clone();
    let handler =
        leptos_axum::render_route_with_context(state.routes.to_vec(), provide, move || {
            app::shell(options.clone())
        });
    handler(State(state.clone()), request).await
}

fn error_page(state: &AppState, error: app::error::ApiError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let options = state.leptos_options.clone();
    let html = leptos::tachys::view::RenderHtml::to_html(view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <link rel="stylesheet" href=format!("/{}/{}.css", options.site_pkg_dir, options.output_name) />
            </head>
            <body>
                <main class="content narrow">
                    <ErrorView error />
                </main>
            </body>
        </html>
    });
    (status, axum::response::Html(html)).into_response()
}

#[cfg(test)]
mod tests {
    use super::is_super_user_path;

    #[test]
    fn super_user_paths_match_whole_segments() {
        assert!(is_super_user_path("/crm/syncs"));
        assert!(is_super_user_path("/crm"));
        assert!(is_super_user_path("/settings/users"));
        assert!(is_super_user_path("/settings/connected-apps"));
        assert!(is_super_user_path("/settings/api-tokens"));
        assert!(is_super_user_path("/settings/contact-properties"));
        assert!(is_super_user_path("/contacts/import"));
        assert!(!is_super_user_path("/settings"));
        assert!(!is_super_user_path("/contacts"));
        assert!(!is_super_user_path("/crmx"));
    }
}
