//! A run as it goes: the page follows the server's `progress` events (server-sent events read with
//! gloo-net) into a signal, and [`RunProgress`] draws the bar, the counts, the rate and Cancel.

use crate::api::runs::CancelRun;
use crate::api::syncs::RunSummary;
use leptos::prelude::*;
use shared::numbers::thousands;
use shared::sync::run::RunStatus;
use shared::when::format_duration;

/// Keeps `live` up to date from the run's event stream until the run has finished (browser only; the
/// server renders the run as it was). Stops when the page that owns `live` is gone.
pub fn follow_run(run_id: i64, live: RwSignal<RunSummary>) {
    #[cfg(feature = "hydrate")]
    {
        use crate::api::runs::events_url;
        use futures::StreamExt;
        use gloo_net::eventsource::futures::EventSource;

        if !live.get_untracked().status.is_active() {
            return;
        }
        let Ok(mut source) = EventSource::new(&events_url(run_id)) else {
            return;
        };
        let Ok(mut progress) = source.subscribe("progress") else {
            return;
        };
        leptos::task::spawn_local(async move {
            while let Some(Ok((_, message))) = progress.next().await {
                let Some(text) = message.data().as_string() else {
                    continue;
                };
                let Ok(run) = serde_json::from_str::<RunSummary>(&text) else {
                    continue;
                };
                let finished = !run.status.is_active();
                // `Some` back means the page has gone: stop listening.
                if live.try_set(run).is_some() || finished {
                    break;
                }
            }
            // Closing matters: a browser reconnects an event source the server ended.
            source.close();
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (run_id, live);
}

/// Contacts per second so far, once there is something to measure.
fn rate(run: &RunSummary) -> Option<f64> {
    let secs = run.duration_secs()?;
    (secs > 0 && run.counters.processed > 0).then(|| run.counters.processed as f64 / secs as f64)
}

/// The progress panel of a queued or running run.
#[component]
pub fn RunProgress(live: RwSignal<RunSummary>) -> impl IntoView {
    let cancel = ServerAction::<CancelRun>::new();
    let run_id = live.with_untracked(|r| r.id);
    let percent = move || {
        live.with(|r| {
            let total = r.counters.selected.max(1);
            (r.counters.processed * 100 / total).clamp(0, 100)
        })
    };
    let counts = move || {
        live.with(|r| {
            let c = &r.counters;
            if r.status == RunStatus::Queued {
                return "Waiting for a worker…".to_owned();
            }
            let speed = rate(r).map_or_else(String::new, |per_sec| {
                let left = (c.selected - c.processed).max(0) as f64;
                let eta = format_duration((left / per_sec).ceil() as i64);
                format!(
                    " · {} contacts/s · about {eta} left",
                    thousands(per_sec.round() as i64)
                )
            });
            format!(
                "{} of {} contacts · {} inserted · {} updated · {} failed{speed}",
                thousands(c.processed),
                thousands(c.selected),
                thousands(c.inserted_ok),
                thousands(c.updated_ok),
                thousands(c.failed()),
            )
        })
    };
    let cancelling =
        move || cancel.pending().get() || matches!(cancel.value().get(), Some(Ok(true)));
    view! {
        <section class="panel run-progress" aria-label="Progress" data-testid="run-progress">
            <div class="run-progress-head">
                <h2>"Pushing contacts"</h2>
                <button
                    class="button secondary"
                    disabled=cancelling
                    on:click=move |_| {
                        cancel.dispatch(CancelRun { run_id });
                    }
                >
                    {move || if cancelling() { "Cancelling…" } else { "Cancel run" }}
                </button>
            </div>
            <div class="import-bar">
                <progress
                    max="100"
                    value=percent
                    aria-label="Run progress"
                    data-testid="run-percent"
                ></progress>
                <strong>{move || format!("{}%", percent())}</strong>
            </div>
            <p class="muted" data-testid="run-counts" aria-live="polite">{counts}</p>
            {move || {
                cancelling().then(|| view! {
                    <p class="notice" role="status">
                        "Cancel asked: the run stops after the batch it is pushing, with everything done so far recorded."
                    </p>
                })
            }}
            {move || cancel.value().get().and_then(Result::err).map(|e| view! {
                <p class="form-error" role="alert">{e.to_string()}</p>
            })}
        </section>
    }
}
