//! A run's failures grouped by Salesforce error code, each with how to fix it and a way to see its rows.

use crate::api::runs::ErrorGroup;
use leptos::prelude::*;
use shared::numbers::thousands;

#[component]
pub fn RunErrors(
    groups: Vec<ErrorGroup>,
    /// Shows the log rows of one code.
    #[prop(into)]
    on_show: Callback<String>,
) -> impl IntoView {
    if groups.is_empty() {
        return ().into_any();
    }
    view! {
        <section class="panel" aria-label="Errors by code">
            <h2>"Errors by code"</h2>
            <div class="table-scroll">
                <table class="table error-groups" data-testid="error-groups">
                    <thead>
                        <tr>
                            <th>"Error"</th>
                            <th class="num">"Contacts"</th>
                            <th>"How to fix it"</th>
                            <th></th>
                        </tr>
                    </thead>
                    <tbody>
                        {groups
                            .into_iter()
                            .map(|group| {
                                let code = group.code.clone();
                                view! {
                                    <tr data-code=group.code.clone()>
                                        <td class="mono">{group.code.clone()}</td>
                                        <td class="num">{thousands(group.count)}</td>
                                        <td>{group.hint}</td>
                                        <td>
                                            <button
                                                class="link-button"
                                                on:click=move |_| on_show.run(code.clone())
                                            >
                                                "Show rows"
                                            </button>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
