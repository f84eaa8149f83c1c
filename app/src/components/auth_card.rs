//! The card the pages outside the shell stand on (sign-in, choosing a password): the brand, then the
//! page's own content, centred.

use leptos::prelude::*;

#[component]
pub fn AuthCard(children: Children) -> impl IntoView {
    view! {
        <main class="sign-in">
            <div class="panel sign-in-card">
                <div class="brand sign-in-brand">
                    <span class="brand-mark" aria-hidden="true">"k"</span>
                    <span class="brand-name">"Komo CRM Sync"</span>
                </div>
                {children()}
            </div>
        </main>
    }
}
