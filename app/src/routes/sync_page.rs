//! One sync: its facts (ID, CRM, object, created, last updated, status, last run duration), its menu, the
//! configuration history, and its runs newest first.

use crate::api::runs::{list_runs, run_url};
use crate::api::syncs::{configure_url, get_sync, RunSummary, SyncDetail};
use crate::components::run_status::RunStatusBadge;
use crate::components::runs_chart::RunsChart;
use crate::components::sync_menu::SyncMenu;
use crate::components::{empty_state::EmptyState, spinner::Loading};
use crate::error::{ApiError, ErrorView};
use crate::routes::helpers::sync_id_param;
use leptos::prelude::*;
use leptos_meta::Title;
use shared::numbers::thousands;
use shared::sync::run::{RunStatus, RUNS_PAGE};
use shared::sync::status::SyncStatus;
use shared::when::{format_duration, format_unix_utc};

#[component]
pub fn SyncPage() -> impl IntoView {
    let id = sync_id_param();
    let detail = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_sync(id).await,
            None => Err(ApiError::NotFound("Sync".into())),
        }
    });
    let runs = Resource::new(id, |id| async move {
        match id {
            Some(id) => list_runs(id, 0).await,
            None => Err(ApiError::NotFound("Sync".into())),
        }
    });
    // After a menu action both are read again, as the run page does with its errors.
    let refresh = Callback::new(move |()| {
        detail.refetch();
        runs.refetch();
    });
    view! {
        <Title text="Sync · Komo CRM Sync" />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let (detail, runs) = (detail.await, runs.await);
                let loaded = detail.and_then(|d| Ok((d, runs?)));
                match loaded {
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                    Ok((detail, runs)) => view! { <SyncView detail runs refresh /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SyncView(detail: SyncDetail, runs: Vec<RunSummary>, refresh: Callback<()>) -> impl IntoView {
    let sync = detail.sync.clone();
    let status_class = match sync.status {
        SyncStatus::Running => "status ok",
        SyncStatus::Stopped => "status neutral",
    };
    let last_duration = sync
        .last_run
        .as_ref()
        .and_then(|r| r.duration_secs)
        .map_or_else(|| "—".to_owned(), format_duration);
    let unsaved = sync.config_version == 0;
    view! {
        <header class="page-header">
            <div>
                <a class="crumb" href="/crm/syncs">"Syncs"</a>
                <h1 data-testid="sync-name">{sync.name.clone()}</h1>
            </div>
            <div class="page-actions">
                <span class=status_class data-testid="sync-status">{sync.status.label()}</span>
                <a class="button" href=configure_url(sync.id)>"Configure"</a>
                <SyncMenu sync=sync.clone() on_changed=refresh />
            </div>
        </header>
        {unsaved.then(|| view! {
            <p class="notice" role="status">
                "This sync has not been configured yet. "
                <a href=configure_url(sync.id)>"Configure it"</a>
                ", save, then start it."
            </p>
        })}
        <section class="panel">
            <dl class="facts">
                <dt>"ID"</dt><dd class="mono" data-testid="sync-id">{sync.id}</dd>
                <dt>"CRM"</dt><dd>"Salesforce · " {sync.connection_domain.clone()}</dd>
                <dt>"Data source"</dt><dd>{sync.object.api_name()}</dd>
                <dt>"Created"</dt><dd>{format_unix_utc(sync.created_at)}</dd>
                <dt>"Last updated"</dt><dd>{format_unix_utc(sync.updated_at)}</dd>
                <dt>"Status"</dt><dd>{sync.status.label()}</dd>
                <dt>"Last run duration"</dt><dd>{last_duration}</dd>
                <dt>"Configuration"</dt>
                <dd>{if unsaved { "Not saved yet".to_owned() } else { format!("Version {}", sync.config_version) }}</dd>
            </dl>
        </section>
        <h2 class="section-title">"Runs"</h2>
        <RunsChart sync_id=sync.id runs=runs.clone() />
        <RunList sync_id=sync.id first=runs />
        <VersionHistory detail />
    }
}

#[component]
fn RunList(sync_id: i64, first: Vec<RunSummary>) -> impl IntoView {
    if first.is_empty() {
        return view! {
            <EmptyState
                icon="clock"
                title="No runs yet"
                message="Start the sync, then choose Sync now from its menu. Each run is listed here with what it pushed."
            />
        }
        .into_any();
    }
    // Older pages are fetched on demand: `before` is the last run id shown.
    let older = RwSignal::new(Vec::<RunSummary>::new());
    let more = RwSignal::new(first.len() as i64 >= RUNS_PAGE);
    let load_more = Action::new(move |before: &i64| {
        let before = *before;
        async move { list_runs(sync_id, before).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(page)) = load_more.value().get() {
            more.set(page.len() as i64 >= RUNS_PAGE);
            older.update(|o| o.extend(page));
        }
    });
    let last_id = {
        let first_last = first.last().map_or(0, |r| r.id);
        move || older.with(|o| o.last().map_or(first_last, |r| r.id))
    };
    view! {
        <section class="panel">
            <div class="table-scroll">
                <table class="table" data-testid="runs-table">
                    <thead>
                        <tr>
                            <th>"Run"</th>
                            <th>"Status"</th>
                            <th>"Created"</th>
                            <th>"Last updated"</th>
                            <th>"Duration"</th>
                            <th class="num">"Inserted"</th>
                            <th class="num">"Updated"</th>
                            <th class="num">"Failed"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {first.into_iter().map(|run| view! { <RunRow sync_id run /> }).collect_view()}
                        {move || older.get().into_iter().map(|run| view! { <RunRow sync_id run /> }).collect_view()}
                    </tbody>
                </table>
            </div>
            <div class="pager">
                {move || more.get().then(|| view! {
                    <button
                        class="button"
                        disabled=move || load_more.pending().get()
                        on:click=move |_| {
                            load_more.dispatch(last_id());
                        }
                    >
                        "Older runs"
                    </button>
                })}
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn RunRow(sync_id: i64, run: RunSummary) -> impl IntoView {
    let c = run.counters;
    let kind = match (run.retry_of, run.full_resync) {
        (Some(of), _) => format!(" · retry of #{of}"),
        (None, true) => " · full resync".to_owned(),
        (None, false) => String::new(),
    };
    let duration = if run.status == RunStatus::Queued {
        "—".to_owned()
    } else {
        run.duration_secs()
            .map_or_else(|| "—".to_owned(), format_duration)
    };
    view! {
        <tr>
            <td>
                <a href=run_url(sync_id, run.id)>{format!("#{}", run.id)}</a>
                <span class="muted small">{kind}</span>
            </td>
            <td><RunStatusBadge status=run.status /></td>
            <td>{format_unix_utc(run.created_at)}</td>
            <td>{format_unix_utc(run.updated_at)}</td>
            <td>{duration}</td>
            <td class="num">{thousands(c.inserted_ok)}</td>
            <td class="num">{thousands(c.updated_ok)}</td>
            <td class="num">{thousands(c.failed())}</td>
        </tr>
    }
}

#[component]
fn VersionHistory(detail: SyncDetail) -> impl IntoView {
    (!detail.versions.is_empty()).then(|| {
        view! {
            <details class="panel history">
                <summary><h2>"Configuration history"</h2></summary>
                <ol class="versions">
                    {detail
                        .versions
                        .into_iter()
                        .map(|v| view! {
                            <li>
                                <strong>{format!("Version {}", v.version)}</strong>
                                <span class="muted">{format!(" · {} · {}", v.changed_by_name, format_unix_utc(v.created_at))}</span>
                                <ul>{v.changes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                            </li>
                        })
                        .collect_view()}
                </ol>
            </details>
        }
    })
}
