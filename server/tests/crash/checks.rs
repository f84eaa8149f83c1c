//! What must hold once a crashed run has ended: exactly one outcome per selected contact, counters equal
//! to what the org holds, and no record twice.

use crate::setup::{email, CONTACTS, IN_ORG};
use salesforce_sim::Simulator;
use server::storage::{Storage, WorkspaceId};
use shared::sync::run::RunStatus;
use std::collections::{HashMap, HashSet};

pub async fn run_is_exact(database_url: &str, workspace: i64, run_id: i64, sim: &Simulator) {
    let storage = Storage::connect(database_url).await.expect("database");
    let workspace = WorkspaceId(workspace);
    let run = storage.find_run(workspace, run_id).await.expect("the run");
    assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.message);
    let rows = storage
        .run_log(workspace, run_id, 0, false, 1_000_000)
        .await
        .expect("the run's log");
    let contacts: HashSet<i64> = rows.iter().map(|r| r.contact_id).collect();
    assert_eq!(rows.len(), CONTACTS, "one outcome per selected contact");
    assert_eq!(contacts.len(), CONTACTS, "no contact twice in the log");
    let c = &run.counters;
    let inserted = i64::try_from(CONTACTS - IN_ORG).expect("small");
    let updated = i64::try_from(IN_ORG).expect("small");
    assert_eq!(
        (
            c.selected,
            c.processed,
            c.inserted_ok,
            c.updated_ok,
            c.failed()
        ),
        (inserted + updated, inserted + updated, inserted, updated, 0),
        "counters"
    );

    let records = sim.records("Contact");
    let mut by_email: HashMap<String, Vec<&serde_json::Value>> = HashMap::new();
    for record in &records {
        let address = record["Email"].as_str().unwrap_or_default().to_owned();
        by_email.entry(address).or_default().push(record);
    }
    assert_eq!(records.len(), CONTACTS, "the org holds each contact once");
    for i in 0..CONTACTS {
        let held = by_email.get(&email(i)).map_or(&[][..], Vec::as_slice);
        assert_eq!(held.len(), 1, "{} in the org", email(i));
        assert_eq!(
            held[0]["LastName"],
            format!("Last{i}"),
            "{} pushed",
            email(i)
        );
    }
    for row in &rows {
        let held = &by_email[&row.email];
        assert_eq!(row.outcome, "ok", "{}: {:?}", row.email, row.message);
        assert_eq!(
            row.crm_id.as_deref(),
            held[0]["Id"].as_str(),
            "{}",
            row.email
        );
    }
}
