use crate::api::contacts::{ContactSyncState, ContactSyncStates};
use leptos::prelude::*;
use shared::when::{format_ago, format_unix_utc};

/// The contact detail's "Syncs" panel: per sync, the Salesforce record, the last push and the last error;
/// or a sentence saying no sync has touched the contact yet.
#[component]
pub fn ContactSyncsPanel(syncs: ContactSyncStates) -> impl IntoView {
    let ContactSyncStates { syncs, as_of } = syncs;
    let body = if syncs.is_empty() {
        view! {
            <p class="muted" data-testid="contact-syncs-empty">
                "No sync has pushed this contact yet. Once one does, its Salesforce record, last push and any error appear here."
            </p>
        }
        .into_any()
    } else {
        view! {
            <div class="table-scroll">
                <table class="table contact-syncs" data-testid="contact-syncs">
                    <thead>
                        <tr>
                            <th>"Sync"</th>
                            <th>"Salesforce record"</th>
                            <th>"Last pushed"</th>
                            <th>"Last error"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {syncs.into_iter().map(|state| view! { <SyncRow state as_of /> }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="panel">
            <h2>"Syncs"</h2>
            {body}
        </section>
    }
}

#[component]
fn SyncRow(state: ContactSyncState, as_of: i64) -> impl IntoView {
    let record = match (state.crm_url, state.crm_id) {
        (Some(url), Some(id)) => view! {
            <a href=url target="_blank" rel="noopener noreferrer">{id}</a>
        }
        .into_any(),
        (None, Some(id)) => view! { <code>{id}</code> }.into_any(),
        (_, None) => view! { <span class="muted">"—"</span> }.into_any(),
    };
    // The exact instant rides along as a tooltip: "3 h ago" is for reading, the instant for checking.
    let pushed = match state.last_pushed_at {
        Some(at) => view! {
            <time title=format_unix_utc(at)>{format_ago(at, as_of)}</time>
        }
        .into_any(),
        None => view! { <span class="muted">"Never"</span> }.into_any(),
    };
    let error = match state.last_error {
        Some(error) => view! { <span class="danger-text">{error}</span> }.into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    };
    view! {
        <tr>
            <td>
                <a href=format!("/crm/syncs/{}", state.sync_id)>{state.sync_name}</a>
            </td>
            <td>{record}</td>
            <td>{pushed}</td>
            <td>{error}</td>
        </tr>
    }
}
