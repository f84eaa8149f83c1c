//! The push engine against the Salesforce simulator, on whichever database the suite runs on: "Sync now"
//! queues a run, the test steps the engine (`KOMO_WORKERS=0`, no background worker, no sleeps), and every
//! run is checked against the invariants: each selected contact has exactly one log row, the counters equal
//! the rows and what the org holds, and no retry ever made a second record.

use crate::contacts_storage::contact;
use crate::helpers::{spawn_app_with, TestApp};
use app::api::runs::SyncNowOutcome;
use app::api::syncs::{RunSummary, SaveOutcome};
use salesforce_sim::{ConnectedApp, CustomField, FaultPatch, SimConfig, Simulator};
use serde_json::json;
use server::engine::Step;
use server::storage::runs::log::StoredLogRow;
use server::storage::WorkspaceId;
use shared::sync::config::{FieldMapping, MappingSource, Overwrite, SyncConfig};
use shared::sync::filter::{Combine, Filter, FilterRule, Operator};
use shared::sync::run::RunStatus;
use std::collections::HashSet;

const CLIENT_ID: &str = "3MVG9-komo-engine";
const SECRET: &str = "the-engine-secret";

pub(crate) struct Org {
    pub sim: Simulator,
    pub app: TestApp,
    pub connection_id: i64,
    pub workspace: WorkspaceId,
}

/// An org on the simulator and the app connected to it; `extra` settings on top. Retries and Bulk polls
/// do not wait (`KOMO_SALESFORCE_BACKOFF_SCALE=0`).
pub(crate) async fn org_with(extra: &[(&str, &str)]) -> Org {
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("simulator");
    sim.add_app(ConnectedApp::new(CLIENT_ID, SECRET));
    let mut vars = vec![
        ("KOMO_SALESFORCE_EXTRA_ORIGINS", sim.base_url()),
        ("KOMO_SALESFORCE_BACKOFF_SCALE", "0"),
    ];
    vars.extend_from_slice(extra);
    let app = spawn_app_with(&vars).await;
    app.sign_in_as_admin().await;
    let response = app
        .call(
            "save_connection",
            &[
                ("domain", sim.base_url()),
                ("client_id", CLIENT_ID),
                ("client_secret", SECRET),
            ],
        )
        .await;
    assert_eq!(response.status(), 200, "connected");
    let connection: app::api::crm::ConnectionSummary = response.json().await.expect("summary");
    let workspace = app.first_workspace().await;
    Org {
        sim,
        app,
        connection_id: connection.id,
        workspace,
    }
}

pub(crate) async fn org() -> Org {
    org_with(&[]).await
}

pub(crate) fn field(key: &str, crm: &str) -> FieldMapping {
    FieldMapping {
        source: MappingSource::Field(key.into()),
        crm_field: crm.into(),
        overwrite: Overwrite::Always,
    }
}

/// Contacts by email: names and job title, inserting and updating.
pub(crate) fn contact_sync(filter: Filter) -> SyncConfig {
    SyncConfig {
        mappings: vec![
            field("first_name", "FirstName"),
            field("last_name", "LastName"),
            field("job_title", "Title"),
        ],
        filter,
        ..SyncConfig::default()
    }
}

pub(crate) fn city_is(city: &str) -> Filter {
    Filter {
        combine: Combine::All,
        rules: vec![FilterRule {
            field: "city".into(),
            operator: Operator::Equals,
            value: city.into(),
        }],
    }
}

impl Org {
    /// Creates, saves and starts a sync; returns its id.
    pub(crate) async fn sync(&self, config: &SyncConfig) -> i64 {
        let connection = self.connection_id.to_string();
        let id: i64 = self
            .app
            .call(
                "create_sync",
                &[
                    ("connection_id", &connection),
                    ("object", "Contact"),
                    ("name", "Quiz contacts"),
                ],
            )
            .await
            .json()
            .await
            .expect("sync id");
        let saved: SaveOutcome = self
            .app
            .call_json(
                "save_sync_config",
                &serde_json::json!({ "sync_id": id, "base_version": 0, "config": config }),
            )
            .await
            .json()
            .await
            .expect("outcome");
        assert!(matches!(saved, SaveOutcome::Saved { .. }), "{saved:?}");
        let started = self
            .app
            .call(
                "set_sync_running",
                &[("sync_id", &id.to_string()), ("running", "true")],
            )
            .await;
        assert_eq!(started.status(), 200);
        id
    }

    pub(crate) async fn sync_now(&self, sync_id: i64, full_resync: bool) -> i64 {
        let outcome: SyncNowOutcome = self
            .app
            .call(
                "sync_now",
                &[
                    ("sync_id", &sync_id.to_string()),
                    ("full_resync", &full_resync.to_string()),
                ],
            )
            .await
            .json()
            .await
            .expect("queued");
        assert!(!outcome.already_running);
        outcome.run_id
    }

    /// Queues a run, drains the queue, and checks the run's invariants.
    pub(crate) async fn push(
        &self,
        sync_id: i64,
        full_resync: bool,
    ) -> (RunSummary, Vec<StoredLogRow>) {
        let run_id = self.sync_now(sync_id, full_resync).await;
        let done = self.app.engine.drain().await.expect("engine ran");
        assert_eq!(done.len(), 1, "one run");
        assert_eq!(done[0].0, run_id);
        self.checked(run_id).await
    }

    pub(crate) async fn add(&self, contacts: &[(&str, &str, &str, &str)]) {
        let new: Vec<_> = contacts
            .iter()
            .map(|(email, first, last, city)| {
                contact(
                    email,
                    &[("first_name", first), ("last_name", last), ("city", city)],
                    &[],
                )
            })
            .collect();
        self.app
            .storage
            .upsert_contacts(self.workspace, &new)
            .await
            .expect("contacts");
    }

    pub(crate) async fn run(&self, run_id: i64) -> RunSummary {
        self.app
            .storage
            .find_run(self.workspace, run_id)
            .await
            .expect("run")
    }

    pub(crate) async fn rows(&self, run_id: i64) -> Vec<StoredLogRow> {
        self.app
            .storage
            .run_log(self.workspace, run_id, 0, false, 1_000_000)
            .await
            .expect("log")
    }

    /// The invariants every finished run keeps: one row per contact (every selected one unless the run
    /// stopped early), counters equal to the rows, no duplicate records in the org for any row's email.
    pub(crate) async fn checked(&self, run_id: i64) -> (RunSummary, Vec<StoredLogRow>) {
        let run = self.run(run_id).await;
        let rows = self.rows(run_id).await;
        let contacts: HashSet<i64> = rows.iter().map(|r| r.contact_id).collect();
        assert_eq!(contacts.len(), rows.len(), "one row per contact");
        let c = run.counters;
        assert_eq!(c.processed, rows.len() as i64, "processed = rows");
        if matches!(
            run.status,
            RunStatus::Succeeded | RunStatus::CompletedWithErrors
        ) {
            assert_eq!(
                c.processed, c.selected,
                "every selected contact has its row"
            );
        }
        let tally = |action: &str, outcome: &str| {
            rows.iter()
                .filter(|r| r.action == action && (outcome.is_empty() || r.outcome == outcome))
                .count() as i64
        };
        assert_eq!(c.inserted_ok, tally("insert", "ok"));
        assert_eq!(c.inserted_failed, tally("insert", "failed"));
        assert_eq!(c.updated_ok, tally("update", "ok"));
        assert_eq!(c.updated_failed, tally("update", "failed"));
        assert_eq!(c.skipped, tally("skip", ""));
        assert_eq!(c.unchanged, tally("unchanged", ""));
        assert_eq!(c.invalid, tally("invalid", ""));
        for row in &rows {
            assert!(
                self.sim.contacts_with_email(&row.email) <= 1,
                "{} is in the org more than once",
                row.email
            );
            if row.outcome == "ok" && matches!(row.action.as_str(), "insert" | "update") {
                assert_eq!(self.sim.contacts_with_email(&row.email), 1, "{}", row.email);
                assert!(row.crm_id.is_some());
            }
        }
        (run, rows)
    }
}

pub(crate) fn five_contacts() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    vec![
        ("ada@example.com", "Ada", "Lovelace", "London"),
        ("alan@example.com", "Alan", "Turing", "London"),
        ("grace@example.com", "Grace", "Hopper", "New York"),
        ("edsger@example.com", "Edsger", "Dijkstra", "Austin"),
        // No last name: Salesforce requires one on insert, so this contact is invalid, with no API call.
        ("nobody@example.com", "No", "", "Paris"),
    ]
}

#[tokio::test]
async fn a_run_inserts_and_updates_by_email_and_a_rerun_with_nothing_changed_writes_nothing() {
    let o = org().await;
    o.sim
        .seed(
            "Contact",
            &[
                json!({"LastName": "Old name", "Email": "ADA@example.com"}),
                json!({"FirstName": "Al", "LastName": "Turing", "Email": "alan@example.com"}),
            ],
        )
        .expect("seeded");
    o.add(&five_contacts()).await;
    let sync = o.sync(&contact_sync(Filter::default())).await;

    let (run, rows) = o.push(sync, false).await;
    assert_eq!(
        run.status,
        RunStatus::CompletedWithErrors,
        "{:?}",
        run.message
    );
    let c = run.counters;
    assert_eq!((c.komo_total, c.selected, c.crm_total), (5, 5, Some(2)));
    assert_eq!((c.inserted_ok, c.updated_ok, c.invalid), (2, 2, 1));
    assert_eq!(o.sim.count("Contact"), 4, "two inserted, none twice");
    let ada = rows
        .iter()
        .find(|r| r.email == "ada@example.com")
        .expect("ada");
    assert_eq!(
        (ada.action.as_str(), ada.outcome.as_str()),
        ("update", "ok")
    );
    let nobody = rows
        .iter()
        .find(|r| r.email == "nobody@example.com")
        .expect("nobody");
    assert_eq!(nobody.action, "invalid");
    assert!(
        nobody.message.as_deref().unwrap_or("").contains("LastName"),
        "{:?}",
        nobody.message
    );
    let records = o.sim.records("Contact");
    assert!(records
        .iter()
        .any(|r| r["Email"] == "ada@example.com" && r["LastName"] == "Lovelace"));

    let writes = o.sim.write_calls();
    let (again, _) = o.push(sync, false).await;
    assert_eq!(
        o.sim.write_calls(),
        writes,
        "nothing changed: no write call"
    );
    assert_eq!(
        (again.counters.unchanged, again.counters.invalid),
        (4, 1),
        "unchanged by hash; the invalid one is tried again"
    );

    // A full resync looks everything up again, and still writes nothing Salesforce already holds.
    let (full, _) = o.push(sync, true).await;
    assert_eq!(o.sim.write_calls(), writes);
    assert_eq!(full.counters.unchanged, 4);

    // One change: one update.
    o.add(&[("grace@example.com", "Grace", "Murray Hopper", "New York")])
        .await;
    let (changed, _) = o.push(sync, false).await;
    assert_eq!(
        (changed.counters.updated_ok, changed.counters.unchanged),
        (1, 3)
    );
    assert_eq!(o.sim.write_calls(), writes + 1);
}

#[tokio::test]
async fn only_the_contacts_the_filter_selects_are_pushed() {
    let o = org().await;
    o.add(&five_contacts()).await;
    let sync = o.sync(&contact_sync(city_is("london"))).await;
    let (run, rows) = o.push(sync, false).await;
    assert_eq!(run.status, RunStatus::Succeeded);
    assert_eq!((run.counters.selected, run.counters.komo_total), (2, 5));
    assert_eq!(rows.len(), 2);
    assert_eq!(o.sim.count("Contact"), 2);
}

/// Twelve contacts in batches of five, with one fault switch on; the run must still log each contact once,
/// leave no duplicate in the org, and count what the org holds.
async fn push_through(fault: impl FnOnce(&Simulator)) -> Org {
    push_through_with(&[], fault).await
}

/// [`push_through`] with more settings, e.g. the Bulk paths on.
pub(crate) async fn push_through_with(
    settings: &[(&str, &str)],
    fault: impl FnOnce(&Simulator),
) -> Org {
    let mut vars = vec![("KOMO_PUSH_BATCH_SIZE", "5")];
    vars.extend_from_slice(settings);
    let o = org_with(&vars).await;
    let people: Vec<(String, String)> = (0..12)
        .map(|i| (format!("person{i}@example.com"), format!("Person{i}")))
        .collect();
    // Four already in the org, with another title.
    let existing: Vec<serde_json::Value> = people[..4]
        .iter()
        .map(|(email, last)| json!({"LastName": last, "Email": email, "Title": "Old"}))
        .collect();
    o.sim.seed("Contact", &existing).expect("seeded");
    let contacts: Vec<_> = people
        .iter()
        .map(|(email, last)| {
            contact(
                email,
                &[("last_name", last), ("job_title", "Engineer")],
                &[],
            )
        })
        .collect();
    o.app
        .storage
        .upsert_contacts(o.workspace, &contacts)
        .await
        .expect("contacts");
    let sync = o.sync(&contact_sync(Filter::default())).await;
    fault(&o.sim);
    let (run, _) = o.push(sync, false).await;
    assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.message);
    assert_eq!((run.counters.inserted_ok, run.counters.updated_ok), (8, 4));
    assert_eq!(o.sim.count("Contact"), 12, "no record made twice");
    o
}

#[tokio::test]
async fn server_unavailable_answers_are_retried() {
    push_through(|sim| sim.fail_next(3)).await;
}

#[tokio::test]
async fn records_locked_by_salesforce_are_sent_again() {
    push_through(|sim| {
        sim.set_faults(FaultPatch {
            lock_next_records: Some(3),
            ..FaultPatch::default()
        })
    })
    .await;
}

#[tokio::test]
async fn an_expired_session_signs_in_again() {
    push_through(Simulator::expire_tokens).await;
}

#[tokio::test]
async fn a_lost_insert_answer_is_looked_up_and_never_makes_a_second_record() {
    let o = push_through(|sim| {
        sim.set_faults(FaultPatch {
            drop_after_write: Some(2),
            ..FaultPatch::default()
        })
    })
    .await;
    assert_eq!(o.sim.faults().drop_after_write, 0, "the answers were lost");
}

#[tokio::test]
async fn the_request_limit_pauses_the_run_with_what_was_done_recorded() {
    let o = org_with(&[
        ("KOMO_PUSH_BATCH_SIZE", "2"),
        ("KOMO_PUSH_API_RESERVE_PERCENT", "0"),
    ])
    .await;
    let people: Vec<(String, String, String, String)> = (0..6)
        .map(|i| {
            (
                format!("p{i}@example.com"),
                "P".to_owned(),
                format!("Person{i}"),
                "Leeds".to_owned(),
            )
        })
        .collect();
    let borrowed: Vec<(&str, &str, &str, &str)> = people
        .iter()
        .map(|(a, b, c, d)| (a.as_str(), b.as_str(), c.as_str(), d.as_str()))
        .collect();
    o.add(&borrowed).await;
    let sync = o.sync(&contact_sync(Filter::default())).await;
    // Enough for the count and two batches (a lookup and an insert each), not for the third.
    let (used, _) = o.sim.api_usage();
    o.sim.set_api_allowance(used + 5, None);
    let run_id = o.sync_now(sync, false).await;
    o.app.engine.drain().await.expect("ran");
    let (run, rows) = o.checked(run_id).await;
    assert_eq!(run.status, RunStatus::Paused);
    assert!(
        run.message
            .as_deref()
            .unwrap_or("")
            .contains("request limit"),
        "{:?}",
        run.message
    );
    assert_eq!(rows.len(), 4, "two batches recorded");
    assert_eq!(o.sim.count("Contact"), 4);

    // Once the org has requests again, the next run does the rest; what was pushed is unchanged.
    o.sim.set_api_allowance(1_000_000, None);
    let (next, _) = o.push(sync, false).await;
    assert_eq!(next.status, RunStatus::Succeeded);
    assert_eq!((next.counters.inserted_ok, next.counters.unchanged), (2, 4));
    assert_eq!(o.sim.count("Contact"), 6);
}

#[tokio::test]
async fn a_run_that_would_eat_into_the_api_reserve_is_refused_before_any_write() {
    let o = org().await;
    o.add(&five_contacts()).await;
    let sync = o.sync(&contact_sync(Filter::default())).await;
    o.sim.set_api_allowance(1_000, Some(950));
    let writes = o.sim.write_calls();
    let (run, rows) = o.push(sync, false).await;
    assert_eq!(run.status, RunStatus::Failed);
    let message = run.message.unwrap_or_default();
    assert!(message.starts_with("Not started"), "{message}");
    assert!(message.contains("10%"), "{message}");
    assert!(rows.is_empty());
    assert_eq!(o.sim.write_calls(), writes);
}

#[tokio::test]
async fn a_cancelled_run_stops_at_the_batch_boundary_and_a_queued_one_never_starts() {
    let o = org().await;
    o.add(&five_contacts()).await;
    let sync = o.sync(&contact_sync(Filter::default())).await;

    let queued = o.sync_now(sync, false).await;
    assert!(o
        .app
        .storage
        .request_cancel(o.workspace, queued)
        .await
        .expect("cancel"));
    assert_eq!(o.run(queued).await.status, RunStatus::Cancelled);
    assert_eq!(
        o.app.engine.run_once().await.expect("step"),
        Step::EmptyQueue
    );

    // A running run (claimed by a worker that then died) is cancelled at its next boundary.
    let running = o.sync_now(sync, false).await;
    o.app
        .storage
        .claim_run("a-worker-that-died", 0)
        .await
        .expect("claim")
        .expect("claimed");
    o.app
        .storage
        .request_cancel(o.workspace, running)
        .await
        .expect("cancel");
    o.app.engine.drain().await.expect("ran");
    let (run, rows) = o.checked(running).await;
    assert_eq!(run.status, RunStatus::Cancelled);
    assert!(rows.is_empty());
    assert_eq!(o.sim.count("Contact"), 0);
}

#[tokio::test]
async fn a_run_whose_worker_died_is_picked_up_once_its_lease_lapses() {
    let o = org().await;
    o.add(&five_contacts()).await;
    let sync = o.sync(&contact_sync(Filter::default())).await;
    let run_id = o.sync_now(sync, false).await;

    // A live lease keeps the run from other workers.
    o.app
        .storage
        .claim_run("a-busy-worker", 300)
        .await
        .expect("claim")
        .expect("claimed");
    assert_eq!(
        o.app.engine.run_once().await.expect("step"),
        Step::EmptyQueue
    );

    // Its lease lapsing (a worker that died) makes it claimable again.
    let lapsed = "update sync_runs set lease_until = 0 where id = $1";
    crate::helpers::sql_execute(&o.app.storage, lapsed, run_id).await;
    let done = o.app.engine.drain().await.expect("ran");
    assert_eq!(done, [(run_id, Some(RunStatus::CompletedWithErrors))]);
    o.checked(run_id).await;
    assert_eq!(o.sim.count("Contact"), 4);
}

#[tokio::test]
async fn two_engine_instances_on_one_database_do_each_run_once() {
    let o = org_with(&[("KOMO_PUSH_BATCH_SIZE", "2")]).await;
    let cities = ["Leeds", "York", "Bath", "Hull"];
    let mut people = Vec::new();
    for (c, city) in cities.iter().enumerate() {
        for i in 0..3 {
            people.push((format!("p{c}x{i}@example.com"), format!("Person{i}"), *city));
        }
    }
    let contacts: Vec<_> = people
        .iter()
        .map(|(email, last, city)| contact(email, &[("last_name", last), ("city", city)], &[]))
        .collect();
    o.app
        .storage
        .upsert_contacts(o.workspace, &contacts)
        .await
        .expect("contacts");
    let mut runs = Vec::new();
    for city in cities {
        let sync = o.sync(&contact_sync(city_is(city))).await;
        runs.push(o.sync_now(sync, false).await);
    }
    let other = o.app.another_instance().await;
    let (a, b) = tokio::join!(o.app.engine.drain(), other.engine.drain());
    let (a, b) = (a.expect("a ran"), b.expect("b ran"));
    let mut done: Vec<i64> = a.iter().chain(&b).map(|(id, _)| *id).collect();
    done.sort_unstable();
    assert_eq!(done, runs, "each run done once, by one instance");
    for run_id in runs {
        let (run, rows) = o.checked(run_id).await;
        assert_eq!(run.status, RunStatus::Succeeded);
        assert_eq!(rows.len(), 3);
    }
    assert_eq!(o.sim.count("Contact"), 12);
}

#[tokio::test]
async fn an_external_id_match_upserts_in_one_call_without_a_lookup() {
    let o = org().await;
    let key = o
        .sim
        .add_custom_field("Contact", &CustomField::external_id_text("Komo_Id", 80))
        .expect("field");
    o.sim
        .seed(
            "Contact",
            &[json!({"LastName": "Old name", "Email": "old@example.com", key.as_str(): "ada@example.com"})],
        )
        .expect("seeded");
    o.add(&five_contacts()[..3]).await;
    let mut config = contact_sync(Filter::default());
    config.match_pair.crm_field = key.clone();
    config.mappings.push(field("email", "Email"));
    let sync = o.sync(&config).await;
    o.sim.clear_requests();

    let (run, rows) = o.push(sync, false).await;
    assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.message);
    assert_eq!((run.counters.inserted_ok, run.counters.updated_ok), (2, 1));
    let ada = rows
        .iter()
        .find(|r| r.email == "ada@example.com")
        .expect("ada");
    assert_eq!(ada.action, "update", "Salesforce said created: false");
    let requests = o.sim.requests();
    let queries = requests
        .iter()
        .filter(|r| r.path.contains("/query"))
        .count();
    assert_eq!(queries, 1, "only SELECT COUNT(): no lookup");
    assert!(requests
        .iter()
        .any(|r| r.method == "PATCH" && r.path.ends_with(&format!("/Contact/{key}"))));
    assert_eq!(o.sim.count("Contact"), 3);

    let writes = o.sim.write_calls();
    let (again, _) = o.push(sync, false).await;
    assert_eq!(again.counters.unchanged, 3);
    assert_eq!(o.sim.write_calls(), writes);
}

#[tokio::test]
async fn a_fifth_of_all_calls_failing_with_503_still_pushes_everything_once() {
    push_through(|sim| {
        sim.set_faults(FaultPatch {
            fail_percent: Some(20),
            ..FaultPatch::default()
        })
    })
    .await;
}

#[tokio::test]
async fn the_concurrent_request_limit_pauses_before_anything_is_sent() {
    let o = org().await;
    o.add(&five_contacts()).await;
    let sync = o.sync(&contact_sync(Filter::default())).await;
    o.sim.set_faults(FaultPatch {
        request_limit: Some("ConcurrentPerOrgLongTxn Limit exceeded.".into()),
        ..FaultPatch::default()
    });
    let (run, rows) = o.push(sync, false).await;
    assert_eq!(run.status, RunStatus::Paused);
    assert!(run
        .message
        .as_deref()
        .unwrap_or("")
        .contains("ConcurrentPerOrgLongTxn"));
    assert!(rows.is_empty());
    assert_eq!(o.sim.count("Contact"), 0);
}

#[tokio::test]
async fn a_record_that_stays_locked_fails_alone_with_salesforces_code() {
    let o = org().await;
    let ids = o
        .sim
        .seed(
            "Contact",
            &[json!({"LastName": "Old", "Email": "ada@example.com"})],
        )
        .expect("seeded");
    o.add(&five_contacts()[..3]).await;
    let sync = o.sync(&contact_sync(Filter::default())).await;
    o.sim.set_faults(FaultPatch {
        lock_ids: Some(ids.clone()),
        ..FaultPatch::default()
    });
    let (run, rows) = o.push(sync, false).await;
    assert_eq!(run.status, RunStatus::CompletedWithErrors);
    assert_eq!(
        (run.counters.updated_failed, run.counters.inserted_ok),
        (1, 2)
    );
    let ada = rows
        .iter()
        .find(|r| r.email == "ada@example.com")
        .expect("ada");
    assert_eq!(ada.error_code.as_deref(), Some("UNABLE_TO_LOCK_ROW"));
    assert_eq!(ada.crm_id.as_deref(), Some(ids[0].as_str()));

    // Unlocked, the next run updates it; the others are unchanged.
    o.sim.reset_faults();
    let (next, _) = o.push(sync, false).await;
    assert_eq!((next.counters.updated_ok, next.counters.unchanged), (1, 2));
}
