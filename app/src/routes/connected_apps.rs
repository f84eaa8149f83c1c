use crate::api::crm::list_connections;
use crate::components::{page_header::PageHeader, spinner::Loading};
use crate::error::ErrorView;
use leptos::prelude::*;
use leptos_meta::Title;

/// Account Settings → Connected Apps. Super users only.
#[component]
pub fn ConnectedAppsPage() -> impl IntoView {
    let connections = Resource::new(|| (), |_| list_connections());
    view! {
        <Title text="Connected Apps · Komo CRM Sync" />
        <PageHeader title="Connected Apps" crumb=("/settings", "Account Settings") />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match connections.await {
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                    Ok(list) => {
                        let connected = list.len();
                        view! {
                            <p class="muted">
                                "Connect the CRMs your contacts are pushed to. Credentials stay on the server."
                            </p>
                            <ul class="crm-list">
                                <li class="panel crm-card">
                                    <div class="crm-logo salesforce" aria-hidden="true">"SF"</div>
                                    <div class="crm-body">
                                        <h2>"Salesforce"</h2>
                                        <p class="muted">
                                            {if connected == 0 {
                                                "Not connected yet.".to_owned()
                                            } else {
                                                format!("{connected} org(s) connected.")
                                            }}
                                        </p>
                                    </div>
                                    <span class="badge">"Connect opens with the next release"</span>
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
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
