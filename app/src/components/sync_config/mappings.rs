//! Section 5, Field mapping: each Komo field (or constant) and the CRM field it fills, with its overwrite rule;
//! `+ Add Field` opens the dialog, and "Map all fields with matching names" fills in the obvious ones.

use super::mapping_dialog::MappingDialog;
use super::{crm_field_text, Draft, FieldProblems};
use crate::components::icon::Icon;
use leptos::prelude::*;
use shared::contact::fields::normalise;
use shared::sync::config::{compatible, FieldMapping, MappingSource, Overwrite, Place};

/// Mappings for every Komo field whose name matches a writable, type-compatible CRM field not yet mapped.
fn matching_names(draft: &Draft) -> Vec<FieldMapping> {
    let config = draft.config.get_untracked();
    let taken = |name: &str| {
        config
            .mappings
            .iter()
            .any(|m| m.crm_field.eq_ignore_ascii_case(name))
            || config.match_pair.crm_field.eq_ignore_ascii_case(name)
    };
    let fields = draft.fields.get_untracked();
    draft.catalog.with_untracked(|catalog| {
        catalog
            .fields()
            .iter()
            .filter_map(|komo| {
                let field = fields.iter().find(|f| {
                    (f.createable || f.updateable)
                        && (normalise(&f.name) == normalise(&komo.key)
                            || normalise(&f.label) == normalise(&komo.label))
                        && compatible(komo.field_type, &f.field_type)
                })?;
                (!taken(&field.name)).then(|| FieldMapping {
                    source: MappingSource::Field(komo.key.clone()),
                    crm_field: field.name.clone(),
                    overwrite: Overwrite::Always,
                })
            })
            .collect()
    })
}

#[component]
pub fn MappingsSection(draft: Draft) -> impl IntoView {
    let adding = RwSignal::new(false);
    let note = RwSignal::new(None::<String>);
    let count = move || draft.config.with(|c| c.mappings.len());
    let map_all = move |_| {
        let found = matching_names(&draft);
        let added = found.len();
        draft.config.update(|c| c.mappings.extend(found));
        note.set(Some(match added {
            0 => "No more fields with matching names.".to_owned(),
            1 => "Mapped 1 field.".to_owned(),
            n => format!("Mapped {n} fields."),
        }));
    };
    view! {
        <section class="panel config-section" aria-label="Field mapping">
            <h2><span class="step">"5"</span> " Field mapping"</h2>
            <p class="muted">"Which Salesforce field each Komo field fills."</p>
            {move || if count() == 0 {
                view! { <p class="muted empty-line">"No fields mapped yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="table mapping-table" data-testid="mapping-table">
                            <thead>
                                <tr><th>"Komo"</th><th>"Salesforce"</th><th>"Overwrite"</th><th></th></tr>
                            </thead>
                            <tbody>
                                {(0..count()).map(|index| view! { <MappingRow draft index /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <FieldProblems draft place=Place::Required />
            <div class="form-actions">
                <button type="button" class="button" on:click=move |_| adding.set(true)>
                    <Icon name="plus" /> " Add Field"
                </button>
                <button type="button" class="button" on:click=map_all>"Map all fields with matching names"</button>
            </div>
            {move || note.get().map(|n| view! { <p class="muted small" role="status">{n}</p> })}
            {move || adding.get().then(|| view! { <MappingDialog draft on_close=move |()| adding.set(false) /> })}
        </section>
    }
}

#[component]
fn MappingRow(draft: Draft, index: usize) -> impl IntoView {
    let mapping = move || draft.config.with(|c| c.mappings.get(index).cloned());
    let source_text = move || match mapping().map(|m| m.source) {
        Some(MappingSource::Field(key)) => draft
            .catalog
            .with(|c| c.find(&key).map_or(key.clone(), |f| f.label.clone())),
        Some(MappingSource::Constant(value)) => format!("\"{value}\" (constant)"),
        None => String::new(),
    };
    let target_text = move || {
        let name = mapping().map(|m| m.crm_field).unwrap_or_default();
        draft.crm_field(&name).map_or(name, |f| crm_field_text(&f))
    };
    let overwrite = move || mapping().map(|m| m.overwrite).unwrap_or_default();
    view! {
        <tr data-testid="mapping-row">
            <td>{source_text}</td>
            <td>{target_text} <FieldProblems draft place=Place::Mapping(index) /></td>
            <td>
                <select
                    aria-label="Overwrite rule"
                    on:change=move |ev| {
                        let label = event_target_value(&ev);
                        if let Some(rule) = Overwrite::ALL.into_iter().find(|o| o.label() == label) {
                            draft.config.update(|c| if let Some(m) = c.mappings.get_mut(index) { m.overwrite = rule });
                        }
                    }
                >
                    {Overwrite::ALL
                        .into_iter()
                        .map(|o| view! { <option value=o.label() selected=move || overwrite() == o>{o.label()}</option> })
                        .collect_view()}
                </select>
            </td>
            <td>
                <button
                    type="button"
                    class="button icon-button"
                    aria-label="Remove mapping"
                    on:click=move |_| draft.config.update(|c| {
                        if index < c.mappings.len() {
                            c.mappings.remove(index);
                        }
                    })
                >
                    <Icon name="trash" />
                </button>
            </td>
        </tr>
    }
}
