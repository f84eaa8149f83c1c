//! The Connected Apps form: (A) CRM Domain Name, (B) Client ID, (C) Client Secret, (D) Test, (E) Connect.
//! It takes the actions as props and never calls a server function itself.

use crate::api::crm::{ConnectionSummary, SaveConnection, TestConnection};
use leptos::prelude::*;

#[component]
pub fn ConnectionFormView(
    /// The connection being edited; `None` to connect a new org.
    editing: Option<ConnectionSummary>,
    test: ServerAction<TestConnection>,
    save: ServerAction<SaveConnection>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let connection_id = editing.as_ref().map(|c| c.id);
    let domain = RwSignal::new(
        editing
            .as_ref()
            .map(|c| c.domain.clone())
            .unwrap_or_default(),
    );
    let client_id = RwSignal::new(
        editing
            .as_ref()
            .map(|c| c.client_id.clone())
            .unwrap_or_default(),
    );
    let secret = RwSignal::new(String::new());
    let form_values = move || {
        (
            connection_id,
            domain.get_untracked(),
            client_id.get_untracked(),
            secret.get_untracked(),
        )
    };

    let run_test = move |_| {
        let (connection_id, domain, client_id, client_secret) = form_values();
        test.dispatch(TestConnection {
            connection_id,
            domain,
            client_id,
            client_secret,
        });
    };
    let run_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (connection_id, domain, client_id, client_secret) = form_values();
        save.dispatch(SaveConnection {
            connection_id,
            domain,
            client_id,
            client_secret,
        });
    };

    let save_error = move || save.value().get().and_then(Result::err);
    let field_error = move |field: &'static str| {
        move || {
            save_error()
                .or_else(|| test.value().get().and_then(Result::err))
                .filter(|e| e.field() == Some(field))
                .map(|e| view! { <p class="field-error" role="alert">{e.message()}</p> })
        }
    };
    let title = if editing.is_some() {
        "Edit Salesforce connection"
    } else {
        "Connect Salesforce"
    };
    let secret_hint = if editing.is_some() {
        "Leave blank to keep the stored secret."
    } else {
        "Stored encrypted; never shown again."
    };

    view! {
        <form class="panel connection-form" on:submit=run_save aria-label=title>
            <h2>{title}</h2>
            <label>
                <span><b class="step">"A"</b> " CRM Domain Name"</span>
                <input
                    name="domain"
                    placeholder="acme.my.salesforce.com"
                    autocomplete="off"
                    prop:value=move || domain.get()
                    on:input=move |ev| domain.set(event_target_value(&ev))
                />
                <small class="muted">"Your org's My Domain, from Setup → My Domain."</small>
                {field_error("domain")}
            </label>
            <label>
                <span><b class="step">"B"</b> " Client ID (consumer key)"</span>
                <input
                    name="client_id"
                    autocomplete="off"
                    prop:value=move || client_id.get()
                    on:input=move |ev| client_id.set(event_target_value(&ev))
                />
                {field_error("client_id")}
            </label>
            <label>
                <span><b class="step">"C"</b> " Client Secret (consumer secret)"</span>
                <input
                    name="client_secret"
                    type="password"
                    autocomplete="new-password"
                    prop:value=move || secret.get()
                    on:input=move |ev| secret.set(event_target_value(&ev))
                />
                <small class="muted">{secret_hint}</small>
                {field_error("client_secret")}
            </label>
            <div class="test-connection">
                <span><b class="step">"D"</b> " Test Connection"</span>
                <button type="button" class="button" on:click=run_test disabled=move || test.pending().get()>
                    {move || if test.pending().get() { "Testing…" } else { "Test" }}
                </button>
                {move || {
                    test.value()
                        .get()
                        .and_then(Result::ok)
                        .map(|result| {
                            let class = if result.ok { "test-result ok" } else { "test-result failed" };
                            view! {
                                <p class=class role="status" data-testid="test-result">
                                    {result.message}
                                </p>
                            }
                        })
                }}
            </div>
            {move || {
                save_error()
                    .filter(|e| e.field() == Some("connection") || e.field().is_none())
                    .map(|e| view! { <p class="form-error" role="alert">{e.message()}</p> })
            }}
            <div class="form-actions">
                <button type="submit" class="button primary" disabled=move || save.pending().get()>
                    <b class="step">"E"</b>
                    {move || if save.pending().get() { " Connecting…" } else { " Connect" }}
                </button>
                <button type="button" class="button" on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}
