//! How long a contacts page takes at scale: seeds a workspace with N contacts, then times the queries the
//! contacts page makes (count + first page, a deep keyset page, a search) in each sort order.
//!
//! ```text
//! cargo run -p server --release --example contacts_page_bench -- 1000000
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench cargo run -p server --release --example contacts_page_bench
//! ```
//! Without `DATABASE_URL` it uses a temporary SQLite file. The issue's budget is 150 ms per page.

use server::storage::Storage;
use shared::contact::query::{ContactQuery, ContactSort};
use shared::contact::{ContactInput, NewContact};
use shared::WorkspaceName;
use std::time::{Duration, Instant};

const FIRST: [&str; 8] = [
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken",
];
const LAST: [&str; 8] = [
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson",
];

fn contact(i: usize) -> Result<NewContact, String> {
    let mut input = ContactInput {
        email: format!("person{i}@example{}.com", i % 97),
        ..ContactInput::default()
    };
    input.set("first_name", FIRST[i % FIRST.len()].to_owned());
    input.set(
        "last_name",
        format!("{}{}", LAST[(i / 8) % LAST.len()], i % 1000),
    );
    input.set("city", "London".to_owned());
    NewContact::parse(input, &[]).map_err(|e| format!("{e:?}"))
}

async fn time<T, E: std::fmt::Debug>(
    label: &str,
    f: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, String> {
    let start = Instant::now();
    let out = f.await.map_err(|e| format!("{label}: {e:?}"))?;
    let took = start.elapsed();
    let flag = if took > Duration::from_millis(150) {
        "  OVER BUDGET"
    } else {
        ""
    };
    println!("{label:<40} {:>8.1} ms{flag}", took.as_secs_f64() * 1000.0);
    Ok(out)
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let storage = Storage::connect(&url).await.map_err(|e| e.to_string())?;
    let name = WorkspaceName::parse("Bench").map_err(|e| e.to_string())?;
    let workspace = storage
        .create_workspace(&name)
        .await
        .map_err(|e| e.to_string())?;

    let seed = Instant::now();
    for start in (0..count).step_by(10_000) {
        let batch = (start..(start + 10_000).min(count))
            .map(contact)
            .collect::<Result<Vec<_>, _>>()?;
        storage
            .upsert_contacts(workspace, &batch)
            .await
            .map_err(|e| e.to_string())?;
    }
    println!(
        "seeded {count} contacts on {} in {:.1} s",
        storage.backend_name(),
        seed.elapsed().as_secs_f64()
    );

    for sort in ContactSort::ALL {
        let first = ContactQuery::new("", sort.as_str(), "", None);
        let page = time(
            &format!("{}: count + first page", sort.label()),
            storage.page_contacts(workspace, &first),
        )
        .await?;
        // Walk 20 pages deep, then time the next one: a keyset page costs the same anywhere.
        let mut after = page.next;
        for _ in 0..20 {
            let q = ContactQuery::new(
                "",
                sort.as_str(),
                &after.map(|c| c.encode()).unwrap_or_default(),
                None,
            );
            after = storage
                .page_contacts(workspace, &q)
                .await
                .map_err(|e| e.to_string())?
                .next;
        }
        let deep = ContactQuery::new(
            "",
            sort.as_str(),
            &after.map(|c| c.encode()).unwrap_or_default(),
            None,
        );
        time(
            &format!("{}: page 22", sort.label()),
            storage.page_contacts(workspace, &deep),
        )
        .await?;
    }
    for search in ["person12345", "grace", "turing5"] {
        let q = ContactQuery::new(search, "name", "", None);
        let page = time(
            &format!("search \"{search}\""),
            storage.page_contacts(workspace, &q),
        )
        .await?;
        println!("{:<40} {:>8} matches", "", page.total);
    }
    Ok(())
}
