//! Section 3, Actions: what happens when a contact matches, when it does not, and when it matches several.

use super::{Draft, FieldProblems};
use leptos::prelude::*;
use shared::sync::config::{DuplicatePolicy, MatchAction, NoMatchAction, Place};

#[component]
pub fn ActionsSection(draft: Draft) -> impl IntoView {
    let on_match = move || draft.config.with(|c| c.on_match);
    let on_no_match = move || draft.config.with(|c| c.on_no_match);
    let duplicates = move || draft.config.with(|c| c.duplicates);
    view! {
        <section class="panel config-section" aria-label="Actions">
            <h2><span class="step">"3"</span> " Actions"</h2>
            <div class="form-grid">
                <label>
                    "When a contact matches"
                    <select
                        name="on_match"
                        on:change=move |ev| {
                            let chosen = event_target_value(&ev);
                            if let Some(a) = MatchAction::ALL.into_iter().find(|a| a.label() == chosen) {
                                draft.config.update(|c| c.on_match = a);
                            }
                        }
                    >
                        {MatchAction::ALL
                            .into_iter()
                            .map(|a| view! { <option value=a.label() selected=move || on_match() == a>{a.label()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    "When it does not match"
                    <select
                        name="on_no_match"
                        on:change=move |ev| {
                            let chosen = event_target_value(&ev);
                            if let Some(a) = NoMatchAction::ALL.into_iter().find(|a| a.label() == chosen) {
                                draft.config.update(|c| c.on_no_match = a);
                            }
                        }
                    >
                        {NoMatchAction::ALL
                            .into_iter()
                            .map(|a| view! { <option value=a.label() selected=move || on_no_match() == a>{a.label()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    "When several CRM records match one contact"
                    <select
                        name="duplicates"
                        on:change=move |ev| {
                            let chosen = event_target_value(&ev);
                            if let Some(p) = DuplicatePolicy::ALL.into_iter().find(|p| p.label() == chosen) {
                                draft.config.update(|c| c.duplicates = p);
                            }
                        }
                    >
                        {DuplicatePolicy::ALL
                            .into_iter()
                            .map(|p| view! { <option value=p.label() selected=move || duplicates() == p>{p.label()}</option> })
                            .collect_view()}
                    </select>
                </label>
            </div>
            <FieldProblems draft place=Place::Actions />
        </section>
    }
}
