//! Section 6, Connection: the Salesforce org the sync writes to. It is only shown here; it is changed and
//! tested on the Connected Apps page.

use leptos::prelude::*;

#[component]
pub fn ConnectionSection(domain: String) -> impl IntoView {
    view! {
        <section class="panel config-section" aria-label="Connection">
            <h2><span class="step">"6"</span> " Connection"</h2>
            <p>
                "Salesforce · " <span class="mono">{domain}</span> " "
                <a href="/settings/connected-apps">"Edit or re-test in Connected Apps"</a>
            </p>
        </section>
    }
}
