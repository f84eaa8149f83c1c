use crate::components::empty_state::EmptyState;
use leptos::prelude::*;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="content narrow">
            <EmptyState icon="compass" title="Page not found" message="There is nothing at this address.">
                <a class="button" href="/">
                    "Go to the start page"
                </a>
            </EmptyState>
        </main>
    }
}
