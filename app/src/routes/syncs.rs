//! CRM → Syncs: every sync of the workspace with its CRM, object, status and last run, and `+ Create Sync`.

use crate::api::crm::list_connections;
use crate::api::syncs::{list_syncs, sync_url, SyncSummary};
use crate::components::create_sync::CreateSyncDialog;
use crate::components::run_status::LastRunCell;
use crate::components::sync_menu::SyncMenu;
use crate::components::{empty_state::EmptyState, page_header::PageHeader, spinner::Loading};
use crate::error::ErrorView;
use crate::routes::helpers::show_date;
use leptos::prelude::*;
use leptos_meta::Title;
use shared::sync::status::SyncStatus;

/// Super users only: the server refuses everyone else, and this page shows that refusal.
#[component]
pub fn SyncsPage() -> impl IntoView {
    let changed = RwSignal::new(0_u32);
    // One resource per server function: each is serialized into the page on its own and read back as is.
    let connections = Resource::new(move || changed.get(), |_| list_connections());
    let syncs = Resource::new(move || changed.get(), |_| list_syncs());
    let creating = RwSignal::new(false);
    let refresh = Callback::new(move |()| changed.update(|n| *n += 1));

    // The header sits outside the Suspense so it is the same markup on the server and in the browser
    // whatever the data turns out to be.
    view! {
        <Title text="Syncs · Komo CRM Sync" />
        <PageHeader title="Syncs" crumb=("/crm/syncs", "CRM")>
            <button class="button primary" on:click=move |_| creating.set(true)>
                "+ Create Sync"
            </button>
        </PageHeader>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let (connections, syncs) = (connections.await, syncs.await);
                let loaded = connections.and_then(|c| Ok((c, syncs?)));
                match loaded {
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                    Ok((connections, syncs)) => {
                        let no_crm = connections.is_empty();
                        view! {
                            {move || creating.get().then(|| view! {
                                <CreateSyncDialog
                                    connections=connections.clone()
                                    on_close=move |()| creating.set(false)
                                />
                            })}
                            {if no_crm {
                                view! {
                                    <EmptyState
                                        icon="plug"
                                        title="Connect a CRM first"
                                        message="Syncs push your Komo contacts into a connected CRM. Connect your Salesforce org, then create a sync here."
                                    >
                                        <a class="button primary" href="/settings/connected-apps">"Go to Connected Apps"</a>
                                    </EmptyState>
                                }.into_any()
                            } else if syncs.is_empty() {
                                view! {
                                    <EmptyState
                                        icon="sync"
                                        title="No syncs yet"
                                        message="A sync pushes your Komo contacts into Salesforce as Contacts or Leads. Create one to choose which contacts and fields."
                                    />
                                }.into_any()
                            } else {
                                view! { <SyncTable syncs refresh /> }.into_any()
                            }}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn SyncTable(syncs: Vec<SyncSummary>, refresh: Callback<()>) -> impl IntoView {
    view! {
        <section class="panel">
            <div class="table-scroll">
                <table class="table syncs-table" data-testid="syncs-table">
                    <thead>
                        <tr>
                            <th>"Name"</th>
                            <th>"CRM"</th>
                            <th>"Object"</th>
                            <th>"Status"</th>
                            <th>"Last run"</th>
                            <th>"Created"</th>
                            <th>"Updated"</th>
                            <th><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {syncs.into_iter().map(|sync| view! { <SyncRow sync refresh /> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn SyncRow(sync: SyncSummary, refresh: Callback<()>) -> impl IntoView {
    let status_class = match sync.status {
        SyncStatus::Running => "status ok",
        SyncStatus::Stopped => "status neutral",
    };
    let sync_id = sync.id;
    view! {
        <tr data-sync-id=sync_id>
            <td><a href=sync_url(sync.id)><strong>{sync.name.clone()}</strong></a></td>
            <td>
                "Salesforce" <br />
                <span class="muted small">{sync.connection_domain.clone()}</span>
            </td>
            <td>{sync.object.api_name()}</td>
            <td><span class=status_class>{sync.status.label()}</span></td>
            <td><LastRunCell last_run=sync.last_run.clone() sync_id=sync.id /></td>
            <td>{show_date(Some(sync.created_at))}</td>
            <td>{show_date(Some(sync.updated_at))}</td>
            <td><SyncMenu sync on_changed=refresh /></td>
        </tr>
    }
}
