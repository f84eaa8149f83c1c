//! The push engine's Bulk API 2.0 paths against the simulator, on whichever database the suite runs on:
//! the same invariants as `engine.rs` (one log row per contact, counters equal to the rows and to what
//! the org holds, no record made twice) with every run of more than three contacts going the Bulk way
//! — index from a query job, writes as ingest jobs split at 200 bytes — under each fault switch. Workers
//! that die midway and cancels are in `engine_resume.rs`.

use crate::engine::{contact_sync, org_with, push_through_with, Org};
use salesforce_sim::{CustomField, FaultPatch, Simulator};
use serde_json::json;
use shared::sync::filter::Filter;
use shared::sync::run::RunStatus;
use std::collections::HashMap;

/// Every run of more than three contacts is a Bulk run, and each kind of write above three rows goes as
/// Bulk jobs of at most 200 bytes of CSV (so twelve contacts take several jobs).
pub(crate) const BULK: &[(&str, &str)] = &[
    ("KOMO_PUSH_BULK_THRESHOLD", "3"),
    ("KOMO_PUSH_BULK_JOB_BYTES", "200"),
];

fn count(o: &Org, method: &str, path_has: &str) -> usize {
    o.sim
        .requests()
        .iter()
        .filter(|r| r.method == method && r.path.contains(path_has))
        .count()
}

/// SOQL lookups (`… IN (…)`), as opposed to `SELECT COUNT()`.
fn soql_lookups(o: &Org) -> usize {
    o.sim
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/query") && r.query.as_deref().unwrap_or("").contains("+IN+"))
        .count()
}

/// A scalar from the test database, for checking the engine's scratch tables.
pub(crate) async fn scalar(o: &Org, sql: &str, run_id: i64) -> i64 {
    crate::helpers::sql_scalar(&o.app.storage, sql, run_id).await
}

/// A statement on the test database with the run id as `$1`.
pub(crate) async fn execute(o: &Org, sql: &str, run_id: i64) {
    crate::helpers::sql_execute(&o.app.storage, sql, run_id).await;
}

/// A finished run leaves nothing in the scratch tables.
pub(crate) async fn assert_no_scratch(o: &Org, run_id: i64) {
    for table in ["push_index", "push_staged", "push_answers", "push_jobs"] {
        let sql = format!("select count(*) from {table} where run_id = $1");
        assert_eq!(scalar(o, &sql, run_id).await, 0, "{table} emptied");
    }
}

async fn last_run(o: &Org) -> i64 {
    scalar(o, "select max(id) from sync_runs where id > $1", 0).await
}

/// Waits (on the simulator's job events, not a clock) for every ingest job that was closed.
async fn wait_for_closed_jobs(o: &Org) {
    let closed: Vec<String> = o
        .sim
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH" && r.path.contains("/jobs/ingest/") && r.status == 200)
        .filter_map(|r| r.path.rsplit('/').next().map(str::to_owned))
        .collect();
    for id in closed {
        o.sim.wait_for_job(&id).await;
    }
}

#[tokio::test]
async fn a_bulk_run_indexes_with_one_query_job_writes_with_ingest_jobs_and_a_rerun_writes_nothing()
{
    let o = push_through_with(BULK, |_| {}).await;
    let run_id = last_run(&o).await;
    assert_eq!(count(&o, "POST", "/jobs/query"), 1, "one index query job");
    assert_eq!(soql_lookups(&o), 0, "no SOQL lookups");
    assert!(count(&o, "PUT", "/batches") >= 3, "inserts split over jobs");
    assert_eq!(
        count(&o, "POST", "/composite/sobjects"),
        0,
        "no Collections"
    );
    assert_no_scratch(&o, run_id).await;

    let sync = scalar(&o, "select sync_id from sync_runs where id = $1", run_id).await;
    let uploads = count(&o, "PUT", "/batches");
    let writes = o.sim.write_calls();
    let (again, _) = o.push(sync, false).await;
    assert_eq!(again.status, RunStatus::Succeeded);
    assert_eq!(again.counters.unchanged, 12);
    assert_eq!(
        o.sim.write_calls(),
        writes,
        "nothing changed: no write call, no query job"
    );

    // A full resync looks everything up again in bulk and finds nothing to write.
    let (full, _) = o.push(sync, true).await;
    assert_eq!(full.counters.unchanged, 12);
    assert_eq!(count(&o, "POST", "/jobs/query"), 2);
    assert_eq!(count(&o, "PUT", "/batches"), uploads);
    assert_eq!(o.sim.count("Contact"), 12);
}

#[tokio::test]
async fn server_unavailable_answers_are_retried_in_a_bulk_run() {
    push_through_with(BULK, |sim| sim.fail_next(3)).await;
}

#[tokio::test]
async fn a_fifth_of_all_calls_failing_with_503_still_pushes_everything_once_in_bulk() {
    push_through_with(BULK, |sim| {
        sim.set_faults(FaultPatch {
            fail_percent: Some(20),
            ..FaultPatch::default()
        })
    })
    .await;
}

#[tokio::test]
async fn rows_locked_in_a_bulk_job_are_sent_again() {
    let o = push_through_with(BULK, |sim| {
        sim.set_faults(FaultPatch {
            lock_next_records: Some(3),
            ..FaultPatch::default()
        })
    })
    .await;
    assert_eq!(o.sim.faults().lock_next_records, 0, "the locks were hit");
}

#[tokio::test]
async fn an_expired_session_signs_in_again_in_a_bulk_run() {
    push_through_with(BULK, Simulator::expire_tokens).await;
}

/// Loses the answer of one kind of write (`"METHOD path text"`), `times` times.
fn lose(only: &'static str, times: u32) -> impl FnOnce(&Simulator) {
    move |sim: &Simulator| {
        sim.set_faults(FaultPatch {
            drop_after_write: Some(times),
            drop_only: Some(only.into()),
            ..FaultPatch::default()
        })
    }
}

#[tokio::test]
async fn a_lost_upload_answer_aborts_the_job_and_sends_its_rows_in_a_new_one() {
    let o = push_through_with(BULK, lose("PUT /batches", 1)).await;
    assert_eq!(
        o.sim.faults().drop_after_write,
        0,
        "an upload's answer was lost"
    );
    // One close or abort per upload, and one more abort for the job whose upload's answer was lost:
    // its rows went again in a new job.
    assert_eq!(
        count(&o, "PATCH", "/jobs/ingest/"),
        count(&o, "PUT", "/batches"),
        "every uploaded job was closed or aborted once"
    );
}

#[tokio::test]
async fn a_lost_close_answer_is_checked_by_polling_and_nothing_is_sent_twice() {
    let o = push_through_with(BULK, lose("PATCH /jobs/ingest/", 1)).await;
    assert_eq!(
        o.sim.faults().drop_after_write,
        0,
        "a close's answer was lost"
    );
    // Every upload went to its own job: nothing was uploaded again.
    let mut uploads: HashMap<String, usize> = HashMap::new();
    for r in o.sim.requests().iter().filter(|r| r.method == "PUT") {
        *uploads.entry(r.path.clone()).or_default() += 1;
    }
    assert!(uploads.values().all(|n| *n == 1), "{uploads:?}");
}

#[tokio::test]
async fn a_lost_query_job_answer_makes_at_most_a_second_harmless_query_job() {
    push_through_with(BULK, lose("POST /jobs/query", 1)).await;
}

#[tokio::test]
async fn a_lost_collections_answer_in_a_bulk_run_is_looked_up_before_any_resend() {
    // Three updates (not above the threshold) go through Collections beside the insert jobs.
    let o = org_with(&[
        ("KOMO_PUSH_BATCH_SIZE", "5"),
        ("KOMO_PUSH_BULK_THRESHOLD", "3"),
    ])
    .await;
    let people: Vec<(String, String)> = (0..11)
        .map(|i| (format!("p{i}@example.com"), format!("P{i}")))
        .collect();
    let existing: Vec<serde_json::Value> = people[..3]
        .iter()
        .map(|(email, last)| json!({"LastName": last, "Email": email, "Title": "Old"}))
        .collect();
    o.sim.seed("Contact", &existing).expect("seeded");
    let borrowed: Vec<(&str, &str, &str, &str)> = people
        .iter()
        .map(|(e, l)| (e.as_str(), "First", l.as_str(), "Leeds"))
        .collect();
    o.add(&borrowed).await;
    let sync = o.sync(&contact_sync(Filter::default())).await;
    lose("PATCH /composite/sobjects", 1)(&o.sim);
    let (run, _) = o.push(sync, false).await;
    assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.message);
    assert_eq!((run.counters.inserted_ok, run.counters.updated_ok), (8, 3));
    assert_eq!(o.sim.count("Contact"), 11);
    assert_eq!(
        count(&o, "PATCH", "/composite/sobjects"),
        2,
        "updates by Id sent again"
    );
}

#[tokio::test]
async fn a_record_that_stays_locked_fails_alone_in_a_bulk_run() {
    let o = org_with(&[("KOMO_PUSH_BULK_THRESHOLD", "2")]).await;
    let ids = o
        .sim
        .seed(
            "Contact",
            &[
                json!({"LastName": "Old", "Email": "ada@example.com"}),
                json!({"LastName": "Old", "Email": "alan@example.com"}),
                json!({"LastName": "Old", "Email": "grace@example.com"}),
            ],
        )
        .expect("seeded");
    o.add(&crate::engine::five_contacts()[..4]).await;
    let sync = o.sync(&contact_sync(Filter::default())).await;
    o.sim.set_faults(FaultPatch {
        lock_ids: Some(ids[..1].to_vec()),
        ..FaultPatch::default()
    });
    let (run, rows) = o.push(sync, false).await;
    assert_eq!(run.status, RunStatus::CompletedWithErrors);
    assert_eq!(
        (
            run.counters.updated_ok,
            run.counters.updated_failed,
            run.counters.inserted_ok
        ),
        (2, 1, 1)
    );
    let ada = rows
        .iter()
        .find(|r| r.email == "ada@example.com")
        .expect("ada");
    assert_eq!(ada.error_code.as_deref(), Some("UNABLE_TO_LOCK_ROW"));
    assert_eq!(ada.crm_id.as_deref(), Some(ids[0].as_str()));
    assert_eq!(
        count(&o, "PUT", "/batches"),
        1,
        "one update job; the locked row went again by Collections"
    );
}

#[tokio::test]
async fn an_external_id_match_upserts_in_one_bulk_job() {
    let o = org_with(BULK).await;
    let key = o
        .sim
        .add_custom_field("Contact", &CustomField::external_id_text("Komo_Id", 80))
        .expect("field");
    o.sim
        .seed(
            "Contact",
            &[json!({"LastName": "Old", "Email": "old@example.com", key.as_str(): "ada@example.com"})],
        )
        .expect("seeded");
    o.add(&crate::engine::five_contacts()[..4]).await;
    let mut config = contact_sync(Filter::default());
    config.match_pair.crm_field = key.clone();
    config.mappings.push(crate::engine::field("email", "Email"));
    let sync = o.sync(&config).await;
    o.sim.clear_requests();
    let (run, rows) = o.push(sync, false).await;
    assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.message);
    assert_eq!((run.counters.inserted_ok, run.counters.updated_ok), (3, 1));
    let ada = rows
        .iter()
        .find(|r| r.email == "ada@example.com")
        .expect("ada");
    assert_eq!(ada.action, "update", "sf__Created was false");
    assert_eq!(
        count(&o, "POST", "/jobs/query"),
        0,
        "an upsert needs no index"
    );
    assert_eq!(o.sim.count("Contact"), 4);
}

#[tokio::test]
async fn contacts_sharing_a_match_key_are_deferred_and_never_both_inserted() {
    // Matched on last name: three contacts share "Hopper", two share "Turing".
    let o = org_with(&[
        ("KOMO_PUSH_BATCH_SIZE", "3"),
        ("KOMO_PUSH_BULK_THRESHOLD", "2"),
    ])
    .await;
    o.sim
        .seed(
            "Contact",
            &[json!({"LastName": "Turing", "Email": "old@example.com"})],
        )
        .expect("seeded");
    o.add(&[
        ("g1@example.com", "Grace", "Hopper", "NY"),
        ("a1@example.com", "Alan", "Turing", "London"),
        ("g2@example.com", "Grace", "Hopper", "NY"),
        ("x@example.com", "Ada", "Lovelace", "London"),
        ("a2@example.com", "Alan", "Turing", "London"),
        ("g3@example.com", "Grace", "Hopper", "NY"),
    ])
    .await;
    let mut config = contact_sync(Filter::default());
    config.match_pair.komo_field = "last_name".into();
    config.match_pair.crm_field = "LastName".into();
    config.mappings.retain(|m| m.crm_field != "LastName");
    let sync = o.sync(&config).await;
    // Not `push`: its check looks records up by email, which this sync does not map.
    let run_id = o.sync_now(sync, false).await;
    o.app.engine.drain().await.expect("ran");
    let (run, rows) = (o.run(run_id).await, o.rows(run_id).await);
    assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.message);
    assert_eq!(rows.len(), 6);
    assert_eq!(run.counters.processed, 6);
    let records = o.sim.records("Contact");
    for last in ["Hopper", "Turing", "Lovelace"] {
        let n = records.iter().filter(|r| r["LastName"] == last).count();
        assert_eq!(n, 1, "one {last}");
    }
    assert_eq!(
        (
            run.counters.inserted_ok,
            run.counters.updated_ok + run.counters.unchanged
        ),
        (2, 4)
    );
}

#[tokio::test]
async fn the_request_limit_pauses_a_bulk_run_wherever_it_hits_and_the_next_run_makes_no_duplicate()
{
    let mut left_in_flight = 0;
    for allowance in [3, 5, 8, 9, 11, 13] {
        let mut settings = BULK.to_vec();
        settings.extend([
            ("KOMO_PUSH_BATCH_SIZE", "5"),
            ("KOMO_PUSH_API_RESERVE_PERCENT", "0"),
        ]);
        let o = org_with(&settings).await;
        let people: Vec<(String, String)> = (0..12)
            .map(|i| (format!("p{i}@example.com"), format!("P{i}")))
            .collect();
        let existing: Vec<serde_json::Value> = people[..4]
            .iter()
            .map(|(email, last)| json!({"LastName": last, "Email": email}))
            .collect();
        o.sim.seed("Contact", &existing).expect("seeded");
        let borrowed: Vec<(&str, &str, &str, &str)> = people
            .iter()
            .map(|(e, l)| (e.as_str(), "First", l.as_str(), "Leeds"))
            .collect();
        o.add(&borrowed).await;
        let sync = o.sync(&contact_sync(Filter::default())).await;
        let (used, _) = o.sim.api_usage();
        o.sim.set_api_allowance(used + allowance, None);
        let run_id = o.sync_now(sync, false).await;
        o.app.engine.drain().await.expect("ran");
        let (run, _) = o.checked(run_id).await;
        assert_eq!(
            run.status,
            RunStatus::Paused,
            "allowance {allowance}: {:?}",
            run.message
        );
        let staged = "select count(*) from push_staged where run_id = $1";
        assert_eq!(scalar(&o, staged, run_id).await, 0, "allowance {allowance}");
        let kept = "select count(*) from push_jobs where run_id = $1";
        left_in_flight += scalar(&o, kept, run_id).await;
        // Jobs submitted before the pause finish in Salesforce, perhaps while the next run starts: it
        // waits for them (nothing here does), then finds their records.
        o.sim.set_api_allowance(1_000_000, None);
        let (next, _) = o.push(sync, false).await;
        assert_eq!(next.status, RunStatus::Succeeded, "allowance {allowance}");
        assert_eq!(
            o.sim.count("Contact"),
            12,
            "allowance {allowance}: no duplicate"
        );
        assert_no_scratch(&o, run_id).await;
        assert_no_scratch(&o, next.id).await;
        wait_for_closed_jobs(&o).await;
        assert_eq!(
            o.sim.count("Contact"),
            12,
            "allowance {allowance}: none late"
        );
    }
    assert!(
        left_in_flight > 0,
        "some pause left a job in Salesforce for the next run"
    );
}

#[tokio::test]
async fn the_duplicate_match_policy_applies_to_the_bulk_index() {
    use shared::sync::config::DuplicatePolicy;
    for policy in [DuplicatePolicy::MarkAsError, DuplicatePolicy::UpdateAll] {
        let o = org_with(BULK).await;
        let ids = o
            .sim
            .seed(
                "Contact",
                &[
                    json!({"LastName": "Old", "Email": "ada@example.com"}),
                    json!({"LastName": "Older", "Email": "ADA@example.com"}),
                    json!({"LastName": "Old", "Email": "alan@example.com"}),
                    json!({"LastName": "Old", "Email": "grace@example.com"}),
                ],
            )
            .expect("seeded");
        o.add(&crate::engine::five_contacts()[..4]).await;
        let mut config = contact_sync(Filter::default());
        config.duplicates = policy;
        let sync = o.sync(&config).await;
        // Not `push`: its check counts records per email, and Ada is in the org twice on purpose.
        let run_id = o.sync_now(sync, false).await;
        o.app.engine.drain().await.expect("ran");
        let (run, rows) = (o.run(run_id).await, o.rows(run_id).await);
        assert_eq!(rows.len(), 4, "{policy:?}");
        assert_eq!(
            count(&o, "POST", "/jobs/query"),
            1,
            "{policy:?}: the index came from Bulk"
        );
        let ada = rows
            .iter()
            .find(|r| r.email == "ada@example.com")
            .expect("ada");
        let both = format!("{},{}", ids[0], ids[1]);
        match policy {
            DuplicatePolicy::MarkAsError => {
                assert_eq!(run.status, RunStatus::CompletedWithErrors);
                assert_eq!(ada.error_code.as_deref(), Some("DUPLICATE_MATCH"));
                assert_eq!(ada.crm_id.as_deref(), Some(both.as_str()));
            }
            _ => {
                assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.message);
                assert_eq!(
                    (ada.action.as_str(), ada.outcome.as_str()),
                    ("update", "ok")
                );
                assert_eq!(
                    ada.crm_id.as_deref(),
                    Some(both.as_str()),
                    "both records, one row"
                );
                assert_eq!(
                    count(&o, "PUT", "/batches"),
                    1,
                    "the four updates went as one job"
                );
                let renamed = o
                    .sim
                    .records("Contact")
                    .iter()
                    .filter(|r| r["LastName"] == "Lovelace")
                    .count();
                assert_eq!(renamed, 2);
            }
        }
        assert_eq!(
            o.sim.count("Contact"),
            5,
            "{policy:?}: Edsger inserted, nobody twice"
        );
    }
}

#[tokio::test]
async fn a_value_of_na_reaches_the_org_as_written_in_a_bulk_run() {
    let o = crate::engine::org_with(BULK).await;
    // Job titles: one contact's is "#N/A", which a Bulk CSV cell would turn into "clear the field".
    let titles = [
        ("na@example.com", "#N/A"),
        ("one@example.com", "Engineer"),
        ("two@example.com", "Engineer"),
        ("three@example.com", "Engineer"),
        ("four@example.com", "Engineer"),
    ];
    let contacts: Vec<_> = titles
        .iter()
        .map(|(email, title)| {
            crate::contacts_storage::contact(
                email,
                &[
                    ("first_name", "Ada"),
                    ("last_name", "Lovelace"),
                    ("city", "London"),
                    ("job_title", title),
                ],
                &[],
            )
        })
        .collect();
    o.app
        .storage
        .upsert_contacts(o.workspace, &contacts)
        .await
        .expect("contacts");
    let sync = o
        .sync(&contact_sync(crate::engine::city_is("London")))
        .await;
    let (run, _) = o.push(sync, false).await;
    assert_eq!(run.status, RunStatus::Succeeded);
    assert!(count(&o, "PUT", "/batches") >= 1, "the others went by Bulk");
    assert_eq!(
        count(&o, "POST", "/composite/sobjects"),
        1,
        "the #N/A one by Collections"
    );
    let titles_in_org: HashMap<String, String> = o
        .sim
        .records("Contact")
        .into_iter()
        .map(|r| {
            (
                r["Email"].as_str().unwrap_or_default().to_owned(),
                r["Title"].as_str().unwrap_or("(empty)").to_owned(),
            )
        })
        .collect();
    for (email, title) in titles {
        assert_eq!(titles_in_org[email], title, "{email}");
    }
}
