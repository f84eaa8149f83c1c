use crate::components::icon::Icon;
use leptos::prelude::*;

/// A friendly panel for a list with nothing in it yet: what will appear here and how to get there.
#[component]
pub fn EmptyState(
    icon: &'static str,
    title: &'static str,
    #[prop(into)] message: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="panel empty-state">
            <div class="empty-icon">
                <Icon name=icon />
            </div>
            <h2>{title}</h2>
            <p>{message}</p>
            {children.map(|c| view! { <div class="empty-actions">{c()}</div> })}
        </div>
    }
}
