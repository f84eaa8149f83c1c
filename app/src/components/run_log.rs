//! (E) A run's log: one row per contact, filtered by outcome, action and error code, searched by email,
//! paged on the server (keyset pages, so the millionth row comes as fast as the first).

use crate::api::runs::{run_log, LogEntry, LogPage};
use crate::components::spinner::Loading;
use crate::error::{ApiError, ErrorView};
use leptos::prelude::*;
use shared::sync::log::{LogFilter, ACTIONS};

/// What the log shows and the page it loaded. Made by the run page itself, outside any `Suspend`: a
/// resource made inside one may be made again when the server renders, and then no longer matches its
/// serialized value when the page hydrates.
#[derive(Clone, Copy)]
pub struct RunLogState {
    filter: RwSignal<LogFilter>,
    /// Page starts visited so far: `Previous` pops one.
    starts: RwSignal<Vec<i64>>,
    page: Resource<Result<LogPage, ApiError>>,
}

impl RunLogState {
    pub fn new(run_id: impl Fn() -> Option<i64> + Copy + Send + Sync + 'static) -> Self {
        let filter = RwSignal::new(LogFilter::default());
        let starts = RwSignal::new(vec![0_i64]);
        let after = move || starts.with(|s| s.last().copied().unwrap_or(0));
        let page = Resource::new(
            move || (run_id(), filter.get(), after()),
            |(run_id, filter, after)| async move {
                match run_id {
                    Some(run_id) => run_log(run_id, filter, after).await,
                    None => Err(ApiError::NotFound("Run".into())),
                }
            },
        );
        // Another run (Retry opens the new one on the same page) starts unfiltered, from the top.
        Effect::new(move |previous: Option<Option<i64>>| {
            let now = run_id();
            if previous.is_some_and(|p| p != now) {
                filter.set(LogFilter::default());
                starts.set(vec![0]);
            }
            now
        });
        Self {
            filter,
            starts,
            page,
        }
    }

    /// Shows the rows `filter` selects, from the first page.
    pub fn show(&self, filter: LogFilter) {
        self.starts.set(vec![0]);
        self.filter.set(filter);
    }

    /// The run has recorded more rows: the page shown is read again, so it fills while the run goes.
    pub fn more_recorded(&self) {
        self.page.refetch();
    }
}

/// The log section. The error groups share its state to show the rows of one code.
#[component]
pub fn RunLog(
    log: RunLogState,
    /// The error codes the run has, for the code filter.
    #[prop(into)]
    codes: Signal<Vec<String>>,
) -> impl IntoView {
    let RunLogState {
        filter,
        starts,
        page,
        ..
    } = log;
    let set = move |apply: fn(&mut LogFilter, Option<String>), value: String| {
        let value = (!value.is_empty()).then_some(value);
        let mut next = filter.get_untracked();
        apply(&mut next, value);
        log.show(next);
    };
    let email_draft = RwSignal::new(filter.get_untracked().email.unwrap_or_default());
    view! {
        <section class="panel" aria-label="Logs" id="logs">
            <h2>"Logs"</h2>
            <p class="muted" data-testid="log-unchanged-hint">
                "Every contact the run acted on is listed here; those unchanged since their last push are \
                 listed under Action → Unchanged."
            </p>
            <form
                class="contacts-toolbar log-filters"
                on:submit=move |ev| {
                    ev.prevent_default();
                    set(|f, v| f.email = v, email_draft.get());
                }
            >
                <label>
                    "Outcome"
                    <select
                        aria-label="Outcome"
                        prop:value=move || filter.with(|f| f.outcome.clone().unwrap_or_default())
                        on:change=move |ev| set(|f, v| f.outcome = v, event_target_value(&ev))
                    >
                        <option value="">"Any"</option>
                        <option value="ok">"OK"</option>
                        <option value="failed">"Failed"</option>
                    </select>
                </label>
                <label>
                    "Action"
                    <select
                        aria-label="Action"
                        prop:value=move || filter.with(|f| f.action.clone().unwrap_or_default())
                        on:change=move |ev| set(|f, v| f.action = v, event_target_value(&ev))
                    >
                        <option value="">"Any"</option>
                        {ACTIONS.map(|a| view! { <option value=a>{action_label(a)}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    "Error code"
                    <select
                        aria-label="Error code"
                        prop:value=move || filter.with(|f| f.error_code.clone().unwrap_or_default())
                        on:change=move |ev| set(|f, v| f.error_code = v, event_target_value(&ev))
                    >
                        <option value="">"Any"</option>
                        {move || codes.get().into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="grow">
                    "Email starts with"
                    <input
                        type="search"
                        aria-label="Search by email"
                        placeholder="ada@"
                        prop:value=move || email_draft.get()
                        on:input=move |ev| email_draft.set(event_target_value(&ev))
                    />
                </label>
                <button class="button" type="submit">"Search"</button>
            </form>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                        Ok(page) => view! { <LogTable page starts /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn action_label(action: &str) -> &'static str {
    match action {
        "insert" => "Insert",
        "update" => "Update",
        "skip" => "Skip (do nothing)",
        "unchanged" => "Unchanged",
        _ => "Invalid",
    }
}

#[component]
fn LogTable(page: LogPage, starts: RwSignal<Vec<i64>>) -> impl IntoView {
    let first = starts.with_untracked(|s| s.len() == 1);
    let next = page.next_after;
    if page.rows.is_empty() {
        return view! {
            <p class="muted empty-log" data-testid="log-empty">
                {if first { "No rows match these filters." } else { "No more rows." }}
            </p>
        }
        .into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="table log-table" data-testid="log-table">
                <thead>
                    <tr>
                        <th>"Email"</th>
                        <th>"Action"</th>
                        <th>"Outcome"</th>
                        <th>"Salesforce record"</th>
                        <th>"Error"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.rows.into_iter().map(|row| view! { <LogRow row /> }).collect_view()}
                </tbody>
            </table>
        </div>
        <div class="pager">
            {(!first).then(|| view! {
                <button class="button" on:click=move |_| starts.update(|s| { s.pop(); })>"Previous"</button>
            })}
            {next.map(|after| view! {
                <button class="button" on:click=move |_| starts.update(|s| s.push(after))>"Next"</button>
            })}
        </div>
    }
    .into_any()
}

#[component]
fn LogRow(row: LogEntry) -> impl IntoView {
    let ok = row.outcome == "ok";
    let records = row
        .crm_records
        .iter()
        .map(|record| match record.url.clone() {
            Some(href) => view! {
                <a class="mono" href=href target="_blank" rel="noopener">{record.id.clone()}</a>" "
            }
            .into_any(),
            None => view! { <span class="mono">{record.id.clone()}</span>" " }.into_any(),
        })
        .collect_view();
    let error = row.error_code.clone().map(|code| {
        view! { <span class="mono">{code}</span>" " }
    });
    view! {
        <tr data-outcome=row.outcome.clone()>
            <td><a href=format!("/contacts/{}", row.contact_id)>{row.email.clone()}</a></td>
            <td>{action_label(&row.action)}</td>
            <td>
                <span class=if ok { "badge ok" } else { "badge bad" }>{if ok { "OK" } else { "Failed" }}</span>
            </td>
            <td>{records}</td>
            <td class="log-error">{error}<span class="muted">{row.message.clone()}</span></td>
        </tr>
    }
}
