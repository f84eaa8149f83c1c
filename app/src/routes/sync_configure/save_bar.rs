//! The bottom of the page: the save bar, and below it what the last Save did or why it did not happen.

use super::save::Save;
use crate::api::syncs::SaveOutcome;
use leptos::prelude::*;
use shared::sync::config::Problem;

/// "Unsaved changes" / "All changes saved" beside the Save button, which is disabled while a Save runs.
#[component]
pub(super) fn SaveBar(save: Save, dirty: Signal<bool>) -> impl IntoView {
    view! {
        <div class="save-bar panel">
            <span class="muted" data-testid="dirty-state">
                {move || if dirty.get() { "Unsaved changes" } else { "All changes saved" }}
            </span>
            <button type="button" class="button primary" on:click=move |_| save.submit() prop:disabled=move || save.action.pending().get()>
                "Save"
            </button>
        </div>
    }
}

/// The problems that keep the draft from saving (the page's and the server's), the error of a Save that
/// failed, or the version a Save made, with its warnings, until the draft is edited again.
#[component]
pub(super) fn SaveMessage(
    save: Save,
    problems: Signal<Vec<Problem>>,
    dirty: Signal<bool>,
) -> impl IntoView {
    let server_problems = save.server_problems;
    move || {
        let problem_count = problems.with(Vec::len) + server_problems.with(Vec::len);
        if problem_count > 0 {
            let mut lines: Vec<String> = problems.get().into_iter().map(|p| p.message).collect();
            lines.extend(server_problems.get().into_iter().map(|p| p.message));
            return Some(view! {
                <div class="form-error" role="alert" data-testid="save-problems">
                    <strong>{format!("Not saved: {problem_count} problem{} to fix.", if problem_count == 1 { "" } else { "s" })}</strong>
                    <ul>{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                </div>
            }.into_any());
        }
        match save.action.value().get() {
            Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()),
            Some(Ok(SaveOutcome::Saved { version, uses_upsert, warnings })) if !dirty.get() => Some(view! {
                <div class="form-ok" role="status" data-testid="save-ok">
                    <strong>{format!("Saved as version {version}.")}</strong>
                    {uses_upsert.then_some(" Contacts will be upserted by the External ID.")}
                    <ul>{warnings.into_iter().map(|w| view! { <li>{w.message}</li> }).collect_view()}</ul>
                </div>
            }.into_any()),
            _ => None,
        }
    }
}
