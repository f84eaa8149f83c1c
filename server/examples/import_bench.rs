//! A CSV import at scale with flat memory: streams a generated N-row file (never held in memory, as an
//! upload is not) through the same importer the `/import/contacts/{id}` route uses, and prints the
//! process's resident memory as the rows go by and its peak at the end.
//!
//! ```text
//! cargo run -p server --release --example import_bench -- 1000000
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench cargo run -p server --release --example import_bench
//! ```
//! Without `DATABASE_URL` it uses a temporary SQLite file. One row in 50 is bad (an invalid email), so
//! the error report is exercised too. Peak RSS should be the same at 100,000 rows and at 1,000,000.

use bytes::Bytes;
use server::import::{self, ImportJob, MAX_IMPORT_BYTES};
use server::storage::Storage;
use shared::contact::fields::FieldCatalog;
use shared::contact::import::ImportMapping;
use shared::WorkspaceName;
use std::time::Instant;

/// Rows generated per body chunk.
const CHUNK_ROWS: usize = 1_000;

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

fn chunk(from: usize, to: usize) -> Bytes {
    let mut text = String::with_capacity((to - from) * 90);
    if from == 0 {
        text.push_str("Email,First Name,Last Name,City,Date of birth,Marketing opt-in\n");
    }
    for i in from..to {
        let email = if i % 50 == 49 {
            format!("broken-{i}")
        } else {
            format!("person{i}@example{}.com", i % 97)
        };
        text.push_str(&format!(
            "{email},Person,Number {i},London,19{:02}-0{}-1{},{}\n",
            i % 100,
            1 + i % 9,
            i % 10,
            i % 2 == 0
        ));
    }
    Bytes::from(text)
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let storage = Storage::connect(&url).await.map_err(|e| e.to_string())?;
    let name = WorkspaceName::parse(&format!("Import bench {}", uuid::Uuid::new_v4().simple()))
        .map_err(|e| e.to_string())?;
    let workspace = storage
        .create_workspace(&name)
        .await
        .map_err(|e| e.to_string())?;
    let mapping = ImportMapping::parse(
        "email,first_name,last_name,city,date_of_birth,marketing_opt_in",
        &FieldCatalog::new(&[]),
    )
    .map_err(|e| e.to_string())?;
    let import_id = storage
        .create_import(workspace, "bench.csv", 0, &mapping.to_wire())
        .await
        .map_err(|e| e.to_string())?;
    storage
        .begin_import(workspace, import_id)
        .await
        .map_err(|e| e.to_string())?;

    let (rss, _) = memory();
    println!(
        "{rows} rows into {} · RSS before: {rss:.1} MiB",
        storage.backend_name()
    );
    let started = Instant::now();
    let body = futures::stream::unfold(0_usize, move |from| async move {
        if from >= rows {
            return None;
        }
        if from % 100_000 == 0 && from > 0 {
            let (rss, peak) = memory();
            println!(
                "{from:>9} rows sent · {:>6.1} s · RSS {rss:>6.1} MiB · peak {peak:>6.1} MiB",
                started.elapsed().as_secs_f64()
            );
        }
        let to = (from + CHUNK_ROWS).min(rows);
        Some((Ok::<_, std::io::Error>(chunk(from, to)), to))
    });
    let job = ImportJob {
        storage: storage.clone(),
        workspace,
        import_id,
        mapping,
        properties: Vec::new(),
        max_bytes: MAX_IMPORT_BYTES,
        grant: None,
    };
    let counts = import::run(job, body).await.map_err(|e| e.to_string())?;
    let took = started.elapsed().as_secs_f64();
    let (rss, peak) = memory();
    println!(
        "done in {took:.1} s ({:.0} rows/s): {} read, {} saved, {} with errors, {:.1} MiB read",
        counts.rows_read as f64 / took,
        counts.rows_read,
        counts.rows_saved,
        counts.rows_failed,
        counts.bytes_read as f64 / 1024.0 / 1024.0
    );
    println!("RSS at the end: {rss:.1} MiB · peak RSS: {peak:.1} MiB");
    Ok(())
}
