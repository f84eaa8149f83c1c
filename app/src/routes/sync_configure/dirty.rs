//! Dirty tracking: whether the draft differs from the configuration last saved. The save bar says so, and
//! the leave guard asks before the page is left while it does.

use leptos::prelude::*;
use shared::sync::config::SyncConfig;

/// True while the draft differs from `saved`. It compares values, so undoing an edit by hand clears it.
pub(super) fn unsaved_changes(
    config: RwSignal<SyncConfig>,
    saved: RwSignal<SyncConfig>,
) -> Signal<bool> {
    Signal::derive(move || config.with(|c| saved.with(|s| c != s)))
}
