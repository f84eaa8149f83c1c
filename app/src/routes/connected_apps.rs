use crate::api::crm::{
    list_connections, ConnectionSummary, Disconnect, SaveConnection, TestConnection,
};
use crate::components::connection_card::ConnectionCard;
use crate::components::connection_form::ConnectionFormView;
use crate::components::{page_header::PageHeader, spinner::Loading};
use crate::error::ErrorView;
use leptos::prelude::*;
use leptos_meta::Title;

/// What the form is doing: connecting a new org or editing a saved one.
#[derive(Clone)]
enum Editing {
    New,
    Existing(Box<ConnectionSummary>),
}

/// Account Settings → Connected Apps. Super users only (the server refuses everyone else).
#[component]
pub fn ConnectedAppsPage() -> impl IntoView {
    let test = ServerAction::<TestConnection>::new();
    let save = ServerAction::<SaveConnection>::new();
    let disconnect = ServerAction::<Disconnect>::new();
    let card_test = ServerAction::<TestConnection>::new();
    let connections = Resource::new(
        move || {
            (
                save.version().get(),
                disconnect.version().get(),
                card_test.version().get(),
            )
        },
        |_| list_connections(),
    );
    let editing = RwSignal::new(None::<Editing>);
    // A successful Connect closes the form; the list refetches on the action's version.
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(_))) {
            editing.set(None);
        }
    });
    let open_form = move |mode: Editing| {
        test.clear();
        save.clear();
        editing.set(Some(mode));
    };

    view! {
        <Title text="Connected Apps · Komo CRM Sync" />
        <PageHeader title="Connected Apps" crumb=("/settings", "Account Settings") />
        <p class="muted">"Connect the CRMs your contacts are pushed to. Credentials stay on the server."</p>
        <ul class="crm-list">
            <li class="panel crm-card">
                <div class="crm-logo salesforce" aria-hidden="true">"SF"</div>
                <div class="crm-body">
                    <h2>"Salesforce"</h2>
                    <p class="muted">"Contacts and Leads, through a connected app with the client credentials flow."</p>
                </div>
                <button class="button primary" on:click=move |_| open_form(Editing::New)>
                    "Connect"
                </button>
            </li>
            <li class="panel crm-card disabled">
                <div class="crm-logo mc" aria-hidden="true">"MC"</div>
                <div class="crm-body">
                    <h2>"Salesforce Marketing Cloud"</h2>
                    <p class="muted">"Push contacts into Marketing Cloud data extensions."</p>
                </div>
                <span class="badge">"Coming soon"</span>
            </li>
        </ul>
        {move || {
            editing
                .get()
                .map(|mode| {
                    let editing_connection = match mode {
                        Editing::New => None,
                        Editing::Existing(c) => Some(*c),
                    };
                    view! {
                        <ConnectionFormView
                            editing=editing_connection
                            test
                            save
                            on_cancel=move |()| editing.set(None)
                        />
                    }
                })
        }}
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match connections.await {
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                    Ok(list) if list.is_empty() => {
                        view! {
                            <p class="muted empty-line">
                                "No org connected yet. Press Connect next to Salesforce to add one."
                            </p>
                        }
                            .into_any()
                    }
                    Ok(list) => {
                        view! {
                            <h2 class="section-title">"Your connections"</h2>
                            <ul class="connection-list">
                                {list
                                    .into_iter()
                                    .map(|connection| {
                                        view! {
                                            <ConnectionCard
                                                connection
                                                on_edit=move |c| open_form(Editing::Existing(Box::new(c)))
                                                on_test=move |c: ConnectionSummary| {
                                                    card_test.dispatch(TestConnection {
                                                        connection_id: Some(c.id),
                                                        domain: c.domain,
                                                        client_id: c.client_id,
                                                        client_secret: String::new(),
                                                    });
                                                }
                                                on_disconnect=move |connection_id| {
                                                    disconnect.dispatch(Disconnect { connection_id });
                                                }
                                            />
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
        {move || {
            disconnect
                .value()
                .get()
                .and_then(Result::err)
                .map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })
        }}
    }
}
