//! The demo's Salesforce org. `./scripts/run` starts the Salesforce simulator beside the app and sets
//! `KOMO_DEMO_SALESFORCE_URL`; at every start the app then makes sure the first workspace has a working
//! connection to it, and that the org already holds the first [`OVERLAP`] demo contacts (with older job
//! titles), so a newcomer's first run shows inserts *and* updates. The simulator keeps its records in
//! memory, so a restarted simulator is filled again. `Settings::demo_org` reads where it is.
//!
//! Demo only: it writes to the org through the ordinary Salesforce client (sObject Collections), as a
//! person preparing a sandbox would. Nothing here runs unless that variable is set, and a failure is
//! logged without stopping the app.

use super::demo_contacts;
use crate::crypto::{connection_context, SecretBox};
use crate::org_cache::{OrgCache, OrgError};
use crate::salesforce::collections::{RecordBatch, MAX_RECORDS};
use crate::salesforce::query::Record;
use crate::salesforce::SalesforceError;
use crate::storage::connections::{ConnectionRecord, TestRecord};
use crate::storage::{Storage, StorageError};
use serde_json::Value;

/// Demo contacts the org holds before the first run.
pub const OVERLAP: usize = 1_000;
/// Marks the records this module put in the org, so it can tell whether they are still there.
const MARK: &str = "Komo demo";
/// The simulator's default connected app (`salesforce-sim --client-id/--client-secret`).
const DEFAULT_CLIENT_ID: &str = "sim-client-id";
const DEFAULT_CLIENT_SECRET: &str = "sim-client-secret";

/// Where the demo org is, from the environment.
#[derive(Debug, Clone)]
pub struct DemoOrg {
    pub url: String,
    pub client_id: String,
    pub client_secret: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoOrgError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Salesforce(#[from] SalesforceError),
    #[error("could not build a record batch: {0}")]
    Batch(String),
}

impl DemoOrg {
    /// The org at `origin` (already checked by the settings), with `KOMO_DEMO_SALESFORCE_CLIENT_ID` /
    /// `_SECRET` or the simulator's defaults.
    pub fn new(origin: String, get: &impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        Self {
            url: origin,
            client_id: var("KOMO_DEMO_SALESFORCE_CLIENT_ID")
                .unwrap_or_else(|| DEFAULT_CLIENT_ID.into()),
            client_secret: var("KOMO_DEMO_SALESFORCE_CLIENT_SECRET")
                .unwrap_or_else(|| DEFAULT_CLIENT_SECRET.into()),
        }
    }
}

/// Connects the first workspace to the demo org (once) and fills the org (when it is empty).
///
/// # Errors
/// Database faults, or the org refusing or not answering.
pub async fn prepare(
    storage: &Storage,
    secrets: &SecretBox,
    orgs: &OrgCache,
    demo: &DemoOrg,
) -> Result<(), DemoOrgError> {
    let Some(workspace) = storage.first_workspace().await? else {
        return Ok(());
    };
    let existing = storage
        .list_connections(workspace)
        .await?
        .into_iter()
        .find(|c| c.domain == demo.url);
    let connection = match existing {
        Some(connection) => connection,
        None => {
            let sealed = secrets.seal(&demo.client_secret, &connection_context(workspace.0));
            let record = ConnectionRecord {
                crm: "salesforce",
                domain: &demo.url,
                client_id: &demo.client_id,
                secret_sealed: Some(&sealed),
            };
            let created = storage.insert_connection(workspace, &record).await?;
            tracing::info!(connection_id = created.id, url = %demo.url, "connected the demo org");
            created
        }
    };
    let org = orgs.get(workspace, connection.id).await?;
    let check = org.client.check_connection().await?;
    let usage = check.api_usage.map(|u| {
        (
            i64::try_from(u.used).unwrap_or(i64::MAX),
            i64::try_from(u.allowed).unwrap_or(i64::MAX),
        )
    });
    storage
        .record_connection_test(
            workspace,
            connection.id,
            &TestRecord {
                ok: true,
                error: None,
                org_id: Some(&check.org_id),
                run_as_username: Some(&check.username),
                api_usage: usage,
            },
        )
        .await?;
    let present = org
        .client
        .count(&format!(
            "SELECT COUNT() FROM Contact WHERE Department = '{MARK}'"
        ))
        .await?;
    if present > 0 {
        return Ok(());
    }
    let records: Vec<Record> = demo_contacts(OVERLAP).iter().map(org_record).collect();
    for chunk in records.chunks(MAX_RECORDS) {
        let batch = RecordBatch::new("Contact", chunk.to_vec())
            .map_err(|e| DemoOrgError::Batch(e.to_string()))?;
        org.client.create_records(&batch).await?;
    }
    tracing::info!(
        records = records.len(),
        "filled the demo org with overlapping contacts"
    );
    Ok(())
}

/// A demo contact as the org holds it before any sync: same person and email, an older job title.
fn org_record(contact: &shared::contact::NewContact) -> Record {
    let text = |value: &Option<String>| Value::String(value.clone().unwrap_or_default());
    let mut record = Record::new();
    record.insert("FirstName".into(), text(&contact.text.first_name));
    record.insert("LastName".into(), text(&contact.text.last_name));
    record.insert("Email".into(), Value::String(contact.email.to_string()));
    record.insert("Title".into(), Value::String("Previous title".into()));
    record.insert("Department".into(), Value::String(MARK.into()));
    record
}
