//! One run of a sync, as a super user reviews it: live progress with Cancel while it goes; then (A) the
//! summary, (B) totals, (C) CRM inserts, (D) CRM updates and the other outcomes, errors grouped by code
//! with how to fix them, (E) the log; Download results and Retry failed rows.

use crate::api::runs::{get_run, results_url, run_errors, run_url, ErrorGroup, RetryFailedRows};
use crate::api::syncs::{sync_url, RunSummary};
use crate::components::run_errors::RunErrors;
use crate::components::run_live::{follow_run, RunProgress};
use crate::components::run_log::{RunLog, RunLogState};
use crate::components::run_status::RunStatusBadge;
use crate::components::spinner::Loading;
use crate::error::{ApiError, ErrorView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use shared::numbers::thousands;
use shared::sync::log::LogFilter;
use shared::sync::run::RunStatus;
use shared::when::{format_duration, format_unix_utc};

#[component]
pub fn SyncRunPage() -> impl IntoView {
    let params = use_params_map();
    let run_id = move || params.with(|p| p.get("run_id").and_then(|id| id.parse::<i64>().ok()));
    // Every resource of the page is made here, not inside the `Suspend` below: see `RunLogState`.
    let run = Resource::new(run_id, |id| async move {
        match id {
            Some(id) => get_run(id).await,
            None => Err(ApiError::NotFound("Run".into())),
        }
    });
    let errors = Resource::new(run_id, |id| async move {
        match id {
            Some(id) => run_errors(id).await,
            None => Err(ApiError::NotFound("Run".into())),
        }
    });
    let log = RunLogState::new(run_id);
    view! {
        <Title text="Run · Komo CRM Sync" />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match run.await {
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                    Ok(run) => view! { <RunView run errors log /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RunView(
    run: RunSummary,
    errors: Resource<Result<Vec<ErrorGroup>, ApiError>>,
    log: RunLogState,
) -> impl IntoView {
    let run_id = run.id;
    let sync_id = run.sync_id;
    let sync_name = run.sync_name.clone();
    let live = RwSignal::new(run);
    follow_run(run_id, live);
    let active = Memo::new(move |_| live.with(|r| r.status.is_active()));
    // While the run goes: the log's first page fills as batches are recorded, and the error groups are
    // counted again once it ends. (Effects run only in the browser, so the server renders the run as is.)
    Effect::new(move |previous: Option<(bool, i64)>| {
        let now = live.with(|r| (r.status.is_active(), r.counters.processed));
        if let Some((was_active, processed)) = previous {
            if processed != now.1 {
                log.more_recorded();
            }
            if was_active && !now.0 {
                errors.refetch();
            }
        }
        now
    });
    // The log's code filter offers the codes the run has. Filled by an effect, not read from `errors`
    // as the page renders: outside a Suspense the server may render before `errors` has loaded while the
    // browser, hydrating, already has it, and the two would draw different option lists.
    let codes = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        if let Some(Ok(groups)) = errors.get() {
            codes.set(groups.into_iter().map(|g| g.code).collect());
        }
    });
    let show_code = Callback::new(move |code: String| {
        log.show(LogFilter {
            outcome: Some("failed".into()),
            error_code: Some(code),
            ..LogFilter::default()
        });
        #[cfg(feature = "hydrate")]
        if let Some(logs) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("logs"))
        {
            logs.scroll_into_view();
        }
    });
    view! {
        <header class="page-header">
            <div>
                <a class="crumb" href=sync_url(sync_id)>{sync_name}</a>
                <h1>{format!("Run #{run_id}")}</h1>
            </div>
            <div class="page-actions">
                <span data-testid="run-status">{move || view! { <RunStatusBadge status=live.with(|r| r.status) /> }}</span>
                <RunActions live />
            </div>
        </header>
        {move || live.with(|r| r.status == RunStatus::Queued).then(|| view! {
            <p class="notice" role="status">"Queued: the run starts as soon as a worker is free."</p>
        })}
        {move || live.with(|r| r.message.clone()).map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
        {move || active.get().then(|| view! { <RunProgress live /> })}
        <Summary live />
        <Counters live />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match errors.await {
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                    Ok(groups) => view! { <RunErrors groups on_show=show_code /> }.into_any(),
                }
            })}
        </Transition>
        <RunLog log codes />
    }
}

/// Download results and Retry failed rows, once there is something to offer.
#[component]
fn RunActions(live: RwSignal<RunSummary>) -> impl IntoView {
    let retry = ServerAction::<RetryFailedRows>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(outcome)) = retry.value().get() {
            let sync_id = live.with_untracked(|r| r.sync_id);
            navigate(&run_url(sync_id, outcome.run_id), Default::default());
        }
    });
    let run_id = live.with_untracked(|r| r.id);
    let can_retry = move || live.with(|r| !r.status.is_active() && r.counters.failed() > 0);
    let has_rows = move || live.with(|r| r.counters.processed > 0);
    view! {
        {move || has_rows().then(|| view! {
            <a class="button" href=results_url(run_id) download="" data-testid="download-results">
                "Download results"
            </a>
        })}
        {move || can_retry().then(|| view! {
            <button
                class="button primary"
                disabled=move || retry.pending().get()
                on:click=move |_| {
                    retry.dispatch(RetryFailedRows { run_id });
                }
            >
                {move || format!("Retry {} failed", thousands(live.with(|r| r.counters.failed())))}
            </button>
        })}
        {move || retry.value().get().and_then(Result::err).map(|e| view! {
            <span class="form-error" role="alert">{e.to_string()}</span>
        })}
    }
}

/// (A) Status, who started it, configuration version, start, end, duration.
#[component]
fn Summary(live: RwSignal<RunSummary>) -> impl IntoView {
    let when = |t: Option<i64>| t.map_or_else(|| "—".to_owned(), format_unix_utc);
    move || {
        live.with(|run| {
            let kind = if run.full_resync { " · full resync" } else { "" };
            let retry = run.retry_of.map(|of| view! {
                <dt>"Retry of"</dt>
                <dd><a href=run_url(run.sync_id, of)>{format!("Run #{of}")}</a>" (its failed rows only)"</dd>
            });
            view! {
                <section class="panel" aria-label="Summary">
                    <h2>"Summary"</h2>
                    <dl class="facts">
                        <dt>"Status"</dt><dd>{format!("{}{kind}", run.status.label())}</dd>
                        <dt>"Started by"</dt><dd>{run.started_by_name.clone()}</dd>
                        <dt>"Configuration"</dt><dd>{format!("Version {}", run.config_version)}</dd>
                        {retry}
                        <dt>"Queued"</dt><dd>{format_unix_utc(run.created_at)}</dd>
                        <dt>"Started"</dt><dd>{when(run.started_at)}</dd>
                        <dt>"Finished"</dt><dd>{when(run.finished_at)}</dd>
                        <dt>"Duration"</dt>
                        <dd data-testid="run-duration">{run.duration_secs().map_or_else(|| "—".to_owned(), format_duration)}</dd>
                    </dl>
                </section>
            }
        })
    }
}

/// (B) Totals, (C) CRM inserts, (D) CRM updates, and what was not written.
#[component]
fn Counters(live: RwSignal<RunSummary>) -> impl IntoView {
    move || {
        let c = live.with(|r| r.counters);
        view! {
            <div class="review-grid">
                <section class="panel" aria-label="Totals">
                    <h2>"Totals"</h2>
                    <Figure label="Komo contacts" value=c.komo_total testid="komo-total" />
                    <Figure label="Selected by filters" value=c.selected testid="selected" />
                    <Figure label="CRM records" value=c.crm_total.unwrap_or_default() testid="crm-total" />
                </section>
                <section class="panel" aria-label="CRM inserts">
                    <h2>"CRM inserts"</h2>
                    <Figure label="Inserted" value=c.inserted_ok testid="inserted-ok" />
                    <Figure label="Errors" value=c.inserted_failed testid="inserted-failed" bad=true />
                </section>
                <section class="panel" aria-label="CRM updates">
                    <h2>"CRM updates"</h2>
                    <Figure label="Updated" value=c.updated_ok testid="updated-ok" />
                    <Figure label="Errors" value=c.updated_failed testid="updated-failed" bad=true />
                </section>
                <section class="panel" aria-label="Not written">
                    <h2>"Not written"</h2>
                    <Figure label="Skipped (do nothing)" value=c.skipped testid="skipped" />
                    <Figure label="Unchanged since last push" value=c.unchanged testid="unchanged" />
                    <Figure label="Invalid" value=c.invalid testid="invalid" bad=true />
                </section>
            </div>
        }
    }
}

#[component]
fn Figure(
    label: &'static str,
    value: i64,
    testid: &'static str,
    #[prop(optional)] bad: bool,
) -> impl IntoView {
    let class = if bad && value > 0 {
        "figure bad"
    } else {
        "figure"
    };
    view! {
        <div class=class>
            <span class="muted">{label}</span>
            <strong data-testid=testid>{thousands(value)}</strong>
        </div>
    }
}
