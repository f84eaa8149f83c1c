//! The contact detail's per-sync Salesforce state: in storage, and through the `contact_syncs` server
//! function (super users only, scoped to the caller's workspace). State rows are written here with SQL,
//! as the push engine would leave them, so these tests need no Salesforce.

use crate::contacts_storage::contact;
use crate::helpers::{api_error, spawn_app, TestApp, MEMBER_PASSWORD};
use app::api::contacts::{ContactSyncState, ContactSyncStates};
use app::error::ApiError;
use server::storage::contacts::sync_state::ContactSyncState as StoredState;
use server::storage::{now_unix, Storage, StorageError, WorkspaceId};
use shared::sync::crm::CrmObject;
use shared::Role;

const LEAD_ID: &str = "00Q000000000001AAA";

/// What a push left behind for (`sync`, `contact`): the record, when it last succeeded, the last error.
async fn remember(
    storage: &Storage,
    sync: i64,
    contact: i64,
    crm_id: Option<&str>,
    pushed_at: Option<i64>,
    error: Option<&str>,
) {
    let sql =
        "insert into sync_contact_state (sync_id, contact_id, crm_id, last_hash, last_pushed_at, \
               last_error) values ($1, $2, $3, $4, $5, $6)";
    let hash = pushed_at.map(|_| "hash");
    let inserted = match storage {
        Storage::Sqlite(pool) => sqlx::query(sql)
            .bind(sync)
            .bind(contact)
            .bind(crm_id)
            .bind(hash)
            .bind(pushed_at)
            .bind(error)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
        Storage::Postgres(pool) => sqlx::query(sql)
            .bind(sync)
            .bind(contact)
            .bind(crm_id)
            .bind(hash)
            .bind(pushed_at)
            .bind(error)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
    };
    assert_eq!(inserted.expect("state row"), 1);
}

/// A workspace's connection to `domain` and syncs named `names` on it, in creation order.
async fn syncs_on(app: &TestApp, ws: WorkspaceId, domain: &str, names: &[&str]) -> Vec<i64> {
    let connection = app
        .storage
        .create_connection(ws, "salesforce", domain)
        .await
        .expect("connection");
    let mut ids = Vec::new();
    for name in names {
        let id = app
            .storage
            .create_sync(ws, connection.id, name, CrmObject::Lead)
            .await
            .expect("sync");
        ids.push(id);
    }
    ids
}

/// Acme's Ada, pushed by two of Acme's three syncs (once fine, once failing) and, impossibly, by a sync of
/// Globex; Acme's Alan, never pushed; Globex's Grace. Returns (Ada, Alan, Grace, Acme's syncs).
async fn pushed_contacts(app: &TestApp) -> (i64, i64, i64, Vec<i64>) {
    let acme = app.first_workspace().await;
    let globex = app.new_workspace("Globex").await;
    let ours = app
        .storage
        .upsert_contacts(
            acme,
            &[
                contact("ada@example.com", &[], &[]),
                contact("alan@example.com", &[], &[]),
            ],
        )
        .await
        .expect("acme contacts");
    let theirs = app
        .storage
        .upsert_contacts(globex, &[contact("grace@example.com", &[], &[])])
        .await
        .expect("globex contact");
    let syncs = syncs_on(
        app,
        acme,
        "acme.my.salesforce.com",
        &["Quiz leads", "Never ran", "Failing contacts"],
    )
    .await;
    let other = syncs_on(app, globex, "globex.my.salesforce.com", &["Globex leads"]).await;
    let storage = &app.storage;
    remember(
        storage,
        syncs[0],
        ours[0],
        Some(LEAD_ID),
        Some(1_700_000_000),
        None,
    )
    .await;
    let error = "REQUIRED_FIELD_MISSING: Required fields are missing: [Company]";
    remember(storage, syncs[2], ours[0], None, None, Some(error)).await;
    // Not a state the engine can write (a sync pushes its own workspace's contacts); here to prove that
    // another workspace's sync never shows up, even if its row names our contact.
    remember(storage, other[0], ours[0], Some(LEAD_ID), Some(1), None).await;
    (ours[0], ours[1], theirs[0], syncs)
}

#[tokio::test]
async fn storage_lists_each_of_the_workspaces_syncs_that_touched_a_contact() {
    let app = spawn_app().await;
    let acme = app.first_workspace().await;
    let (ada, alan, grace, syncs) = pushed_contacts(&app).await;

    let states = app
        .storage
        .contact_sync_states(acme, ada)
        .await
        .expect("states");
    assert_eq!(
        states,
        vec![
            StoredState {
                sync_id: syncs[0],
                sync_name: "Quiz leads".into(),
                domain: "acme.my.salesforce.com".into(),
                crm_id: Some(LEAD_ID.into()),
                last_pushed_at: Some(1_700_000_000),
                last_error: None,
            },
            StoredState {
                sync_id: syncs[2],
                sync_name: "Failing contacts".into(),
                domain: "acme.my.salesforce.com".into(),
                crm_id: None,
                last_pushed_at: None,
                last_error: Some(
                    "REQUIRED_FIELD_MISSING: Required fields are missing: [Company]".into()
                ),
            },
        ]
    );
    let untouched = app.storage.contact_sync_states(acme, alan).await;
    assert_eq!(untouched.expect("states"), Vec::new());
    let foreign = app.storage.contact_sync_states(acme, grace).await;
    assert!(
        matches!(foreign, Err(StorageError::NotFound("contact"))),
        "{foreign:?}"
    );
}

#[tokio::test]
async fn a_super_user_sees_each_syncs_record_link_last_push_and_error_for_a_contact() {
    let app = spawn_app().await;
    let (ada, alan, grace, syncs) = pushed_contacts(&app).await;
    app.sign_in_as_admin().await;
    let before = now_unix();

    let response = app
        .call("contact_syncs", &[("contact_id", &ada.to_string())])
        .await;
    assert_eq!(response.status(), 200);
    let shown: ContactSyncStates = response.json().await.expect("json");
    assert!(shown.as_of >= before && shown.as_of <= now_unix() + 1);
    assert_eq!(
        shown.syncs,
        vec![
            ContactSyncState {
                sync_id: syncs[0],
                sync_name: "Quiz leads".into(),
                crm_id: Some(LEAD_ID.into()),
                crm_url: Some(format!("https://acme.my.salesforce.com/{LEAD_ID}")),
                last_pushed_at: Some(1_700_000_000),
                last_error: None,
            },
            ContactSyncState {
                sync_id: syncs[2],
                sync_name: "Failing contacts".into(),
                crm_id: None,
                crm_url: None,
                last_pushed_at: None,
                last_error: Some(
                    "REQUIRED_FIELD_MISSING: Required fields are missing: [Company]".into()
                ),
            },
        ]
    );

    let untouched: ContactSyncStates = app
        .call("contact_syncs", &[("contact_id", &alan.to_string())])
        .await
        .json()
        .await
        .expect("json");
    assert!(untouched.syncs.is_empty());

    let foreign = app
        .call("contact_syncs", &[("contact_id", &grace.to_string())])
        .await;
    assert_eq!(foreign.status(), 404);
    assert_eq!(
        api_error(foreign).await,
        ApiError::NotFound("Contact".into())
    );
}

#[tokio::test]
async fn a_member_who_may_read_the_contact_is_refused_its_syncs() {
    let app = spawn_app().await;
    let acme = app.first_workspace().await;
    let (ada, ..) = pushed_contacts(&app).await;
    app.add_user(acme, "member@acme.example", Role::Member)
        .await;
    app.sign_in("member@acme.example", MEMBER_PASSWORD).await;
    let contact = app
        .call("get_contact", &[("contact_id", &ada.to_string())])
        .await;
    assert_eq!(contact.status(), 200);
    let syncs = app
        .call("contact_syncs", &[("contact_id", &ada.to_string())])
        .await;
    assert_eq!(syncs.status(), 403);
    assert_eq!(api_error(syncs).await, ApiError::super_users_only());
}
