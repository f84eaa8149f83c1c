//! Progress and outcome of a CSV import: the bar, the counts, the first row errors and the full report.

use crate::api::imports::report_url;
use leptos::prelude::*;
use shared::contact::import::{ImportState, ImportStatus};
use shared::numbers::thousands;

#[component]
pub fn ImportProgress(status: ImportStatus) -> impl IntoView {
    let percent = status.percent();
    let counts = status.counts;
    let count = |n: u64| thousands(i64::try_from(n).unwrap_or(i64::MAX));
    let title = match status.state {
        ImportState::Waiting | ImportState::Running => "3. Importing…",
        ImportState::Done => "3. Import finished",
        ImportState::Failed => "3. Import stopped",
    };
    let finished = status.state.finished();
    let has_errors = counts.rows_failed > 0;
    let report = report_url(status.id);
    view! {
        <section class="panel" aria-label="Import progress" data-state=status.state.as_str()>
            <h2>{title}</h2>
            <p class="muted">{status.file_name.clone()}</p>
            <div class="import-bar">
                <progress
                    max="100"
                    value=percent
                    aria-label="Import progress"
                    data-testid="import-progress"
                ></progress>
                <strong data-testid="import-percent">{format!("{percent}%")}</strong>
            </div>
            <p data-testid="import-counts">
                {format!(
                    "{} rows read · {} saved · {} with errors",
                    count(counts.rows_read),
                    count(counts.rows_saved),
                    count(counts.rows_failed),
                )}
            </p>
            {(!status.message.is_empty())
                .then(|| view! { <p class="form-error" role="alert">{status.message.clone()}</p> })}
            {(finished && has_errors)
                .then(|| {
                    view! {
                        <h3>"Rows that were not imported"</h3>
                        <p class="muted">
                            "The first problems are listed here; the report lists every one. Fix them in your file and import it again: rows already imported are updated, not duplicated."
                        </p>
                        <div class="table-scroll">
                            <table class="table" data-testid="import-errors">
                                <thead>
                                    <tr>
                                        <th>"Row"</th>
                                        <th>"Email"</th>
                                        <th>"Field"</th>
                                        <th>"Problem"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {status
                                        .first_errors
                                        .into_iter()
                                        .map(|e| {
                                            view! {
                                                <tr>
                                                    <td>{e.row}</td>
                                                    <td>{e.email}</td>
                                                    <td>{e.field}</td>
                                                    <td>{e.reason}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <a class="button" href=report.clone() download="">
                            "Download error report (CSV)"
                        </a>
                    }
                })}
            {finished
                .then(|| {
                    view! {
                        <a class="button primary" href="/contacts">
                            "View contacts"
                        </a>
                    }
                })}
        </section>
    }
}
