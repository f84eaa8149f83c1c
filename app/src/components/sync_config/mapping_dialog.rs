//! The `+ Add Field` dialog: (a) a Komo field or a constant, (b) a writable CRM field with its type and
//! length, (c) Add. An incompatible pair is refused here; a possible truncation is said before adding.

use super::{crm_field_text, Draft};
use crate::components::modal::Modal;
use leptos::prelude::*;
use shared::contact::MAX_TEXT;
use shared::sync::config::{compatible, FieldMapping, MappingSource, Overwrite};

#[component]
pub fn MappingDialog(draft: Draft, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let use_constant = RwSignal::new(false);
    let komo_key = RwSignal::new(String::new());
    let constant = RwSignal::new(String::new());
    let crm_name = RwSignal::new(String::new());
    let mapped = move |name: &str| {
        draft.config.with(|c| {
            c.mappings
                .iter()
                .any(|m| m.crm_field.eq_ignore_ascii_case(name))
        })
    };
    let komo_options = move || {
        draft.catalog.with(|c| {
            c.fields()
                .iter()
                .map(|f| view! { <option value=f.key.clone()>{f.label.clone()}</option> })
                .collect_view()
        })
    };
    let crm_options = move || {
        draft.fields.with(|fields| {
            fields
                .iter()
                .filter(|f| (f.createable || f.updateable) && !mapped(&f.name))
                .map(|f| view! { <option value=f.name.clone()>{crm_field_text(f)}</option> })
                .collect_view()
        })
    };
    // What is wrong with the pair as chosen, or a warning worth reading before adding.
    let verdict = move || -> Result<Option<String>, String> {
        let field = draft
            .crm_field(&crm_name.get())
            .ok_or_else(|| "Choose the Salesforce field.".to_owned())?;
        if use_constant.get() {
            return if constant.with(|c| c.trim().is_empty()) {
                Err("Enter the constant value.".into())
            } else {
                Ok(None)
            };
        }
        let komo = draft
            .catalog
            .with(|c| c.find(&komo_key.get()).cloned())
            .ok_or_else(|| "Choose the Komo field.".to_owned())?;
        if !compatible(komo.field_type, &field.field_type) {
            return Err(format!(
                "{} cannot be written to {} ({}).",
                komo.label, field.label, field.field_type
            ));
        }
        let limit = usize::try_from(field.length).unwrap_or(usize::MAX);
        Ok((field.length > 0 && limit < MAX_TEXT && field.field_type != "picklist").then(|| {
            format!(
                "{} holds up to {} characters: a contact with a longer {} is reported as invalid and not sent.",
                field.label, field.length, komo.label
            )
        }))
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if verdict().is_err() {
            return;
        }
        let source = if use_constant.get_untracked() {
            MappingSource::Constant(constant.get_untracked().trim().to_owned())
        } else {
            MappingSource::Field(komo_key.get_untracked())
        };
        draft.config.update(|c| {
            c.mappings.push(FieldMapping {
                source,
                crm_field: crm_name.get_untracked(),
                overwrite: Overwrite::Always,
            });
        });
        on_close.run(());
    };
    view! {
        <Modal title="Add field" on_close>
            <form on:submit=add class="mapping-dialog">
                <fieldset class="choice-row">
                    <legend>"(a) Value from"</legend>
                    <label class="choice">
                        <input type="radio" name="source" prop:checked=move || !use_constant.get() on:change=move |_| use_constant.set(false) />
                        "A Komo field"
                    </label>
                    <label class="choice">
                        <input type="radio" name="source" prop:checked=move || use_constant.get() on:change=move |_| use_constant.set(true) />
                        "A constant"
                    </label>
                </fieldset>
                {move || if use_constant.get() {
                    view! {
                        <label>
                            "Constant value"
                            <input
                                name="constant"
                                prop:value=move || constant.get()
                                on:input=move |ev| constant.set(event_target_value(&ev))
                            />
                        </label>
                    }.into_any()
                } else {
                    view! {
                        <label>
                            "Komo field"
                            <select name="komo_field" aria-label="Komo field" on:change=move |ev| komo_key.set(event_target_value(&ev))>
                                <option value="" selected=true disabled=true>"Choose a Komo field"</option>
                                {komo_options}
                            </select>
                        </label>
                    }.into_any()
                }}
                <label>
                    "(b) Salesforce field"
                    <select name="crm_field" aria-label="Salesforce field" on:change=move |ev| crm_name.set(event_target_value(&ev))>
                        <option value="" selected=true disabled=true>"Choose a Salesforce field"</option>
                        {crm_options}
                    </select>
                </label>
                {move || match verdict() {
                    Err(reason) if !crm_name.get().is_empty() => Some(view! { <p class="field-error" role="alert">{reason}</p> }.into_any()),
                    Ok(Some(warning)) => Some(view! { <p class="notice small" role="status">{warning}</p> }.into_any()),
                    _ => None,
                }}
                <div class="form-actions">
                    <button type="submit" class="button primary" prop:disabled=move || verdict().is_err()>"(c) Add"</button>
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                </div>
            </form>
        </Modal>
    }
}
