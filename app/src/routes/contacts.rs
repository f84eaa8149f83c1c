use crate::components::{empty_state::EmptyState, page_header::PageHeader};
use leptos::prelude::*;
use leptos_meta::Title;

/// Contacts collected by the workspace's hubs. The contact store arrives with its own issue; until then the
/// page says what will be here.
#[component]
pub fn ContactsPage() -> impl IntoView {
    view! {
        <Title text="Contacts · Komo CRM Sync" />
        <PageHeader title="Contacts" />
        <EmptyState
            icon="users"
            title="No contacts yet"
            message="Contacts collected by your competitions, quizzes and forms will appear here, ready to sync to your CRM."
        />
    }
}
