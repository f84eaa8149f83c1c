//! One run of a sync: status, who started it, the configuration version it uses, when, and its counters.
//! Live progress, logs and the results download come with run review.

use crate::api::syncs::{get_run, sync_url, RunSummary};
use crate::components::run_status::RunStatusBadge;
use crate::components::spinner::Loading;
use crate::error::{ApiError, ErrorView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use shared::sync::run::RunStatus;
use shared::when::{format_duration, format_unix_utc, thousands};

#[component]
pub fn SyncRunPage() -> impl IntoView {
    let params = use_params_map();
    let run_id = move || params.with(|p| p.get("run_id").and_then(|id| id.parse::<i64>().ok()));
    let run = Resource::new(run_id, |id| async move {
        match id {
            Some(id) => get_run(id).await,
            None => Err(ApiError::NotFound("Run".into())),
        }
    });
    view! {
        <Title text="Run · Komo CRM Sync" />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match run.await {
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                    Ok(run) => view! { <RunView run /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RunView(run: RunSummary) -> impl IntoView {
    let c = run.counters;
    let when = |t: Option<i64>| t.map_or_else(|| "—".to_owned(), format_unix_utc);
    view! {
        <header class="page-header">
            <div>
                <a class="crumb" href=sync_url(run.sync_id)>"Sync"</a>
                <h1>{format!("Run #{}", run.id)}</h1>
            </div>
            <RunStatusBadge status=run.status />
        </header>
        {(run.status == RunStatus::Queued).then(|| view! {
            <p class="notice" role="status">"Queued: the run starts as soon as a worker is free."</p>
        })}
        {run.message.clone().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
        <section class="panel" aria-label="Summary">
            <h2>"Summary"</h2>
            <dl class="facts">
                <dt>"Status"</dt><dd>{run.status.label()}</dd>
                <dt>"Started by"</dt><dd>{run.started_by_name.clone()}</dd>
                <dt>"Configuration"</dt><dd>{format!("Version {}", run.config_version)}</dd>
                <dt>"Queued"</dt><dd>{format_unix_utc(run.created_at)}</dd>
                <dt>"Started"</dt><dd>{when(run.started_at)}</dd>
                <dt>"Finished"</dt><dd>{when(run.finished_at)}</dd>
                <dt>"Duration"</dt><dd>{run.duration_secs().map_or_else(|| "—".to_owned(), format_duration)}</dd>
            </dl>
        </section>
        <section class="stat-grid" aria-label="Totals">
            <Stat label="Komo contacts" value=c.komo_total />
            <Stat label="Selected by filters" value=c.selected />
            <Stat label="CRM records" value=c.crm_total.unwrap_or_default() />
            <Stat label="Inserted" value=c.inserted_ok />
            <Stat label="Insert errors" value=c.inserted_failed />
            <Stat label="Updated" value=c.updated_ok />
            <Stat label="Update errors" value=c.updated_failed />
            <Stat label="Skipped" value=c.skipped />
            <Stat label="Unchanged" value=c.unchanged />
            <Stat label="Invalid" value=c.invalid />
        </section>
    }
}

#[component]
fn Stat(label: &'static str, value: i64) -> impl IntoView {
    view! {
        <div class="panel stat">
            <span class="muted small">{label}</span>
            <strong>{thousands(value)}</strong>
        </div>
    }
}
