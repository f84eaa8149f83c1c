//! How a run's outcome looks everywhere: a green tick, an amber warning, a red cross, or a clock while it
//! waits or runs — with the words beside the icon, never colour alone.

use crate::api::syncs::LastRun;
use crate::components::icon::Icon;
use leptos::prelude::*;
use shared::sync::run::RunStatus;
use shared::when::{format_duration, format_unix_utc};

fn icon_of(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Succeeded => "check",
        RunStatus::CompletedWithErrors | RunStatus::Paused => "warn",
        RunStatus::Failed => "cross",
        RunStatus::Queued | RunStatus::Running | RunStatus::Cancelled => "clock",
    }
}

#[component]
pub fn RunStatusBadge(status: RunStatus) -> impl IntoView {
    view! {
        <span class=format!("run-status {}", status.tone()) data-status=status.as_str()>
            <Icon name=icon_of(status) />
            {status.label()}
        </span>
    }
}

/// The syncs list's "last run" cell: outcome, when, how long.
#[component]
pub fn LastRunCell(last_run: Option<LastRun>, sync_id: i64) -> impl IntoView {
    match last_run {
        None => view! { <span class="muted">"Never run"</span> }.into_any(),
        Some(run) => view! {
            <a class="last-run" href=crate::api::runs::run_url(sync_id, run.id)>
                <RunStatusBadge status=run.status />
                <span class="muted small">
                    {format_unix_utc(run.at)}
                    {run.duration_secs.map(|d| format!(" · {}", format_duration(d)))}
                </span>
            </a>
        }
        .into_any(),
    }
}
