use crate::api::crm::list_connections;
use crate::components::{empty_state::EmptyState, page_header::PageHeader, spinner::Loading};
use crate::error::ErrorView;
use leptos::prelude::*;
use leptos_meta::Title;

/// CRM → Syncs. Super users only: the server refuses everyone else, and this page shows that refusal.
#[component]
pub fn SyncsPage() -> impl IntoView {
    let connections = Resource::new(|| (), |_| list_connections());
    view! {
        <Title text="Syncs · Komo CRM Sync" />
        <PageHeader title="Syncs" crumb=("/crm/syncs", "CRM") />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match connections.await {
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                    Ok(list) if list.is_empty() => {
                        view! {
                            <EmptyState
                                icon="plug"
                                title="Connect a CRM first"
                                message="Syncs push your Komo contacts into a connected CRM. Connect your Salesforce org, then create a sync here."
                            >
                                <a class="button primary" href="/settings/connected-apps">
                                    "Go to Connected Apps"
                                </a>
                            </EmptyState>
                        }
                            .into_any()
                    }
                    Ok(_) => {
                        view! {
                            <EmptyState
                                icon="sync"
                                title="No syncs yet"
                                message="Each sync you create will be listed here with its status and last run."
                            />
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
