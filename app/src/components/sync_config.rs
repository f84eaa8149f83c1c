//! The sync configuration editor's sections. They share one [`Draft`]: the configuration being edited, the
//! contact catalog, the CRM object's fields from the describe, and the problems `shared`'s check finds —
//! the same check the server runs on Save.

pub mod actions;
pub mod connection;
pub mod filters;
pub mod mapping_dialog;
pub mod mappings;
pub mod matching;
pub mod source;

use leptos::prelude::*;
use shared::contact::fields::FieldCatalog;
use shared::sync::config::{Place, Problem, SyncConfig};
use shared::sync::crm::CrmField;

#[derive(Clone, Copy)]
pub struct Draft {
    pub config: RwSignal<SyncConfig>,
    pub catalog: Signal<FieldCatalog>,
    pub fields: Signal<Vec<CrmField>>,
    /// Problems to show now: empty until the first Save, then live as the person fixes them.
    pub problems: Signal<Vec<Problem>>,
}

impl Draft {
    /// The messages for one place on the page.
    pub fn problems_at(&self, place: Place) -> Vec<String> {
        self.problems.with(|all| {
            all.iter()
                .filter(|p| p.place == place)
                .map(|p| p.message.clone())
                .collect()
        })
    }

    pub fn crm_field(&self, name: &str) -> Option<CrmField> {
        self.fields.with(|fields| {
            fields
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(name))
                .cloned()
        })
    }
}

/// Problems shown beside a control.
#[component]
pub fn FieldProblems(draft: Draft, place: Place) -> impl IntoView {
    move || {
        draft
            .problems_at(place.clone())
            .into_iter()
            .map(|message| view! { <p class="field-error" role="alert">{message}</p> })
            .collect_view()
    }
}

/// "Email (email, 80)": a CRM field with its type and length, as the pickers show it.
pub fn crm_field_text(field: &CrmField) -> String {
    if field.length > 0 {
        format!("{} ({}, {})", field.label, field.field_type, field.length)
    } else {
        format!("{} ({})", field.label, field.field_type)
    }
}
