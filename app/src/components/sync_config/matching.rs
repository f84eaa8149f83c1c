//! Section 2, Match: which Komo field finds the CRM record (Email ↔ Email by default). An External ID field means
//! one upsert call does both insert and update.

use super::{crm_field_text, Draft, FieldProblems};
use leptos::prelude::*;
use shared::sync::config::{compatible, MatchAction, NoMatchAction, Place};

#[component]
pub fn MatchSection(draft: Draft) -> impl IntoView {
    let komo_field = move || draft.config.with(|c| c.match_pair.komo_field.clone());
    let crm_field = move || draft.config.with(|c| c.match_pair.crm_field.clone());
    let komo_options = move || {
        draft.catalog.with(|catalog| {
            catalog
                .fields()
                .iter()
                .map(|f| {
                    let key = f.key.clone();
                    view! {
                        <option value=key.clone() selected=move || komo_field() == key>
                            {f.label.clone()}
                        </option>
                    }
                })
                .collect_view()
        })
    };
    // Only CRM fields that can hold the chosen Komo field's type.
    let crm_options = move || {
        let komo_type = draft
            .catalog
            .with(|c| c.find(&komo_field()).map(|f| f.field_type));
        draft.fields.with(|fields| {
            fields
                .iter()
                .filter(|f| komo_type.is_none_or(|t| compatible(t, &f.field_type)))
                .filter(|f| f.field_type != "reference" && f.field_type != "boolean")
                .map(|f| {
                    let name = f.name.clone();
                    let text = if f.external_id {
                        format!("{} · External ID", crm_field_text(f))
                    } else {
                        crm_field_text(f)
                    };
                    view! {
                        <option value=name.clone() selected=move || crm_field().eq_ignore_ascii_case(&name)>
                            {text}
                        </option>
                    }
                })
                .collect_view()
        })
    };
    let hint = move || {
        let config = draft.config.get();
        let field = draft.crm_field(&config.match_pair.crm_field);
        let both =
            config.on_match == MatchAction::Update && config.on_no_match == NoMatchAction::Insert;
        match field {
            Some(f) if f.external_id && both => format!(
                "{} is an External ID: contacts are upserted by it, one call inserting or updating.",
                f.label
            ),
            Some(f) if f.field_type == "email" => {
                "Emails are compared without regard to case.".to_owned()
            }
            _ => "Text is compared without regard to case or surrounding spaces.".to_owned(),
        }
    };
    view! {
        <section class="panel config-section" aria-label="Match">
            <h2><span class="step">"2"</span> " Match"</h2>
            <p class="muted">"How a Komo contact finds its Salesforce record."</p>
            <div class="pair-row">
                <label>
                    "Komo field"
                    <select
                        name="match_komo"
                        aria-label="Komo match field"
                        on:change=move |ev| {
                            let key = event_target_value(&ev);
                            draft.config.update(|c| c.match_pair.komo_field = key);
                        }
                    >
                        {komo_options}
                    </select>
                </label>
                <span class="pair-arrow" aria-hidden="true">"↔"</span>
                <label>
                    "CRM field"
                    <select
                        name="match_crm"
                        aria-label="CRM match field"
                        on:change=move |ev| {
                            let name = event_target_value(&ev);
                            draft.config.update(|c| c.match_pair.crm_field = name);
                        }
                    >
                        {crm_options}
                    </select>
                </label>
            </div>
            <p class="muted small" data-testid="match-hint">{hint}</p>
            <FieldProblems draft place=Place::Match />
        </section>
    }
}
