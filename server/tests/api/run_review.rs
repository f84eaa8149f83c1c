//! Run review against the simulator: a run with failures is read back as errors grouped by code, a log
//! filtered and paged on the server, the results CSV, and live progress as server-sent events; "Retry
//! failed rows" queues a run tied to the first. The engine is stepped by the test (no background worker).

use crate::contacts_storage::contact;
use crate::engine::{field, org, Org};
use crate::helpers::{api_error, TestApp, MEMBER_PASSWORD};
use app::api::runs::{ErrorGroup, LogPage, SyncNowOutcome};
use app::api::syncs::{RunSummary, SaveOutcome};
use app::error::ApiError;
use salesforce_sim::Simulator;
use shared::sync::config::SyncConfig;
use shared::sync::log::LOG_PAGE;
use shared::sync::run::{RunStatus, RUNS_PAGE};
use shared::Role;
use std::collections::HashSet;

/// Contacts that push cleanly, then the two kinds of invalid ones.
const GOOD: usize = 60;
const NO_LAST_NAME: usize = 3;
const TITLE_TOO_LONG: usize = 2;
const ALL: usize = GOOD + NO_LAST_NAME + TITLE_TOO_LONG;

struct Review {
    sim: Simulator,
    app: TestApp,
    sync_id: i64,
}

/// An org, a running sync of Contacts by email, and contacts of which five will be invalid.
async fn review() -> Review {
    let Org {
        sim,
        app,
        connection_id,
        ..
    } = org().await;
    let long_title = "T".repeat(200);
    let mut contacts = Vec::new();
    for i in 0..ALL {
        let email = format!("person{i:02}@review.example");
        let last = if (GOOD..GOOD + NO_LAST_NAME).contains(&i) {
            ""
        } else {
            "Lovelace"
        };
        let title = if i >= GOOD + NO_LAST_NAME {
            long_title.as_str()
        } else {
            "Engineer"
        };
        contacts.push(contact(
            &email,
            &[
                ("first_name", "Ada"),
                ("last_name", last),
                ("job_title", title),
            ],
            &[],
        ));
    }
    let workspace = app.first_workspace().await;
    app.storage
        .upsert_contacts(workspace, &contacts)
        .await
        .expect("contacts");
    let sync_id: i64 = app
        .call(
            "create_sync",
            &[
                ("connection_id", &connection_id.to_string()),
                ("object", "Contact"),
                ("name", "Review"),
            ],
        )
        .await
        .json()
        .await
        .expect("sync id");
    let config = SyncConfig {
        mappings: vec![
            field("first_name", "FirstName"),
            field("last_name", "LastName"),
            field("job_title", "Title"),
        ],
        ..SyncConfig::default()
    };
    let saved: SaveOutcome = app
        .call_json(
            "save_sync_config",
            &serde_json::json!({ "sync_id": sync_id, "base_version": 0, "config": config }),
        )
        .await
        .json()
        .await
        .expect("saved");
    assert!(matches!(saved, SaveOutcome::Saved { .. }), "{saved:?}");
    let started = app
        .call(
            "set_sync_running",
            &[("sync_id", &sync_id.to_string()), ("running", "true")],
        )
        .await;
    assert_eq!(started.status(), 200);
    Review { sim, app, sync_id }
}

impl Review {
    async fn queue(&self) -> i64 {
        let outcome: SyncNowOutcome = self
            .app
            .call(
                "sync_now",
                &[
                    ("sync_id", &self.sync_id.to_string()),
                    ("full_resync", "false"),
                ],
            )
            .await
            .json()
            .await
            .expect("queued");
        outcome.run_id
    }

    async fn finished_run(&self) -> RunSummary {
        let run_id = self.queue().await;
        self.app.engine.drain().await.expect("engine ran");
        self.run(run_id).await
    }

    async fn run(&self, run_id: i64) -> RunSummary {
        self.app
            .call("get_run", &[("run_id", &run_id.to_string())])
            .await
            .json()
            .await
            .expect("run")
    }

    async fn log(&self, run_id: i64, filter: &[(&str, &str)], after: i64) -> LogPage {
        let response = self.log_response(run_id, filter, after).await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("page")
    }

    async fn log_response(
        &self,
        run_id: i64,
        filter: &[(&str, &str)],
        after: i64,
    ) -> reqwest::Response {
        let run = run_id.to_string();
        let after = after.to_string();
        let mut form = vec![("run_id", run.as_str()), ("after", after.as_str())];
        form.extend_from_slice(filter);
        self.app.call("run_log", &form).await
    }
}

#[tokio::test]
async fn errors_are_grouped_by_code_with_hints_and_the_log_filters_and_pages() {
    let r = review().await;
    let run = r.finished_run().await;
    assert_eq!(run.status, RunStatus::CompletedWithErrors);
    assert_eq!(run.sync_name, "Review", "the way back names the sync");
    assert_eq!(run.counters.inserted_ok, GOOD as i64);
    assert_eq!(r.sim.records("Contact").len(), GOOD, "what the org holds");

    let groups: Vec<ErrorGroup> = r
        .app
        .call("run_errors", &[("run_id", &run.id.to_string())])
        .await
        .json()
        .await
        .expect("groups");
    let counts: Vec<(&str, i64)> = groups.iter().map(|g| (g.code.as_str(), g.count)).collect();
    assert_eq!(
        counts,
        [
            ("REQUIRED_FIELD_MISSING", NO_LAST_NAME as i64),
            ("STRING_TOO_LONG", TITLE_TOO_LONG as i64)
        ]
    );
    assert!(groups[0].hint.contains("required"), "{}", groups[0].hint);

    // Every row once, across pages of LOG_PAGE, in contact order.
    let first = r.log(run.id, &[], 0).await;
    assert_eq!(first.rows.len() as i64, LOG_PAGE);
    let after = first.next_after.expect("a second page");
    let second = r.log(run.id, &[], after).await;
    assert_eq!(second.next_after, None);
    let ids: HashSet<i64> = first
        .rows
        .iter()
        .chain(&second.rows)
        .map(|row| row.contact_id)
        .collect();
    assert_eq!(ids.len(), ALL);
    let inserted = first
        .rows
        .iter()
        .find(|row| row.action == "insert")
        .expect("an insert on the first page");
    assert_eq!(inserted.outcome, "ok");
    let [record] = inserted.crm_records.as_slice() else {
        panic!("one record: {:?}", inserted.crm_records);
    };
    let crm_id = record.id.as_str();
    assert_eq!(
        record.url.as_deref(),
        Some(format!("{}/{crm_id}", r.sim.base_url()).as_str()),
        "linked into the org"
    );
    assert!(r
        .sim
        .records("Contact")
        .iter()
        .any(|rec| rec["Id"] == crm_id));

    let failed = r.log(run.id, &[("filter[outcome]", "failed")], 0).await;
    assert_eq!(failed.rows.len(), NO_LAST_NAME + TITLE_TOO_LONG);
    assert!(failed.rows.iter().all(|row| row.outcome == "failed"));
    let too_long = r
        .log(run.id, &[("filter[error_code]", "STRING_TOO_LONG")], 0)
        .await;
    assert_eq!(too_long.rows.len(), TITLE_TOO_LONG);
    let searched = r.log(run.id, &[("filter[email]", "PERSON6")], 0).await;
    let mut emails: Vec<&str> = searched.rows.iter().map(|row| row.email.as_str()).collect();
    emails.sort_unstable();
    assert_eq!(
        emails,
        [
            "person60@review.example",
            "person61@review.example",
            "person62@review.example",
            "person63@review.example",
            "person64@review.example"
        ]
    );
    let inserts_only = r
        .log(
            run.id,
            &[("filter[action]", "invalid"), ("filter[outcome]", "ok")],
            0,
        )
        .await;
    assert!(inserts_only.rows.is_empty());

    let refused = r
        .log_response(run.id, &[("filter[outcome]", "maybe")], 0)
        .await;
    assert_eq!(refused.status(), 422);
    match api_error(refused).await {
        ApiError::Invalid { field, reason } => {
            assert_eq!(field, "outcome");
            assert!(reason.contains("maybe"), "{reason}");
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn results_download_every_row_as_excel_ready_csv() {
    let r = review().await;
    let run = r.finished_run().await;
    let response = r
        .app
        .get(&format!("/crm/runs/{}/results.csv", run.id))
        .await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(headers["content-disposition"]
        .to_str()
        .expect("ascii")
        .contains(&format!("run-{}-results.csv", run.id)));
    let body = response.bytes().await.expect("body");
    assert!(body.starts_with("\u{feff}".as_bytes()), "UTF-8 BOM first");
    let mut reader = csv::Reader::from_reader(&body[3..]);
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "contact_id",
            "email",
            "action",
            "outcome",
            "salesforce_id",
            "error_code",
            "message"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), ALL);
    let failed: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[3] == "failed").collect();
    assert_eq!(failed.len(), NO_LAST_NAME + TITLE_TOO_LONG);
    assert!(failed.iter().any(|r| &r[5] == "REQUIRED_FIELD_MISSING"));
    let org_ids: HashSet<String> = r
        .sim
        .records("Contact")
        .iter()
        .map(|rec| rec["Id"].as_str().expect("Id").to_owned())
        .collect();
    let csv_ids: HashSet<String> = rows
        .iter()
        .filter(|r| &r[3] == "ok")
        .map(|r| r[4].to_owned())
        .collect();
    assert_eq!(
        csv_ids, org_ids,
        "every inserted record, as the org holds it"
    );
}

/// A re-run with nothing changed logs no row per unchanged contact (they are kept as lists), yet the run
/// review still answers for each: the Unchanged filter pages through them by contact, an email search
/// narrows them, and the results download has every selected contact.
#[tokio::test]
async fn a_reruns_unchanged_contacts_are_listed_under_their_filter_and_in_the_results() {
    let r = review().await;
    r.finished_run().await;
    let again = r.finished_run().await;
    assert_eq!(again.counters.unchanged, GOOD as i64);
    let logged = r.log(again.id, &[], 0).await;
    assert!(
        logged.rows.iter().all(|row| row.action != "unchanged"),
        "unchanged contacts are not log rows"
    );
    assert_eq!(logged.rows.len(), NO_LAST_NAME + TITLE_TOO_LONG);

    let unchanged = [("filter[action]", "unchanged")];
    let first = r.log(again.id, &unchanged, 0).await;
    assert_eq!(first.rows.len(), LOG_PAGE as usize);
    let after = first.next_after.expect("a second page");
    let second = r.log(again.id, &unchanged, after).await;
    assert_eq!(second.next_after, None);
    let emails: Vec<String> = first
        .rows
        .iter()
        .chain(&second.rows)
        .map(|row| row.email.clone())
        .collect();
    let expected: Vec<String> = (0..GOOD)
        .map(|i| format!("person{i:02}@review.example"))
        .collect();
    assert_eq!(
        emails, expected,
        "every unchanged contact once, in contact order"
    );
    let searched = r
        .log(
            again.id,
            &[
                ("filter[action]", "unchanged"),
                ("filter[email]", "person07"),
            ],
            0,
        )
        .await;
    let found: Vec<&str> = searched.rows.iter().map(|row| row.email.as_str()).collect();
    assert_eq!(found, ["person07@review.example"]);
    let failed_unchanged = r
        .log(
            again.id,
            &[
                ("filter[action]", "unchanged"),
                ("filter[outcome]", "failed"),
            ],
            0,
        )
        .await;
    assert!(failed_unchanged.rows.is_empty());

    let body = r
        .app
        .get(&format!("/crm/runs/{}/results.csv", again.id))
        .await
        .bytes()
        .await
        .expect("body");
    let mut reader = csv::Reader::from_reader(&body[3..]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), ALL, "every selected contact has a line");
    assert_eq!(rows.iter().filter(|r| &r[2] == "unchanged").count(), GOOD);
}

#[tokio::test]
async fn progress_streams_as_events_until_the_run_has_finished() {
    let r = review().await;
    let run_id = r.queue().await;
    let mut events = r.app.get(&format!("/crm/runs/{run_id}/events")).await;
    assert_eq!(events.status(), 200);
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    let first = events.chunk().await.expect("read").expect("a first event");
    let first = String::from_utf8(first.to_vec()).expect("utf-8");
    assert!(first.starts_with("event: progress\n"), "{first}");
    let queued: RunSummary = serde_json::from_str(
        first
            .lines()
            .find_map(|l| l.strip_prefix("data: "))
            .expect("data line"),
    )
    .expect("run json");
    assert_eq!(queued.status, RunStatus::Queued);

    r.app.engine.drain().await.expect("engine ran");
    // The stream ends by itself once it has sent the finished run.
    let rest = events.text().await.expect("rest of the stream");
    let last: RunSummary = serde_json::from_str(
        rest.lines()
            .rev()
            .find_map(|l| l.strip_prefix("data: "))
            .expect("a final event"),
    )
    .expect("run json");
    assert_eq!(last.status, RunStatus::CompletedWithErrors);
    assert_eq!(last.counters.processed, ALL as i64);
}

#[tokio::test]
async fn retry_failed_rows_queues_a_run_tied_to_the_first_and_is_refused_when_nothing_failed() {
    let r = review().await;
    let run = r.finished_run().await;
    let retried: SyncNowOutcome = r
        .app
        .call("retry_failed_rows", &[("run_id", &run.id.to_string())])
        .await
        .json()
        .await
        .expect("queued");
    assert!(!retried.already_running);
    let retry = r.run(retried.run_id).await;
    assert_eq!(retry.retry_of, Some(run.id));
    assert_eq!(retry.status, RunStatus::Queued);
    // Asking again while the retry is queued names it instead of queueing another.
    let again: SyncNowOutcome = r
        .app
        .call("retry_failed_rows", &[("run_id", &run.id.to_string())])
        .await
        .json()
        .await
        .expect("answer");
    assert_eq!(
        (again.run_id, again.already_running),
        (retried.run_id, true)
    );
    let refused = r
        .app
        .call(
            "retry_failed_rows",
            &[("run_id", &retried.run_id.to_string())],
        )
        .await;
    assert_eq!(refused.status(), 409, "the retry is still going");
    assert!(api_error(refused).await.to_string().contains("still going"));

    // The retry goes over the failed contacts only (they fail again: nothing about them changed).
    r.app.engine.drain().await.expect("engine ran");
    let retry = r.run(retried.run_id).await;
    assert_eq!(
        retry.counters.processed,
        (NO_LAST_NAME + TITLE_TOO_LONG) as i64,
        "only the failed contacts"
    );
    assert_eq!(
        retry.counters.invalid,
        (NO_LAST_NAME + TITLE_TOO_LONG) as i64
    );
}

#[tokio::test]
async fn another_workspace_cannot_read_a_run() {
    let r = review().await;
    let run = r.finished_run().await;
    let other = r.app.new_workspace("Other Co").await;
    r.app
        .add_user(other, "boss@other.example", Role::SuperUser)
        .await;
    let browser = r.app.other_browser();
    assert_eq!(
        browser
            .sign_in("boss@other.example", MEMBER_PASSWORD)
            .await
            .status(),
        200
    );
    let id = run.id.to_string();
    for function in ["get_run", "run_errors", "retry_failed_rows"] {
        let response = browser.call(function, &[("run_id", &id)]).await;
        assert_eq!(response.status(), 404, "{function}");
    }
    let log = browser
        .call("run_log", &[("run_id", id.as_str()), ("after", "0")])
        .await;
    assert_eq!(log.status(), 404);
    for path in ["events", "results.csv"] {
        let response = browser.get(&format!("/crm/runs/{id}/{path}")).await;
        assert_eq!(response.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn the_runs_list_is_newest_first_a_page_at_a_time() {
    let r = review().await;
    let mut ids = Vec::new();
    for _ in 0..=RUNS_PAGE {
        ids.push(r.finished_run().await.id);
    }
    let page = |before: i64| {
        let app = &r.app;
        let sync_id = r.sync_id.to_string();
        async move {
            app.call(
                "list_runs",
                &[
                    ("sync_id", sync_id.as_str()),
                    ("before", &before.to_string()),
                ],
            )
            .await
            .json::<Vec<RunSummary>>()
            .await
            .expect("runs")
        }
    };
    let first = page(0).await;
    let newest: Vec<i64> = ids.iter().rev().take(RUNS_PAGE as usize).copied().collect();
    assert_eq!(first.iter().map(|run| run.id).collect::<Vec<_>>(), newest);
    let older = page(first.last().expect("a full page").id).await;
    assert_eq!(
        older.iter().map(|run| run.id).collect::<Vec<_>>(),
        [ids[0]],
        "the next page holds the oldest run only"
    );
    assert!(
        page(ids[0]).await.is_empty(),
        "nothing before the first run"
    );
}

#[tokio::test]
async fn a_progress_stream_stops_waiting_for_a_run_that_stays_queued() {
    // No worker runs in tests, so the run stays queued; no patience at all makes the wait observable.
    let o = crate::engine::org_with(&[("KOMO_PROGRESS_QUEUED_PATIENCE_SECS", "0")]).await;
    o.add(&[("ada@example.com", "Ada", "Lovelace", "London")])
        .await;
    let sync = o
        .sync(&crate::engine::contact_sync(crate::engine::city_is(
            "London",
        )))
        .await;
    let run_id = o.sync_now(sync, false).await;
    let events = o.app.get(&format!("/crm/runs/{run_id}/events")).await;
    assert_eq!(events.status(), 200);
    // The stream must end by itself; the bound only turns a hang into a failure.
    let body = tokio::time::timeout(std::time::Duration::from_secs(30), events.text())
        .await
        .expect("the stream ended")
        .expect("body");
    let sent: Vec<RunSummary> = body
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .map(|data| serde_json::from_str(data).expect("run json"))
        .collect();
    assert_eq!(sent.len(), 1, "the queued run, once: {body}");
    assert_eq!(sent[0].status, RunStatus::Queued);
}
