//! Section 1, Data source: Contact or Lead, and the describe the field pickers come from (with a refresh).

use super::Draft;
use leptos::prelude::*;
use shared::sync::crm::CrmObject;

#[component]
pub fn SourceSection(
    draft: Draft,
    #[prop(into)] on_refresh: Callback<()>,
    #[prop(into)] loading: Signal<bool>,
) -> impl IntoView {
    let object = move || draft.config.with(|c| c.object);
    view! {
        <section class="panel config-section" aria-label="Data source">
            <h2><span class="step">"1"</span> " Data source"</h2>
            <p class="muted">"The Salesforce object your contacts become."</p>
            <div class="choice-row">
                {CrmObject::ALL
                    .into_iter()
                    .map(|o| view! {
                        <label class="choice">
                            <input
                                type="radio"
                                name="object"
                                value=o.api_name()
                                prop:checked=move || object() == o
                                on:change=move |_| draft.config.update(|c| c.object = o)
                            />
                            {o.api_name()}
                        </label>
                    })
                    .collect_view()}
            </div>
            <p class="muted small describe-line">
                {move || if loading.get() {
                    "Reading fields from Salesforce…".to_owned()
                } else {
                    format!("{} {} fields available from Salesforce.", draft.fields.with(Vec::len), object().api_name())
                }}
                " "
                <button type="button" class="link-button" on:click=move |_| on_refresh.run(())>
                    "Refresh fields"
                </button>
            </p>
        </section>
    }
}
