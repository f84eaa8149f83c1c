//! The run queue beyond one run: "Retry failed rows" (a run over just the contacts an earlier run logged
//! as failed) and runs into the same object of one connection, which go one at a time.

use crate::engine::{city_is, contact_sync, five_contacts, org, org_with, Org};
use crate::engine_bulk::BULK;
use salesforce_sim::FaultPatch;
use serde_json::json;
use server::storage::runs::{Queued, RunRequest};
use server::storage::syncs::config::Author;
use shared::sync::filter::Filter;
use shared::sync::run::RunStatus;
use std::collections::HashSet;

async fn queue_retry(o: &Org, sync_id: i64, retry_of: i64) -> i64 {
    let sync = o
        .app
        .storage
        .find_sync(o.workspace, sync_id)
        .await
        .expect("sync");
    let queued = o
        .app
        .storage
        .queue_run(
            o.workspace,
            RunRequest {
                sync_id,
                config_version: sync.summary.config_version,
                full_resync: false,
                retry_of: Some(retry_of),
                author: Author {
                    user_id: 1,
                    name: "Ada Admin",
                },
            },
        )
        .await
        .expect("queued");
    match queued {
        Queued::New(id) => id,
        Queued::AlreadyActive(id) => panic!("run {id} was still active"),
    }
}

/// Runs the sync with one record locked in Salesforce: that contact fails, the rest succeed.
async fn run_with_one_failure(o: &Org, config: &shared::sync::config::SyncConfig) -> (i64, i64) {
    let ids = o
        .sim
        .seed(
            "Contact",
            &[json!({"LastName": "Old", "Email": "ada@example.com"})],
        )
        .expect("seeded");
    o.add(&five_contacts()[..4]).await;
    let sync = o.sync(config).await;
    o.sim.set_faults(FaultPatch {
        lock_ids: Some(ids),
        ..FaultPatch::default()
    });
    let (first, rows) = o.push(sync, false).await;
    assert_eq!(first.status, RunStatus::CompletedWithErrors);
    let failed: Vec<_> = rows.iter().filter(|r| r.outcome == "failed").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].email, "ada@example.com");
    o.sim.reset_faults();
    (sync, first.id)
}

async fn retry_selects_only_the_failed_rows(o: Org) {
    let (sync, first) = run_with_one_failure(&o, &contact_sync(Filter::default())).await;
    // A contact added since is not part of a retry.
    o.add(&[("new@example.com", "New", "Person", "Leeds")])
        .await;
    let retry = queue_retry(&o, sync, first).await;
    o.app.engine.drain().await.expect("ran");
    let (run, rows) = o.checked(retry).await;
    assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.message);
    assert_eq!(run.counters.selected, 1);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].email.as_str(), rows[0].action.as_str()),
        ("ada@example.com", "update")
    );
    let records = o.sim.records("Contact");
    assert!(records
        .iter()
        .any(|r| r["Email"] == "ada@example.com" && r["LastName"] == "Lovelace"));

    // Retrying the retry: nothing failed, nothing is selected.
    let again = queue_retry(&o, sync, retry).await;
    o.app.engine.drain().await.expect("ran");
    let (run, rows) = o.checked(again).await;
    assert_eq!((run.counters.selected, rows.len()), (0, 0));
}

#[tokio::test]
async fn retry_failed_rows_selects_only_the_contacts_that_failed() {
    retry_selects_only_the_failed_rows(org().await).await;
}

#[tokio::test]
async fn retry_failed_rows_works_on_the_bulk_path_too() {
    let mut settings = BULK.to_vec();
    settings.push(("KOMO_PUSH_BULK_THRESHOLD", "0"));
    retry_selects_only_the_failed_rows(org_with(&settings).await).await;
}

#[tokio::test]
async fn a_retry_still_applies_the_sync_filter() {
    let o = org().await;
    // Ada lives in London; the sync now only pushes New York.
    let (sync, first) = run_with_one_failure(&o, &contact_sync(city_is("london"))).await;
    let version = o
        .app
        .storage
        .find_sync(o.workspace, sync)
        .await
        .expect("sync");
    let saved = o
        .app
        .call_json(
            "save_sync_config",
            &serde_json::json!({
                "sync_id": sync,
                "base_version": version.summary.config_version,
                "config": contact_sync(city_is("new york")),
            }),
        )
        .await;
    assert_eq!(saved.status(), 200);
    let retry = queue_retry(&o, sync, first).await;
    o.app.engine.drain().await.expect("ran");
    let (run, rows) = o.checked(retry).await;
    assert_eq!((run.counters.selected, rows.len()), (0, 0));
}

#[tokio::test]
async fn a_retry_of_another_syncs_run_selects_nothing() {
    let o = org().await;
    let (_, first) = run_with_one_failure(&o, &contact_sync(Filter::default())).await;
    let other = o.sync(&contact_sync(Filter::default())).await;
    let retry = queue_retry(&o, other, first).await;
    o.app.engine.drain().await.expect("ran");
    let (run, _) = o.checked(retry).await;
    assert_eq!(run.counters.selected, 0);
}

#[tokio::test]
async fn runs_into_one_object_of_one_connection_are_claimed_one_at_a_time() {
    let o = org().await;
    o.add(&five_contacts()).await;
    let a = o.sync(&contact_sync(Filter::default())).await;
    let b = o.sync(&contact_sync(Filter::default())).await;
    let mut lead_config = contact_sync(Filter::default());
    lead_config.object = shared::sync::crm::CrmObject::Lead;
    lead_config
        .mappings
        .push(crate::engine::field("company", "Company"));
    let leads = o.sync(&lead_config).await;
    let run_a = o.sync_now(a, false).await;
    let run_b = o.sync_now(b, false).await;
    let run_leads = o.sync_now(leads, false).await;

    let storage = &o.app.storage;
    let first = storage
        .claim_run("worker-1", 300)
        .await
        .expect("claim")
        .expect("a");
    assert_eq!(first.id, run_a);
    let beside = storage
        .claim_run("worker-2", 300)
        .await
        .expect("claim")
        .expect("leads");
    assert_eq!(
        beside.id, run_leads,
        "another object of the connection goes alongside"
    );
    assert!(
        storage
            .claim_run("worker-3", 300)
            .await
            .expect("claim")
            .is_none(),
        "b waits while a runs into the same object"
    );
    // A run whose lease lapsed still holds its object: it is itself the next to be claimed.
    let lapse = "update sync_runs set lease_until = 0 where id = $1";
    crate::helpers::sql_execute(storage, lapse, run_a).await;
    let again = storage
        .claim_run("worker-2", 300)
        .await
        .expect("claim")
        .expect("a again");
    assert_eq!(again.id, run_a);
    assert!(storage
        .finish_run(run_a, "worker-2", RunStatus::Succeeded, None)
        .await
        .expect("finish"));
    let next = storage
        .claim_run("worker-2", 300)
        .await
        .expect("claim")
        .expect("b");
    assert_eq!(next.id, run_b);
}

#[tokio::test]
async fn two_syncs_pushing_the_same_people_concurrently_never_insert_twice() {
    let o = org_with(&[("KOMO_PUSH_BATCH_SIZE", "2")]).await;
    let people: Vec<(String, String)> = (0..9)
        .map(|i| (format!("same{i}@example.com"), format!("Same{i}")))
        .collect();
    let borrowed: Vec<(&str, &str, &str, &str)> = people
        .iter()
        .map(|(e, l)| (e.as_str(), "First", l.as_str(), "Leeds"))
        .collect();
    o.add(&borrowed).await;
    let mut runs = Vec::new();
    for _ in 0..3 {
        let sync = o.sync(&contact_sync(Filter::default())).await;
        runs.push(o.sync_now(sync, false).await);
    }
    let other = o.app.another_instance().await;
    let third = o.app.another_instance().await;
    let (a, b, c) = tokio::join!(
        o.app.engine.drain(),
        other.engine.drain(),
        third.engine.drain()
    );
    let done: HashSet<i64> = [a, b, c]
        .into_iter()
        .flat_map(|d| d.expect("ran"))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(done, runs.iter().copied().collect(), "each run done");
    let mut inserted = 0;
    for run_id in &runs {
        let (run, _) = o.checked(*run_id).await;
        assert_eq!(run.status, RunStatus::Succeeded);
        inserted += run.counters.inserted_ok;
    }
    assert_eq!(inserted, 9, "one run inserted them; the others found them");
    assert_eq!(o.sim.count("Contact"), 9);
}
