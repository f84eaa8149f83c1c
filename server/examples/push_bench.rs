//! The push engine at scale against the Salesforce simulator over loopback: N Komo contacts (default
//! 1,000,000), M of them already in the org by email (default 400,000), 8 mapped fields. Prints wall time,
//! API calls by kind, contacts/s and this process's peak memory, then runs the same sync again with nothing
//! changed (which must make no write call).
//!
//! It does that twice, each against a fresh org: with the default settings (a run this large goes the
//! Bulk API 2.0 way), then Collections only (`KOMO_PUSH_BULK_THRESHOLD` set above the selection), for
//! comparison. `--only bulk` or `--only collections` runs one of them.
//!
//! ```text
//! cargo build --release -p salesforce-sim
//! cargo run --release -p server --example push_bench -- [contacts] [existing] [--only bulk|collections]
//! ```
//! The simulator runs as its own process (`salesforce-sim` next to this example's directory, or
//! `SIM_BIN`), so its memory is not counted as ours. The database is a temporary SQLite file unless
//! `DATABASE_URL` is set; both modes share it (the contacts are stored once). Other `KOMO_PUSH_*`
//! variables are read as the server reads them; `BENCH_LOG=1` shows the engine's log (with `RUST_LOG`).
//!
//! Each run also prints where its time went: the engine's own "run time by phase" log line, and the
//! simulator's own time (answering requests, processing Bulk jobs: `/__sim/busy`) against the rest of the
//! wall time — the engine's share, so the gap to what the CRM itself needs is visible in one figure.

use server::config::Settings;
use server::startup::Application;
use shared::contact::{ContactInput, NewContact};
use shared::sync::config::{FieldMapping, MappingSource, Overwrite, SyncConfig};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tracing::field::{Field, Visit};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

const CLIENT_ID: &str = "bench-client";
const SECRET: &str = "bench-secret";
const ADMIN_EMAIL: &str = "bench@komo.example";
const ADMIN_PASSWORD: &str = "bench password 123";

/// `VmRSS` (now) and `VmHWM` (peak) from `/proc/self/status`, in MiB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets `VmHWM` to the current RSS (Linux `clear_refs` 5), so a phase's peak is its own.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn email(i: usize) -> String {
    format!("person{i}@bench.example")
}

fn komo_contact(i: usize) -> NewContact {
    let mut input = ContactInput {
        email: email(i),
        ..ContactInput::default()
    };
    for (key, value) in [
        ("first_name", format!("First{}", i % 997)),
        ("last_name", format!("Last{i}")),
        ("phone", format!("+44 20 7946 {:04}", i % 10_000)),
        ("mobile", format!("+44 7700 9{:05}", i % 100_000)),
        ("job_title", "Marketing lead".to_owned()),
        (
            "city",
            ["London", "Leeds", "York", "Bath"][i % 4].to_owned(),
        ),
        ("postcode", format!("N{} 1AA", i % 20)),
        ("country", "United Kingdom".to_owned()),
    ] {
        input.set(key, value);
    }
    NewContact::parse(input, &[]).expect("valid bench contact")
}

struct Sim {
    child: std::process::Child,
    base: String,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sim() -> Sim {
    let bin = std::env::var("SIM_BIN").map_or_else(
        |_| {
            let exe = std::env::current_exe().expect("own path");
            // target/release/examples/push_bench → target/release/salesforce-sim
            exe.parent()
                .and_then(|examples| examples.parent())
                .map(|release| release.join("salesforce-sim"))
                .expect("target dir")
        },
        std::path::PathBuf::from,
    );
    let mut child = std::process::Command::new(&bin)
        .args([
            "--port",
            "0",
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            SECRET,
            "--daily-api-allowance",
            "100000000",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {} ({e}); build it with `cargo build --release -p salesforce-sim` or set SIM_BIN",
                bin.display()
            )
        });
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("simulator says where it listens");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_owned();
    Sim { child, base }
}

async fn call(
    client: &reqwest::Client,
    base: &str,
    function: &str,
    form: &[(&str, &str)],
) -> String {
    let request = client.post(format!("{base}/api/{function}")).form(form);
    answer(function, request).await
}

/// For the server functions whose input is JSON (`save_sync_config`).
async fn call_json(
    client: &reqwest::Client,
    base: &str,
    function: &str,
    body: &serde_json::Value,
) -> String {
    let request = client.post(format!("{base}/api/{function}")).json(body);
    answer(function, request).await
}

async fn answer(function: &str, request: reqwest::RequestBuilder) -> String {
    let response = request.send().await.expect("server fn");
    let status = response.status();
    let body = response.text().await.expect("body");
    assert!(status.is_success(), "{function}: {status} {body}");
    body
}

/// The `phases` of every "run time by phase" event the engine logs, in order.
#[derive(Clone, Default)]
struct PhaseLog(Arc<Mutex<Vec<String>>>);

impl PhaseLog {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().expect("phase log"))
    }
}

#[derive(Default)]
struct PhaseFields {
    message: String,
    phases: String,
}

impl Visit for PhaseFields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "phases" => self.phases = format!("{value:?}"),
            _ => {}
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for PhaseLog {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = PhaseFields::default();
        event.record(&mut fields);
        if fields.message == "run time by phase" {
            self.0.lock().expect("phase log").push(fields.phases);
        }
    }
}

/// Captures the engine's phase lines; with `BENCH_LOG`, also prints the log as the server does.
fn init_logs() -> PhaseLog {
    let phases = PhaseLog::default();
    let engine_info = Targets::new().with_target("server::engine", LevelFilter::INFO);
    let printed = std::env::var("BENCH_LOG").is_ok().then(|| {
        let filter = EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
        tracing_subscriber::fmt::layer()
            .with_target(false)
            .with_filter(filter)
    });
    tracing_subscriber::registry()
        .with(phases.clone().with_filter(engine_info))
        .with(printed)
        .init();
    phases
}

/// The simulator's own time since its log was cleared, in seconds: (answering requests, Bulk jobs).
async fn simulator_busy(http: &reqwest::Client, sim: &str) -> (f64, f64) {
    let busy: serde_json::Value = http
        .get(format!("{sim}/__sim/busy"))
        .send()
        .await
        .expect("busy")
        .json()
        .await
        .expect("busy json");
    let seconds = |key: &str| busy[key].as_f64().unwrap_or(0.0) / 1e6;
    (seconds("requests_micros"), seconds("jobs_micros"))
}

/// Calls by kind from the simulator's request log.
async fn calls_by_kind(http: &reqwest::Client, sim: &str) -> BTreeMap<String, usize> {
    let log: Vec<serde_json::Value> = http
        .get(format!("{sim}/__sim/requests"))
        .send()
        .await
        .expect("log")
        .json()
        .await
        .expect("log json");
    let mut kinds = BTreeMap::new();
    for request in log {
        let path = request["path"].as_str().unwrap_or_default();
        let method = request["method"].as_str().unwrap_or_default();
        if !path.starts_with("/services/data/") {
            continue;
        }
        let kind = if path.ends_with("/limits") {
            "limits".to_owned()
        } else if path.contains("/jobs/query") {
            match method {
                "POST" => "Bulk query: create job",
                "GET" if path.ends_with("/results") => "Bulk query: result page",
                "GET" => "Bulk query: poll",
                _ => "Bulk query: other",
            }
            .to_owned()
        } else if path.contains("/jobs/ingest") {
            match method {
                "POST" => "Bulk ingest: create job",
                "PUT" => "Bulk ingest: upload CSV",
                "PATCH" => "Bulk ingest: close/abort",
                "GET" if path.ends_with("Results") || path.ends_with("records") => {
                    "Bulk ingest: result file"
                }
                "GET" => "Bulk ingest: poll",
                _ => "Bulk ingest: other",
            }
            .to_owned()
        } else if path.contains("/query") {
            "SOQL query page".to_owned()
        } else if path.contains("/composite/sobjects") {
            format!("Collections {method}")
        } else if path.contains("/describe") {
            "describe".to_owned()
        } else {
            format!("{method} other")
        };
        if matches!(method, "POST" | "PATCH" | "PUT" | "DELETE") {
            *kinds.entry("(write calls)".to_owned()).or_insert(0) += 1;
        }
        *kinds.entry(kind).or_insert(0) += 1;
    }
    kinds
}

fn report(label: &str, seconds: f64, contacts: usize, kinds: &BTreeMap<String, usize>) {
    let writes = kinds.get("(write calls)").copied().unwrap_or(0);
    let total: usize = kinds
        .iter()
        .filter(|(k, _)| !k.starts_with('('))
        .map(|(_, n)| n)
        .sum();
    let (_, peak) = memory();
    println!("\n== {label}");
    println!("wall time      {seconds:.1} s");
    println!("contacts/s     {:.0}", contacts as f64 / seconds.max(0.001));
    println!("API calls      {total} (write calls {writes})");
    for (kind, n) in kinds.iter().filter(|(k, _)| !k.starts_with('(')) {
        println!("  {kind:<28} {n}");
    }
    println!("peak memory    {peak:.0} MiB (this process, this phase)");
}

/// Which figures a phase produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Default settings: a run this large goes the Bulk way.
    Bulk,
    /// `KOMO_PUSH_BULK_THRESHOLD` above the selection: sObject Collections and SOQL lookups only.
    Collections,
}

#[tokio::main]
async fn main() {
    let phases = init_logs();
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<usize> = raw
        .iter()
        .filter_map(|a| a.replace('_', "").parse().ok())
        .collect();
    let contacts = args.first().copied().unwrap_or(1_000_000);
    let existing = args.get(1).copied().unwrap_or(400_000).min(contacts);
    let only = raw
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| raw.get(i + 1))
        .map(String::as_str);
    let modes: Vec<Mode> = [Mode::Bulk, Mode::Collections]
        .into_iter()
        .filter(|m| match only {
            Some("bulk") => *m == Mode::Bulk,
            Some("collections") => *m == Mode::Collections,
            _ => true,
        })
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let mut stored = false;
    for mode in modes {
        println!("\n######## {mode:?}");
        bench(
            mode,
            contacts,
            existing,
            &database_url,
            dir.path(),
            &mut stored,
            &phases,
        )
        .await;
    }
}

async fn bench(
    mode: Mode,
    contacts: usize,
    existing: usize,
    database_url: &str,
    data_dir: &std::path::Path,
    stored: &mut bool,
    phases: &PhaseLog,
) {
    let sim = start_sim();
    let http = reqwest::Client::new();

    let started = Instant::now();
    for from in (0..existing).step_by(10_000) {
        let records: Vec<serde_json::Value> = (from..(from + 10_000).min(existing))
            .map(|i| serde_json::json!({"LastName": format!("Old{i}"), "Email": email(i)}))
            .collect();
        let response = http
            .post(format!("{}/__sim/records/Contact", sim.base))
            .json(&records)
            .send()
            .await
            .expect("seed");
        assert!(response.status().is_success(), "seeding the org");
    }
    println!(
        "org seeded with {existing} contacts in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let threshold = match mode {
        Mode::Bulk => None,
        Mode::Collections => Some(u64::MAX.to_string()),
    };
    let vars: Vec<(&str, String)> = vec![
        ("DATABASE_URL", database_url.to_owned()),
        ("KOMO_DATA_DIR", data_dir.display().to_string()),
        ("KOMO_ADDR", "127.0.0.1:0".into()),
        ("KOMO_ADMIN_EMAIL", ADMIN_EMAIL.into()),
        ("KOMO_ADMIN_PASSWORD", ADMIN_PASSWORD.into()),
        ("KOMO_WORKERS", "0".into()),
        ("KOMO_SALESFORCE_EXTRA_ORIGINS", sim.base.clone()),
    ];
    let settings = Settings::from_lookup(|name| {
        if name == "KOMO_PUSH_BULK_THRESHOLD" {
            if let Some(t) = &threshold {
                return Some(t.clone());
            }
        }
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .or_else(|| {
                std::env::var(name)
                    .ok()
                    .filter(|_| name.starts_with("KOMO_PUSH"))
            })
    })
    .expect("settings");
    let app = Application::build(&settings).await.expect("app");
    let base = format!("http://127.0.0.1:{}", app.port());
    let storage = app.storage().clone();
    let engine = app.engine().clone();
    tokio::spawn(app.run_until(std::future::pending()));

    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    call(
        &client,
        &base,
        "sign_in",
        &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
    )
    .await;
    let connection: serde_json::Value = serde_json::from_str(
        &call(
            &client,
            &base,
            "save_connection",
            &[
                ("domain", &sim.base),
                ("client_id", CLIENT_ID),
                ("client_secret", SECRET),
            ],
        )
        .await,
    )
    .expect("connection");
    let connection_id = connection["id"].to_string();
    let sync_id = call(
        &client,
        &base,
        "create_sync",
        &[
            ("connection_id", &connection_id),
            ("object", "Contact"),
            ("name", &format!("Bench {mode:?}")),
        ],
    )
    .await;
    let mapping = |key: &str, crm: &str| FieldMapping {
        source: MappingSource::Field(key.into()),
        crm_field: crm.into(),
        overwrite: Overwrite::Always,
    };
    let config = SyncConfig {
        mappings: vec![
            mapping("first_name", "FirstName"),
            mapping("last_name", "LastName"),
            mapping("phone", "Phone"),
            mapping("mobile", "MobilePhone"),
            mapping("job_title", "Title"),
            mapping("city", "MailingCity"),
            mapping("postcode", "MailingPostalCode"),
            mapping("country", "MailingCountry"),
        ],
        ..SyncConfig::default()
    };
    let id: i64 = sync_id.trim().parse().expect("sync id");
    let saved = call_json(
        &client,
        &base,
        "save_sync_config",
        &serde_json::json!({ "sync_id": id, "base_version": 0, "config": config }),
    )
    .await;
    assert!(saved.contains("Saved"), "{saved}");
    call(
        &client,
        &base,
        "set_sync_running",
        &[("sync_id", &sync_id), ("running", "true")],
    )
    .await;

    let workspace = {
        let me: serde_json::Value =
            serde_json::from_str(&call(&client, &base, "me", &[]).await).expect("me");
        server::storage::WorkspaceId(me["workspace"]["id"].as_i64().expect("workspace id"))
    };
    if !*stored {
        let started = Instant::now();
        for from in (0..contacts).step_by(5_000) {
            let chunk: Vec<NewContact> = (from..(from + 5_000).min(contacts))
                .map(komo_contact)
                .collect();
            storage
                .upsert_contacts(workspace, &chunk)
                .await
                .expect("contacts stored");
        }
        println!(
            "{contacts} Komo contacts stored in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        *stored = true;
    }

    for (label, full) in [("first run", false), ("re-run, nothing changed", false)] {
        http.delete(format!("{}/__sim/requests", sim.base))
            .send()
            .await
            .expect("clear log");
        reset_peak();
        let started = Instant::now();
        call(
            &client,
            &base,
            "sync_now",
            &[("sync_id", &sync_id), ("full_resync", &full.to_string())],
        )
        .await;
        let done = engine.drain().await.expect("engine ran");
        let seconds = started.elapsed().as_secs_f64();
        let kinds = calls_by_kind(&http, &sim.base).await;
        report(&format!("{mode:?}: {label}"), seconds, contacts, &kinds);
        for line in phases.take() {
            println!("engine phases  {line}");
        }
        let (answering, jobs) = simulator_busy(&http, &sim.base).await;
        let simulator = answering + jobs;
        let own = (seconds - simulator).max(0.0);
        println!(
            "simulator      {simulator:.1} s ({answering:.1} s answering, {jobs:.1} s in Bulk jobs)"
        );
        println!(
            "engine's own   {own:.1} s (wall time minus simulator) = {:.1}× the simulator's",
            own / simulator.max(0.001)
        );
        for (run_id, status) in done {
            let run = storage.find_run(workspace, run_id).await.expect("run");
            println!(
                "run {run_id}: {status:?}; inserted {} updated {} unchanged {} failed {} {}",
                run.counters.inserted_ok,
                run.counters.updated_ok,
                run.counters.unchanged,
                run.counters.failed(),
                run.message.unwrap_or_default()
            );
        }
    }
}
