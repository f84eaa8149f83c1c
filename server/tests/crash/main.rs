//! Crash tests with real processes: the server binary runs as a child process beside an in-process
//! Salesforce simulator; a Bulk run of 3,000 contacts (1,000 already in the org) starts, and the server is
//! killed with SIGKILL at a chosen moment — while the run stages its writes, or once a Bulk ingest job is
//! out. Started again on the same data directory, it must take its run back and end it exactly: one
//! outcome per selected contact, counters equal to what the org holds, no record twice, and a re-run that
//! writes nothing. On PostgreSQL, two instances also share one database: the one holding the run is killed
//! and the other takes the run over once the dead one's lease lapses.
//!
//! Each kill-and-restart case runs on SQLite and on PostgreSQL (`TEST_POSTGRES_URL`, default the local
//! server). Nothing here waits by the clock: the tests follow the servers' own JSON log lines. Each case
//! prints how long the run sat before it was taken back (figures, not assertions).

#[path = "../support/db.rs"]
#[allow(dead_code)]
// `TestDb::new` picks by `TEST_DATABASE_URL`; these tests pick each engine themselves.
mod db;

mod checks;
mod process;
mod setup;

use db::TestDb;
use process::{message, ServerProcess};
use salesforce_sim::Simulator;
use setup::{Admin, CONTACTS};
use std::time::Instant;

fn postgres_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// When the server dies.
#[derive(Debug, Clone, Copy)]
enum Moment {
    /// As the fifth batch of the plan is recorded (four are): writes are being staged, nothing is sent.
    Staging,
    /// Right after a Bulk ingest job was created: its upload and close may or may not have happened.
    JobOut,
}

impl Moment {
    /// The log line the kill follows, and how many of them.
    fn log_line(self) -> (&'static str, usize) {
        match self {
            Moment::Staging => ("batch planned", 5),
            Moment::JobOut => ("Bulk ingest job created", 1),
        }
    }
}

/// Follows `server`'s log to `moment` of run `run_id`.
async fn reach(server: &mut ServerProcess, run_id: i64, moment: Moment) {
    let (wanted, nth) = moment.log_line();
    let seen = std::cell::Cell::new(0);
    server
        .next(&format!("{wanted:?} #{nth} for run {run_id}"), |l| {
            if message(l) == wanted && process::field(l, "run_id") == Some(run_id) {
                seen.set(seen.get() + 1);
            }
            seen.get() == nth
        })
        .await;
}

/// Bulk ingest jobs the org has been asked to create.
fn ingest_jobs_created(sim: &Simulator) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/jobs/ingest"))
        .count()
}

/// Contacts stored and a Running sync, through the server `server`.
async fn workspace_with_a_sync(server: &ServerProcess, sim: &Simulator) -> (Admin, String, i64) {
    let admin = Admin::sign_in(server).await;
    admin.store_contacts().await;
    let sync = admin.running_sync(sim).await;
    let workspace = admin.call("me", &[]).await["workspace"]["id"]
        .as_i64()
        .expect("workspace id");
    (admin, sync, workspace)
}

/// After the crashed run: exact, and a re-run of the same sync (nothing changed) writes nothing.
async fn ends_exact(
    db: &TestDb,
    server: &mut ServerProcess,
    sim: &Simulator,
    (workspace, sync, run_id): (i64, &str, i64),
) {
    let ended = server.next_for_run(run_id, "run ended").await;
    assert_eq!(ended["fields"]["status"], "succeeded", "{ended}");
    checks::run_is_exact(&db.url, workspace, run_id, sim).await;

    sim.clear_requests();
    let admin = Admin::sign_in(server).await;
    let again = admin.sync_now(sync).await;
    let ended = server.next_for_run(again, "run ended").await;
    assert_eq!(ended["fields"]["status"], "succeeded", "{ended}");
    assert_eq!(
        sim.write_calls(),
        0,
        "a re-run after the crash writes nothing"
    );
}

async fn killed_and_restarted(db: TestDb, moment: Moment) {
    let sim = setup::org().await;
    let data_dir = tempfile::tempdir().expect("data dir");
    let env = setup::server_env(&db, data_dir.path(), &sim);
    let mut server = ServerProcess::start("the server", &env).await;
    let (admin, sync, workspace) = workspace_with_a_sync(&server, &sim).await;
    let run_id = admin.sync_now(&sync).await;

    reach(&mut server, run_id, moment).await;
    server.kill();
    let jobs = ingest_jobs_created(&sim);

    let restarted = Instant::now();
    let mut server = ServerProcess::start("the restarted server", &env).await;
    let claimed = server.next_for_run(run_id, "run claimed").await;
    let took_back = restarted.elapsed();
    let cursor = process::field(&claimed, "resumed_after").expect("cursor");
    match moment {
        Moment::Staging => {
            assert_eq!(jobs, 0, "killed while planning, before any job");
            assert!(cursor > 0, "four batches were planned before the kill");
        }
        Moment::JobOut => assert!(jobs >= 1, "killed with a job out"),
    }
    println!(
        "{} {moment:?}: the restarted server took its run back {:.2} s after it was started (cursor {cursor})",
        if db.url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" },
        took_back.as_secs_f64(),
    );
    ends_exact(&db, &mut server, &sim, (workspace, &sync, run_id)).await;
}

#[tokio::test]
async fn sqlite_a_server_killed_while_staging_ends_its_run_exactly_after_a_restart() {
    killed_and_restarted(TestDb::sqlite(), Moment::Staging).await;
}

#[tokio::test]
async fn sqlite_a_server_killed_with_a_bulk_job_out_ends_its_run_exactly_after_a_restart() {
    killed_and_restarted(TestDb::sqlite(), Moment::JobOut).await;
}

#[tokio::test]
async fn postgres_a_server_killed_while_staging_ends_its_run_exactly_after_a_restart() {
    killed_and_restarted(TestDb::postgres(&postgres_url()).await, Moment::Staging).await;
}

#[tokio::test]
async fn postgres_a_server_killed_with_a_bulk_job_out_ends_its_run_exactly_after_a_restart() {
    killed_and_restarted(TestDb::postgres(&postgres_url()).await, Moment::JobOut).await;
}

#[tokio::test]
async fn postgres_another_instance_takes_over_the_run_of_a_killed_one() {
    let db = TestDb::postgres(&postgres_url()).await;
    let sim = setup::org().await;
    let (dir_a, dir_b) = (
        tempfile::tempdir().expect("data dir"),
        tempfile::tempdir().expect("data dir"),
    );
    let mut a =
        ServerProcess::start("instance A", &setup::server_env(&db, dir_a.path(), &sim)).await;
    let mut b =
        ServerProcess::start("instance B", &setup::server_env(&db, dir_b.path(), &sim)).await;
    let (admin, sync, workspace) = workspace_with_a_sync(&a, &sim).await;
    let run_id = admin.sync_now(&sync).await;

    let planning = |l: &serde_json::Value| {
        message(l) == "batch planned" && process::field(l, "run_id") == Some(run_id)
    };
    let a_holds = tokio::select! {
        _ = a.next("A planning", planning) => true,
        _ = b.next("B planning", planning) => false,
    };
    let (holder, mut survivor) = if a_holds { (a, b) } else { (b, a) };
    let holder_name = holder.name.clone();
    holder.kill();
    let killed = Instant::now();
    survivor.next_for_run(run_id, "run claimed").await;
    println!(
        "PostgreSQL: {} took over the run of {holder_name} {:.1} s after it was killed",
        survivor.name,
        killed.elapsed().as_secs_f64()
    );
    ends_exact(&db, &mut survivor, &sim, (workspace, &sync, run_id)).await;
    assert_eq!(sim.count("Contact"), CONTACTS);
}
