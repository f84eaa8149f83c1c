//! `+ Create Sync`: which connected CRM, which data source, and a name. The new sync opens in its
//! configuration page.

use crate::api::crm::ConnectionSummary;
use crate::api::syncs::{configure_url, CreateSync};
use crate::components::modal::Modal;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use shared::sync::crm::CrmObject;

#[component]
pub fn CreateSyncDialog(
    connections: Vec<ConnectionSummary>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let connections_empty = connections.is_empty();
    let create = ServerAction::<CreateSync>::new();
    let connection = RwSignal::new(connections.first().map(|c| c.id).unwrap_or_default());
    let object = RwSignal::new(CrmObject::Contact);
    let name = RwSignal::new(String::new());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&configure_url(id), Default::default());
        }
    });
    let error = move || create.value().get().and_then(Result::err);
    let options = connections
        .into_iter()
        .map(|c| {
            view! { <option value=c.id.to_string()>{format!("Salesforce · {}", c.domain)}</option> }
        })
        .collect_view();

    if connections_empty {
        return view! {
            <Modal title="Create sync" on_close>
                <p>"A sync pushes contacts into a connected CRM, and none is connected yet."</p>
                <div class="form-actions">
                    <a class="button primary" href="/settings/connected-apps">"Go to Connected Apps"</a>
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                </div>
            </Modal>
        }
        .into_any();
    }
    view! {
        <Modal title="Create sync" on_close>
            <form on:submit=move |ev| {
                ev.prevent_default();
                create.dispatch(CreateSync {
                    connection_id: connection.get_untracked(),
                    object: object.get_untracked().api_name().to_owned(),
                    name: name.get_untracked(),
                });
            }>
                <label>
                    "CRM"
                    <select
                        name="connection_id"
                        on:change=move |ev| {
                            if let Ok(id) = event_target_value(&ev).parse() {
                                connection.set(id);
                            }
                        }
                    >
                        {options}
                    </select>
                </label>
                <fieldset class="choice-row">
                    <legend>"Data source"</legend>
                    {CrmObject::ALL
                        .into_iter()
                        .map(|o| {
                            view! {
                                <label class="choice">
                                    <input
                                        type="radio"
                                        name="object"
                                        value=o.api_name()
                                        prop:checked=move || object.get() == o
                                        on:change=move |_| object.set(o)
                                    />
                                    {o.api_name()}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <label>
                    "Internal name"
                    <input
                        name="name"
                        maxlength="100"
                        placeholder="Quiz entrants to Salesforce"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </label>
                {move || error().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                <div class="form-actions">
                    <button type="submit" class="button primary" prop:disabled=move || create.pending().get()>
                        "Create and configure"
                    </button>
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                </div>
            </form>
        </Modal>
    }
    .into_any()
}
