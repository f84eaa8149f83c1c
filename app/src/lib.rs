//! The Komo CRM Sync user interface: Leptos components rendered on the server and hydrated in the browser,
//! plus the `#[server]` functions they call. Reading order:
// The sync pages nest deep view types; the release wasm build needs more than the default 128 to lay them out.
#![recursion_limit = "256"]

/// `#[server]` functions, one file per resource, each with the backend trait the server implements for it.
pub mod api;
/// The browser's file and fetch APIs, for the import page (real only under `hydrate`).
pub mod browser;
/// Data a view loads only once it is live in the browser (hydrates the same however the page was reached).
pub mod browser_load;
/// Reusable views. Most take props only; a few that act on one thing (a sync's menu, the create dialog)
/// own their server actions.
pub mod components;
/// `ApiError`, the one error that crosses the wire, and the view that shows it.
pub mod error;
/// "Leave with unsaved changes?"
pub mod leave_guard;
/// One file per page.
pub mod routes;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ParentRoute, Redirect, Route, Router, Routes},
    path,
};

/// The HTML document the server renders around [`App`].
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    api::session::provide_session_actions();

    view! {
        <Stylesheet id="leptos" href="/pkg/komo-sync.css" />
        <Title text="Komo CRM Sync" />
        <Router>
            <Routes fallback=routes::not_found::NotFoundPage>
                <Route path=path!("/sign-in") view=routes::sign_in::SignInPage />
                <Route
                    path=path!("/account/password")
                    view=routes::change_password::ChangePasswordPage
                />
                <ParentRoute path=path!("") view=components::shell::AppShell>
                    <Route path=path!("") view=|| view! { <Redirect path="/contacts" /> } />
                    <Route path=path!("/contacts") view=routes::contacts::ContactsPage />
                    <Route path=path!("/contacts/import") view=routes::contact_import::ContactImportPage />
                    <Route path=path!("/contacts/:id") view=routes::contact_detail::ContactDetailPage />
                    <Route path=path!("/settings/api-tokens") view=routes::api_tokens::ApiTokensPage />
                    <Route
                        path=path!("/settings/contact-properties")
                        view=routes::contact_properties::ContactPropertiesPage
                    />
                    <Route path=path!("/crm/syncs") view=routes::syncs::SyncsPage />
                    <Route path=path!("/crm/syncs/:id") view=routes::sync_page::SyncPage />
                    <Route
                        path=path!("/crm/syncs/:id/configure")
                        view=routes::sync_configure::SyncConfigurePage
                    />
                    <Route
                        path=path!("/crm/syncs/:id/runs/:run_id")
                        view=routes::sync_run::SyncRunPage
                    />
                    <Route path=path!("/settings") view=routes::settings::AccountSettingsPage />
                    <Route
                        path=path!("/settings/connected-apps")
                        view=routes::connected_apps::ConnectedAppsPage
                    />
                    <Route path=path!("/settings/users") view=routes::users::UsersPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Where anyone changes their own password, and where someone whose password a super user set is sent
/// until they have.
pub const CHANGE_PASSWORD_PATH: &str = "/account/password";

/// Paths only super users may open; the server also answers them with 403 for anyone else.
pub const SUPER_USER_PATHS: [&str; 6] = [
    "/crm",
    "/contacts/import",
    "/settings/connected-apps",
    "/settings/users",
    "/settings/api-tokens",
    "/settings/contact-properties",
];

/// Entry point of the WASM bundle.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    // A marker for the browser tests (and anyone debugging): the page is interactive from here on.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
