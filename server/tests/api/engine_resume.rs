//! Bulk runs whose worker dies at a chosen point (the engine's future is dropped there, as a process that
//! died would leave things) and is picked up by the next worker once its lease lapses, and Bulk runs
//! cancelled midway: every contact still logged once, no record made twice, nothing sent twice.

use crate::engine::{contact_sync, org_with, Org};
use crate::engine_bulk::{assert_no_scratch, execute, scalar, BULK};
use serde_json::json;
use server::engine::Step;
use shared::sync::filter::Filter;
use shared::sync::run::RunStatus;
use std::collections::HashMap;

/// Steps the engine until `condition` (a `select count(*) … where … $1` on the run) holds, then drops the
/// run mid-flight: a worker that dies there. Its lease is then lapsed so the next claim takes the run.
async fn die_when(o: &Org, run_id: i64, condition: &str) {
    killed_when(o, run_id, condition).await;
    execute(
        o,
        "update sync_runs set lease_until = 0 where id = $1",
        run_id,
    )
    .await;
}

/// As [`die_when`], but the lease is left as the killed process left it: still looking alive.
async fn killed_when(o: &Org, run_id: i64, condition: &str) {
    let run = o.app.engine.run_once();
    tokio::pin!(run);
    loop {
        tokio::select! {
            biased;
            ended = &mut run => panic!("the run ended before the worker could die: {ended:?}"),
            () = tokio::task::yield_now() => {}
        }
        if scalar(o, condition, run_id).await > 0 {
            break;
        }
    }
}

/// An org holding the first `in_org` of twelve Komo contacts, and a Bulk run of all twelve queued (five
/// contacts a batch).
async fn twelve_contacts_queued(in_org: usize) -> (Org, i64) {
    let mut settings = BULK.to_vec();
    settings.push(("KOMO_PUSH_BATCH_SIZE", "5"));
    let o = org_with(&settings).await;
    let people: Vec<(String, String)> = (0..12)
        .map(|i| (format!("p{i}@example.com"), format!("P{i}")))
        .collect();
    let existing: Vec<serde_json::Value> = people[..in_org]
        .iter()
        .map(|(email, last)| json!({"LastName": last, "Email": email}))
        .collect();
    if !existing.is_empty() {
        o.sim.seed("Contact", &existing).expect("seeded");
    }
    let borrowed: Vec<(&str, &str, &str, &str)> = people
        .iter()
        .map(|(e, l)| (e.as_str(), "First", l.as_str(), "Leeds"))
        .collect();
    o.add(&borrowed).await;
    let sync = o.sync(&contact_sync(Filter::default())).await;
    let run_id = o.sync_now(sync, false).await;
    (o, run_id)
}

/// Twelve contacts (four in the org) in a Bulk run whose first worker dies when `condition` holds; the
/// next worker finishes it. Returns the org and the run.
async fn die_and_resume(condition: &str) -> (Org, i64) {
    let (o, run_id) = twelve_contacts_queued(4).await;
    die_when(&o, run_id, condition).await;
    let done = o.app.engine.drain().await.expect("resumed");
    assert_eq!(done, [(run_id, Some(RunStatus::Succeeded))]);
    let (run, _) = o.checked(run_id).await;
    assert_eq!((run.counters.inserted_ok, run.counters.updated_ok), (8, 4));
    assert_eq!(o.sim.count("Contact"), 12, "no record made twice");
    assert_no_scratch(&o, run_id).await;
    (o, run_id)
}

#[tokio::test]
async fn a_bulk_run_whose_worker_died_while_planning_goes_on_from_its_cursor() {
    die_and_resume("select count(*) from sync_runs where id = $1 and cursor_contact_id > 0").await;
}

#[tokio::test]
async fn a_bulk_run_whose_worker_died_before_closing_a_job_aborts_it_or_polls_it() {
    die_and_resume(
        "select count(*) from push_jobs where run_id = $1 and state = 'open' and operation <> 'query'",
    )
    .await;
}

#[tokio::test]
async fn a_bulk_run_whose_worker_died_with_a_job_submitted_polls_it_and_never_sends_it_again() {
    let (o, _) =
        die_and_resume("select count(*) from push_jobs where run_id = $1 and state = 'submitted'")
            .await;
    let mut uploads: HashMap<String, usize> = HashMap::new();
    for r in o.sim.requests().iter().filter(|r| r.method == "PUT") {
        *uploads.entry(r.path.clone()).or_default() += 1;
    }
    assert!(uploads.values().all(|n| *n == 1), "{uploads:?}");
}

#[tokio::test]
async fn a_bulk_run_whose_worker_died_while_joining_results_records_each_contact_once() {
    die_and_resume("select count(*) from push_jobs where run_id = $1 and state = 'answered'").await;
}

#[tokio::test]
async fn a_cancelled_bulk_run_stops_at_a_boundary_with_everything_sent_recorded() {
    for (stage, condition) in [
        (
            "planning",
            "select count(*) from sync_runs where id = $1 and cursor_contact_id > 0",
        ),
        // Cancelled as soon as the first ingest job is stored, before its upload: the job still has an
        // upload and a close to go, each a call the simulator must answer, so the cancel is in before the
        // engine could look at it again (it looks between jobs). Waiting for `submitted` instead raced:
        // only database steps lie between that and the check, and the engine could pass it first.
        (
            "a job in flight",
            "select count(*) from push_jobs where run_id = $1 and operation <> 'query'",
        ),
    ] {
        let mut settings = BULK.to_vec();
        settings.push(("KOMO_PUSH_BATCH_SIZE", "5"));
        let o = org_with(&settings).await;
        let people: Vec<(String, String)> = (0..12)
            .map(|i| (format!("p{i}@example.com"), format!("P{i}")))
            .collect();
        let borrowed: Vec<(&str, &str, &str, &str)> = people
            .iter()
            .map(|(e, l)| (e.as_str(), "First", l.as_str(), "Leeds"))
            .collect();
        o.add(&borrowed).await;
        let sync = o.sync(&contact_sync(Filter::default())).await;
        let run_id = o.sync_now(sync, false).await;
        let run = o.app.engine.run_once();
        tokio::pin!(run);
        let mut step = None;
        while step.is_none() {
            tokio::select! {
                biased;
                ended = &mut run => step = Some(ended),
                () = tokio::task::yield_now() => {}
            }
            if step.is_none() && scalar(&o, condition, run_id).await > 0 {
                break;
            }
        }
        if step.is_none() {
            // The run is stepped while the cancel waits: the engine may be inside a transaction the
            // cancel's write has to wait for (a SQLite write lock, a PostgreSQL row lock).
            let cancel = o.app.storage.request_cancel(o.workspace, run_id);
            tokio::pin!(cancel);
            loop {
                tokio::select! {
                    biased;
                    done = &mut cancel => {
                        done.expect("cancel");
                        break;
                    }
                    ended = &mut run, if step.is_none() => step = Some(ended),
                }
            }
        }
        let step = match step {
            Some(step) => step,
            None => run.await,
        };
        assert_eq!(
            step.expect("ran"),
            Step::RunFinished {
                run_id,
                status: Some(RunStatus::Cancelled)
            },
            "{stage}"
        );
        let (run, rows) = o.checked(run_id).await;
        assert!(
            rows.len() < 12,
            "{stage}: stopped early, yet {} rows",
            rows.len()
        );
        assert_eq!(
            o.sim.count("Contact") as i64,
            run.counters.inserted_ok,
            "{stage}: every record written has its row"
        );
        if stage == "a job in flight" {
            let jobs = o
                .sim
                .requests()
                .iter()
                .filter(|r| r.method == "POST" && r.path.ends_with("/jobs/ingest"))
                .count();
            assert_eq!(jobs, 1, "no job after the cancel");
            assert!(
                run.counters.inserted_ok > 0,
                "the job in flight was finished and recorded"
            );
        }
        assert_no_scratch(&o, run_id).await;
    }
}

/// A worker that dies mid-run (its process killed: the run's lease still looks alive), then its instance
/// starts again: the run is its own, so it is taken back at once instead of after the lease. Another
/// instance meanwhile leaves a lease that is still running alone.
#[tokio::test]
async fn a_restarted_instance_takes_its_own_interrupted_run_back_at_once() {
    let (mut o, run_id) = twelve_contacts_queued(0).await;
    killed_when(
        &o,
        run_id,
        "select count(*) from sync_runs where id = $1 and cursor_contact_id > 0",
    )
    .await;
    let live = scalar(
        &o,
        "select count(*) from sync_runs where id = $1 and status = 'running' and lease_until > 0",
        run_id,
    )
    .await;
    assert_eq!(live, 1, "the dead worker's lease still looks alive");
    let other = o.app.another_instance().await;
    assert_eq!(
        other.engine.run_once().await.expect("claim"),
        Step::EmptyQueue,
        "another instance waits for a live lease"
    );
    drop(other);
    o.app = o.app.restart().await;
    let done = o.app.engine.drain().await.expect("taken back");
    assert_eq!(done, [(run_id, Some(RunStatus::Succeeded))]);
    let (run, _) = o.checked(run_id).await;
    assert_eq!(run.counters.inserted_ok, 12);
    assert_eq!(o.sim.count("Contact"), 12, "no record made twice");
}
