//! Live checks: `shared`'s check of the draft — the one the server repeats on Save — run on every edit, and
//! shown beside the fields from the first Save on, so a half-filled page is not covered in errors.

use leptos::prelude::*;
use shared::contact::fields::FieldCatalog;
use shared::sync::config::{Problem, SyncConfig};
use shared::sync::crm::CrmField;

/// The draft's problems, and whether the page shows them yet.
#[derive(Clone, Copy)]
pub(super) struct Checks {
    /// Set by the first Save; from then on the problems are shown, and update as they are fixed.
    pub attempted: RwSignal<bool>,
    /// Every problem of the draft now, shown or not; empty while there is no describe to check against.
    pub live: Memo<Vec<Problem>>,
    /// What the page shows: nothing before the first Save, then `live`.
    pub shown: Signal<Vec<Problem>>,
}

/// Checks the draft against the contact catalog and the describe's fields whenever any of them changes.
pub(super) fn use_checks(
    config: RwSignal<SyncConfig>,
    catalog: Signal<FieldCatalog>,
    fields: Signal<Vec<CrmField>>,
) -> Checks {
    let attempted = RwSignal::new(false);
    let live = Memo::new(move |_| -> Vec<Problem> {
        let fields: Vec<CrmField> = fields.get();
        if fields.is_empty() {
            return Vec::new();
        }
        catalog.with(|catalog| config.with(|c| c.check(catalog, &fields).err().unwrap_or_default()))
    });
    let shown = Signal::derive(move || {
        if attempted.get() {
            live.get()
        } else {
            Vec::new()
        }
    });
    Checks {
        attempted,
        live,
        shown,
    }
}
