//! A centred dialog over a dimmed page, for short questions (rename, confirm delete) and small forms.

use leptos::prelude::*;

#[component]
pub fn Modal(
    title: &'static str,
    #[prop(into)] on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="modal-backdrop" on:click=move |_| on_close.run(())>
            <div
                class="panel modal"
                role="dialog"
                aria-modal="true"
                aria-label=title
                on:click=|ev| ev.stop_propagation()
            >
                <h2>{title}</h2>
                {children()}
            </div>
        </div>
    }
}
