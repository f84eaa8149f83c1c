//! How long a contacts page takes at scale: seeds a workspace with N contacts, then times the queries the
//! contacts page makes (count + first page, a deep keyset page, searches) in each sort order.
//!
//! ```text
//! cargo run -p server --release --example contacts_page_bench -- 1000000
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_contacts cargo run -p server --release --example contacts_page_bench -- 1000000
//! ```
//! Without `DATABASE_URL` it uses a temporary SQLite file. A database that already holds just the bench
//! workspace with N contacts is reused as it is (seeding a million takes minutes on SQLite). On
//! PostgreSQL it runs `vacuum analyze` after seeding, as autovacuum would soon after a big import, so the
//! figures are those of a settled table. The issue's budget is 150 ms per page.
//!
//! The searches, against the seed below: "person12345" matches 11 emails; "turing50" 1,375 last names;
//! "person12" 11,111 emails; "turing5" 13,875 last names; "grace" 125,000 first names; "a" 343,750
//! first and last names (Ada, Alan, Allen…). "person1" is the slow case: 111,111 emails, nearly all in
//! two old stretches of the seed, so by recently updated the first page is read from all of them.

use server::storage::{Storage, StorageError, WorkspaceId};
use shared::contact::query::{ContactPage, ContactQuery, ContactSort};
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
    println!("{label:<44} {:>8.1} ms{flag}", took.as_secs_f64() * 1000.0);
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
    let workspace = match seeded(&storage, count).await? {
        Some(workspace) => {
            println!("reusing {count} contacts on {}", storage.backend_name());
            workspace
        }
        None => seed(&storage, count).await?,
    };

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
    for search in [
        "person12345",
        "turing50",
        "person12",
        "turing5",
        "grace",
        "a",
        "person1",
    ] {
        for sort in ContactSort::ALL {
            let q = ContactQuery::new(search, sort.as_str(), "", None);
            let page = time(
                &format!("search \"{search}\", {}", sort.label()),
                storage.page_contacts(workspace, &q),
            )
            .await?;
            let Some(next) = &page.next else {
                println!("{:<44} {:>8} matches", "", matches(&page));
                continue;
            };
            let q = ContactQuery::new(search, sort.as_str(), &next.encode(), None);
            time(
                &format!("search \"{search}\", {}: page 2", sort.label()),
                storage.page_contacts(workspace, &q),
            )
            .await?;
            println!("{:<44} {:>8} matches", "", matches(&page));
        }
    }
    Ok(())
}

fn matches(page: &ContactPage) -> String {
    let plus = if page.total_capped { "+" } else { "" };
    format!("{}{plus}", page.total)
}

/// The bench workspace, when the database holds it alone with `count` contacts already.
async fn seeded(storage: &Storage, count: usize) -> Result<Option<WorkspaceId>, String> {
    let e = |e: StorageError| e.to_string();
    if storage.count_workspaces().await.map_err(e)? != 1 {
        return Ok(None);
    }
    let Some(workspace) = storage.first_workspace().await.map_err(e)? else {
        return Ok(None);
    };
    let n = storage.count_contacts(workspace).await.map_err(e)?;
    Ok((usize::try_from(n) == Ok(count)).then_some(workspace))
}

async fn seed(storage: &Storage, count: usize) -> Result<WorkspaceId, String> {
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
    if let Storage::Postgres(pool) = storage {
        sqlx::query("vacuum analyze contacts")
            .execute(pool)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(workspace)
}
