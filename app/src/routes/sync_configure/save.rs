//! Save: sends the draft with the version it was based on, and records what the server answered. The
//! server runs the same check again and may refuse; its problems are kept apart from the page's own.

use super::checks::Checks;
use crate::api::syncs::{SaveOutcome, SaveSyncConfig};
use leptos::prelude::*;
use shared::sync::config::{Problem, SyncConfig};
use shared::sync::crm::CrmField;

/// The Save action and what it needs to send the next one.
#[derive(Clone, Copy)]
pub(super) struct Save {
    pub action: ServerAction<SaveSyncConfig>,
    /// Problems the server refused the last Save for; cleared when a Save goes through.
    pub server_problems: RwSignal<Vec<Problem>>,
    sync_id: i64,
    /// The version the draft is based on: the one loaded, then the one each Save made.
    base_version: RwSignal<i64>,
    config: RwSignal<SyncConfig>,
    checks: Checks,
    fields: Signal<Vec<CrmField>>,
}

impl Save {
    /// The Save button: shows the problems from now on, and sends the draft only if the page's own check
    /// passes against a describe that has arrived.
    pub fn submit(&self) {
        self.checks.attempted.set(true);
        if !self.checks.live.get_untracked().is_empty() || self.fields.with_untracked(Vec::is_empty)
        {
            return;
        }
        self.action.dispatch(SaveSyncConfig {
            sync_id: self.sync_id,
            base_version: self.base_version.get_untracked(),
            config: self.config.get_untracked().into(),
        });
    }
}

/// Sets up Save for a sync whose configuration was loaded at `version`. A Save that goes through makes
/// the draft the new `saved` baseline; a refused one keeps the server's problems.
pub(super) fn use_save(
    sync_id: i64,
    version: i64,
    config: RwSignal<SyncConfig>,
    saved: RwSignal<SyncConfig>,
    checks: Checks,
    fields: Signal<Vec<CrmField>>,
) -> Save {
    let base_version = RwSignal::new(version);
    let action = ServerAction::<SaveSyncConfig>::new();
    let server_problems = RwSignal::new(Vec::<Problem>::new());
    Effect::new(move |_| match action.value().get() {
        Some(Ok(SaveOutcome::Saved { version, .. })) => {
            base_version.set(version);
            saved.set(config.get_untracked());
            server_problems.set(Vec::new());
        }
        Some(Ok(SaveOutcome::Refused { problems })) => server_problems.set(problems),
        _ => {}
    });
    Save {
        action,
        server_problems,
        sync_id,
        base_version,
        config,
        checks,
        fields,
    }
}
