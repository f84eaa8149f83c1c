//! Benchmark: 1,000,000 contacts in through Bulk API 2.0, then queries over
//! them, against a simulator on loopback. Prints timings and memory.
//!
//! `cargo run --release --example bench [-- N]`

use salesforce_sim::{ConnectedApp, SimConfig, Simulator};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::time::Instant;

fn rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map(|kb| kb / 1024)
        .unwrap_or(0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let sim = Simulator::start(SimConfig::default()).await?;
    sim.add_app(ConnectedApp::new("bench", "secret"));
    let http = reqwest::Client::new();
    let base = sim.base_url().to_owned();
    let token: Value = http
        .post(format!("{base}/services/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "bench"),
            ("client_secret", "secret"),
        ])
        .send()
        .await?
        .json()
        .await?;
    let token = token["access_token"].as_str().ok_or("no token")?.to_owned();
    let api = format!("{base}/services/data/v62.0");
    let rss_before = rss_mib();

    let mut csv = String::with_capacity(n * 60);
    csv.push_str("FirstName,LastName,Email,Title\n");
    for i in 0..n {
        let _ = writeln!(csv, "First{i},Last{i},Person.{i}@Example.com,Engineer");
    }
    let csv_mib = csv.len() / (1024 * 1024);

    let started = Instant::now();
    let job: Value = http
        .post(format!("{api}/jobs/ingest"))
        .bearer_auth(&token)
        .json(&json!({"object": "Contact", "operation": "insert"}))
        .send()
        .await?
        .json()
        .await?;
    let id = job["id"].as_str().ok_or("no job id")?.to_owned();
    http.put(format!("{api}/jobs/ingest/{id}/batches"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await?;
    http.patch(format!("{api}/jobs/ingest/{id}"))
        .bearer_auth(&token)
        .json(&json!({"state": "UploadComplete"}))
        .send()
        .await?;
    let state = sim.wait_for_job(&id).await;
    let ingest = started.elapsed();
    let info: Value = http
        .get(format!("{api}/jobs/ingest/{id}"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    println!(
        "ingest: {n} rows ({csv_mib} MiB CSV) -> {state:?}, processed {}, failed {}, in {:.2?}",
        info["numberRecordsProcessed"], info["numberRecordsFailed"], ingest
    );

    let timed = |label: &'static str, soql: String| {
        let http = http.clone();
        let token = token.clone();
        let api = api.clone();
        async move {
            let t = Instant::now();
            let body: Value = http
                .get(format!("{api}/query"))
                .query(&[("q", soql)])
                .bearer_auth(&token)
                .send()
                .await?
                .json()
                .await?;
            println!(
                "{label}: totalSize {} in {:.2?}",
                body["totalSize"],
                t.elapsed()
            );
            Ok::<_, reqwest::Error>(())
        }
    };
    timed("count", "SELECT COUNT() FROM Contact".to_owned()).await?;
    timed(
        "email lookup (index)",
        "SELECT Id FROM Contact WHERE Email = 'person.777777@example.com'".to_owned(),
    )
    .await?;
    let emails: Vec<String> = (0..200)
        .map(|i| format!("'person.{}@example.com'", i * 4999))
        .collect();
    timed(
        "200-email IN (index)",
        format!(
            "SELECT Id, Email FROM Contact WHERE Email IN ({})",
            emails.join(",")
        ),
    )
    .await?;
    timed(
        "LIKE scan",
        "SELECT Id FROM Contact WHERE LastName LIKE 'Last99999%'".to_owned(),
    )
    .await?;

    let t = Instant::now();
    let job: Value = http
        .post(format!("{api}/jobs/query"))
        .bearer_auth(&token)
        .json(&json!({"operation": "query", "query": "SELECT Id, Email FROM Contact"}))
        .send()
        .await?
        .json()
        .await?;
    let qid = job["id"].as_str().ok_or("no query job")?.to_owned();
    sim.wait_for_job(&qid).await;
    let (mut rows, mut locator) = (0usize, String::new());
    loop {
        let mut req = http
            .get(format!("{api}/jobs/query/{qid}/results"))
            .bearer_auth(&token)
            .query(&[("maxRecords", "250000")]);
        if !locator.is_empty() {
            req = req.query(&[("locator", &locator)]);
        }
        let resp = req.send().await?;
        locator = resp
            .headers()
            .get("sforce-locator")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("null")
            .to_owned();
        rows += resp
            .headers()
            .get("sforce-numberofrecords")
            .and_then(|v| v.to_str().ok()?.parse().ok())
            .unwrap_or(0usize);
        resp.bytes().await?;
        if locator == "null" {
            break;
        }
    }
    println!("bulk query: {rows} rows in {:.2?}", t.elapsed());
    println!(
        "memory: RSS {} MiB before, {} MiB after ({} live contacts)",
        rss_before,
        rss_mib(),
        sim.count("Contact")
    );
    Ok(())
}
