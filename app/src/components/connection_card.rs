use crate::api::crm::{ConnectionStatus, ConnectionSummary};
use leptos::prelude::*;
use shared::numbers::thousands;
use shared::when::format_unix_utc;

/// One saved connection: status, org, run-as user, last successful test and API usage, with its actions.
#[component]
pub fn ConnectionCard(
    connection: ConnectionSummary,
    #[prop(into)] on_edit: Callback<ConnectionSummary>,
    #[prop(into)] on_test: Callback<ConnectionSummary>,
    #[prop(into)] on_disconnect: Callback<i64>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let (status_class, status_label) = match connection.status {
        ConnectionStatus::Connected => ("status ok", "Connected"),
        ConnectionStatus::Failing => ("status failed", "Failing"),
    };
    let usage = connection.api_usage.map(|(used, allowed)| {
        let percent = if allowed > 0 { (used * 100 / allowed).clamp(0, 100) } else { 0 };
        view! {
            <div class="usage">
                <div class="usage-bar" role="progressbar" aria-valuenow=percent aria-valuemin="0" aria-valuemax="100">
                    <span style=format!("width: {percent}%")></span>
                </div>
                <small class="muted">
                    {format!("{} of {} API calls used in the last 24 hours", thousands(used), thousands(allowed))}
                </small>
            </div>
        }
    });
    let for_edit = connection.clone();
    let for_test = connection.clone();
    let id = connection.id;
    view! {
        <li class="panel connection-card" data-testid="connection">
            <div class="connection-head">
                <div>
                    <h3>{connection.domain.clone()}</h3>
                    <span class=status_class>{status_label}</span>
                </div>
                <div class="connection-actions">
                    <button class="button" on:click=move |_| on_test.run(for_test.clone())>"Test"</button>
                    <button class="button" on:click=move |_| on_edit.run(for_edit.clone())>"Edit"</button>
                    {move || {
                        if confirming.get() {
                            view! {
                                <button class="button danger" on:click=move |_| on_disconnect.run(id)>
                                    "Confirm disconnect"
                                </button>
                            }
                                .into_any()
                        } else {
                            view! {
                                <button class="button" on:click=move |_| confirming.set(true)>"Disconnect"</button>
                            }
                                .into_any()
                        }
                    }}
                </div>
            </div>
            <dl class="facts">
                <dt>"Run-as user"</dt>
                <dd>{connection.run_as_username.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Org ID"</dt>
                <dd>{connection.org_id.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Client ID"</dt>
                <dd class="mono">{connection.client_id.clone()}</dd>
                <dt>"Last successful test"</dt>
                <dd>{connection.last_success_at.map_or_else(|| "never".to_owned(), format_unix_utc)}</dd>
            </dl>
            {connection.last_error.clone().map(|e| view! { <p class="form-error">{e}</p> })}
            {usage}
        </li>
    }
}
