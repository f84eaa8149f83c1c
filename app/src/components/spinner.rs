use leptos::prelude::*;

#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <div class="loading" aria-busy="true">
            <span class="spinner" aria-hidden="true"></span>
            "Loading…"
        </div>
    }
}
