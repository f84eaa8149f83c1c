//! The frame every signed-in page sits in, as in Komo: navigation on the left of the top bar, the workspace
//! initials on the right opening Account Settings and Sign out.

use crate::api::session::{use_current_user, SessionActions};
use crate::components::spinner::Loading;
use crate::error::{ApiError, ErrorView};
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use shared::Me;

/// The signed-in person, for pages that adapt to the role (the server still checks every call).
#[derive(Clone)]
pub struct CurrentUser(pub Me);

#[component]
pub fn AppShell() -> impl IntoView {
    let me = use_current_user();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) if me.user.must_change_password => {
                        view! { <Redirect path=crate::CHANGE_PASSWORD_PATH /> }.into_any()
                    }
                    Ok(Some(me)) => {
                        provide_context(CurrentUser(me.clone()));
                        view! {
                            <TopBar me />
                            <main class="content">
                                <Outlet />
                            </main>
                        }
                            .into_any()
                    }
                    Ok(None) | Err(ApiError::Unauthenticated) => {
                        view! { <Redirect path="/sign-in" /> }.into_any()
                    }
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TopBar(me: Me) -> impl IntoView {
    let is_super = me.user.role.is_super_user();
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"k"</span>
                <span class="brand-name">"Komo CRM Sync"</span>
            </a>
            <nav class="main-nav" aria-label="Main">
                <A href="/contacts">"Contacts"</A>
                {is_super.then(|| view! { <A href="/crm/syncs">"CRM · Syncs"</A> })}
            </nav>
            <WorkspaceMenu me />
        </header>
    }
}

#[component]
fn WorkspaceMenu(me: Me) -> impl IntoView {
    let sign_out = use_context::<SessionActions>().map(|a| a.sign_out);
    // The menu closes itself after a choice: the shell stays mounted across navigations, so a plain
    // <details> would stay open over the next page.
    let open = RwSignal::new(false);
    view! {
        <details class="workspace-menu" prop:open=move || open.get()>
            <summary
                aria-label="Workspace menu"
                title=me.workspace.name.clone()
                on:click=move |ev| {
                    ev.prevent_default();
                    open.update(|o| *o = !*o);
                }
            >
                <span class="initials" data-testid="workspace-initials">
                    {me.workspace.initials.clone()}
                </span>
            </summary>
            <div class="menu" role="menu" on:click=move |_| open.set(false)>
                <div class="menu-who">
                    <strong>{me.user.name.clone()}</strong>
                    <span>{me.user.email.clone()}</span>
                    <span class="badge">{me.user.role.label()} " · " {me.workspace.name.clone()}</span>
                </div>
                <a role="menuitem" href="/settings">
                    "Account Settings"
                </a>
                <a role="menuitem" href=crate::CHANGE_PASSWORD_PATH>
                    "Change password"
                </a>
                {sign_out
                    .map(|action| {
                        view! {
                            <ActionForm action>
                                <button type="submit" role="menuitem" class="menu-button">
                                    "Sign out"
                                </button>
                            </ActionForm>
                        }
                    })}
            </div>
        </details>
    }
}
