//! The sync builder through its server functions, against the Salesforce simulator: create, configure
//! (with Save's checks against the live describe), versions, rename, start / stop, Sync now, duplicate,
//! delete — and another workspace's super user sees none of it.

use crate::contacts_storage::contact;
use crate::engine::{field, org, Org};
use crate::helpers::{api_error, TestApp, MEMBER_PASSWORD};
use app::api::runs::SyncNowOutcome;
use app::api::syncs::{MatchCount, RunSummary, SaveOutcome, SyncDetail, SyncSummary};
use app::error::ApiError;
use salesforce_sim::Simulator;
use serde_json::json;
use shared::sync::config::{NoMatchAction, Place, SyncConfig};
use shared::sync::crm::{CrmField, CrmObject};
use shared::sync::filter::{Combine, Filter, FilterRule, Operator};
use shared::sync::run::RunStatus;
use shared::sync::status::SyncStatus;
use shared::Role;

struct Builder {
    _sim: Simulator,
    app: TestApp,
    connection_id: i64,
}

async fn builder() -> Builder {
    let Org {
        sim,
        app,
        connection_id,
        ..
    } = org().await;
    Builder {
        _sim: sim,
        app,
        connection_id,
    }
}

/// A Lead sync that inserts and updates by email, mapping names but not yet Company.
fn lead_config() -> SyncConfig {
    SyncConfig {
        object: CrmObject::Lead,
        mappings: vec![
            field("first_name", "FirstName"),
            field("last_name", "LastName"),
        ],
        ..SyncConfig::default()
    }
}

impl Builder {
    async fn create(&self, object: &str, name: &str) -> reqwest::Response {
        let connection = self.connection_id.to_string();
        self.app
            .call(
                "create_sync",
                &[
                    ("connection_id", &connection),
                    ("object", object),
                    ("name", name),
                ],
            )
            .await
    }

    async fn create_ok(&self, name: &str) -> i64 {
        let response = self.create("Lead", name).await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("id")
    }

    async fn detail(&self, id: i64) -> SyncDetail {
        let response = self
            .app
            .call("get_sync", &[("sync_id", &id.to_string())])
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("detail")
    }

    async fn save(&self, id: i64, base: i64, config: &SyncConfig) -> reqwest::Response {
        self.app
            .call_json(
                "save_sync_config",
                &json!({ "sync_id": id, "base_version": base, "config": config }),
            )
            .await
    }

    async fn save_ok(&self, id: i64, base: i64, config: &SyncConfig) -> SaveOutcome {
        let response = self.save(id, base, config).await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("outcome")
    }

    async fn set_running(&self, id: i64, running: bool) -> reqwest::Response {
        self.app
            .call(
                "set_sync_running",
                &[
                    ("sync_id", &id.to_string()),
                    ("running", &running.to_string()),
                ],
            )
            .await
    }

    async fn sync_now(&self, id: i64) -> reqwest::Response {
        self.app
            .call(
                "sync_now",
                &[("sync_id", &id.to_string()), ("full_resync", "false")],
            )
            .await
    }

    async fn list(&self) -> Vec<SyncSummary> {
        self.app
            .call("list_syncs", &[])
            .await
            .json()
            .await
            .expect("list")
    }
}

#[tokio::test]
async fn a_new_sync_is_listed_stopped_with_the_starting_configuration() {
    let b = builder().await;
    assert!(b.list().await.is_empty());
    let id = b.create_ok("  Quiz leads ").await;
    let list = b.list().await;
    assert_eq!(list.len(), 1);
    let sync = &list[0];
    assert_eq!(sync.id, id);
    assert_eq!(sync.name, "Quiz leads", "the name is trimmed");
    assert_eq!(sync.object, CrmObject::Lead);
    assert_eq!(sync.status, SyncStatus::Stopped);
    assert_eq!(sync.config_version, 0);
    assert!(sync.last_run.is_none());
    assert!(b._sim.base_url().contains(&sync.connection_domain));

    let detail = b.detail(id).await;
    assert_eq!(detail.config.object, CrmObject::Lead);
    assert_eq!(
        detail.config.match_pair.komo_field, "email",
        "Email ↔ Email is suggested"
    );
    assert_eq!(detail.config.match_pair.crm_field, "Email");
    assert!(detail.versions.is_empty());

    let blank = b.create("Lead", "   ").await;
    assert_eq!(blank.status(), 422);
    assert_eq!(api_error(blank).await.field(), Some("name"));
    let bad_object = b.create("Account", "Accounts").await;
    assert_eq!(api_error(bad_object).await.field(), Some("object"));
    let other_connection = b
        .app
        .call(
            "create_sync",
            &[
                ("connection_id", "999999"),
                ("object", "Lead"),
                ("name", "x"),
            ],
        )
        .await;
    assert_eq!(other_connection.status(), 404);
    assert_eq!(b.list().await.len(), 1, "refused creates add nothing");
}

#[tokio::test]
async fn crm_fields_come_from_the_describe_and_show_what_lead_requires() {
    let b = builder().await;
    let id = b.create_ok("Leads").await;
    for refresh in ["false", "true"] {
        let response = b
            .app
            .call(
                "crm_fields",
                &[
                    ("sync_id", &id.to_string()),
                    ("object", "Lead"),
                    ("refresh", refresh),
                ],
            )
            .await;
        assert_eq!(response.status(), 200);
        let fields: Vec<CrmField> = response.json().await.expect("fields");
        let company = fields
            .iter()
            .find(|f| f.name == "Company")
            .expect("Company");
        assert!(company.required && company.createable);
        assert!(fields
            .iter()
            .any(|f| f.name == "Email" && f.field_type == "email"));
        assert!(
            fields
                .iter()
                .all(|f| f.createable || f.updateable || f.id_lookup),
            "read-only fields are left out"
        );
    }
}

#[tokio::test]
async fn save_names_the_missing_company_then_keeps_versions_of_each_save() {
    let b = builder().await;
    let id = b.create_ok("Leads").await;

    let SaveOutcome::Refused { problems } = b.save_ok(id, 0, &lead_config()).await else {
        panic!("a Lead insert without Company must be refused");
    };
    let required = problems
        .iter()
        .find(|p| p.place == Place::Required)
        .expect("required-fields problem");
    assert!(required.message.contains("Company"), "{}", required.message);
    assert_eq!(b.detail(id).await.sync.config_version, 0, "nothing saved");

    let mut config = lead_config();
    config.mappings.push(field("company", "Company"));
    let SaveOutcome::Saved { version, .. } = b.save_ok(id, 0, &config).await else {
        panic!("a complete configuration saves");
    };
    assert_eq!(version, 1);

    config.on_no_match = NoMatchAction::DoNothing;
    config.mappings.remove(2);
    let SaveOutcome::Saved { version, .. } = b.save_ok(id, 1, &config).await else {
        panic!("an update-only sync does not need Company");
    };
    assert_eq!(version, 2);

    // A page opened at version 1 saves over nothing: it is told, and version 2 stays.
    let mut theirs = lead_config();
    theirs.mappings.push(field("company", "Company"));
    let stale = b.save(id, 1, &theirs).await;
    assert_eq!(stale.status(), 409);
    assert!(api_error(stale)
        .await
        .to_string()
        .contains("Someone saved this sync"));

    let detail = b.detail(id).await;
    assert_eq!(detail.sync.config_version, 2);
    assert_eq!(detail.config, config);
    let versions: Vec<i64> = detail.versions.iter().map(|v| v.version).collect();
    assert_eq!(versions, [2, 1], "newest first");
    assert_eq!(detail.versions[1].changes, ["First version"]);
    assert!(detail.versions[0]
        .changes
        .iter()
        .any(|c| c.contains("does not match") && c.contains("Do nothing")));
    assert!(detail.versions[0]
        .changes
        .iter()
        .any(|c| c == "Unmapped Company"));
    assert!(!detail.versions[0].changed_by_name.is_empty());

    let unreadable = b
        .app
        .call_json(
            "save_sync_config",
            &json!({ "sync_id": id, "base_version": 2, "config": "{not json" }),
        )
        .await;
    assert_eq!(unreadable.status(), 422);
    assert_eq!(api_error(unreadable).await.field(), Some("config"));
}

#[tokio::test]
async fn rename_start_sync_now_stop_duplicate_and_delete() {
    let b = builder().await;
    let id = b.create_ok("Leads").await;
    let sid = id.to_string();

    let renamed = b
        .app
        .call("rename_sync", &[("sync_id", &sid), ("name", "Quiz leads")])
        .await;
    assert_eq!(renamed.status(), 200);
    let blank = b
        .app
        .call("rename_sync", &[("sync_id", &sid), ("name", " ")])
        .await;
    assert_eq!(blank.status(), 422);
    assert_eq!(
        b.list().await[0].name,
        "Quiz leads",
        "a refused rename keeps the name"
    );

    let unsaved = b.set_running(id, true).await;
    assert_eq!(unsaved.status(), 409, "an unsaved sync cannot start");
    let mut config = lead_config();
    config.mappings.push(field("company", "Company"));
    assert!(matches!(
        b.save_ok(id, 0, &config).await,
        SaveOutcome::Saved { .. }
    ));

    let stopped = b.sync_now(id).await;
    assert_eq!(stopped.status(), 409, "a stopped sync does not run");
    assert_eq!(b.set_running(id, true).await.status(), 200);
    assert_eq!(b.list().await[0].status, SyncStatus::Running);

    let first: SyncNowOutcome = b.sync_now(id).await.json().await.expect("queued");
    assert!(!first.already_running);
    let second: SyncNowOutcome = b.sync_now(id).await.json().await.expect("again");
    assert!(second.already_running, "one active run per sync");
    assert_eq!(
        second.run_id, first.run_id,
        "and it links to the run already going"
    );

    let runs: Vec<RunSummary> = b
        .app
        .call("list_runs", &[("sync_id", &sid), ("before", "0")])
        .await
        .json()
        .await
        .expect("runs");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, RunStatus::Queued);
    assert_eq!(
        runs[0].config_version, 1,
        "a run records the version it uses"
    );
    let run: RunSummary = b
        .app
        .call("get_run", &[("run_id", &first.run_id.to_string())])
        .await
        .json()
        .await
        .expect("run");
    assert_eq!(run.id, first.run_id);
    let listed = &b.list().await[0];
    assert_eq!(listed.last_run.as_ref().map(|r| r.id), Some(first.run_id));

    let copy_id: i64 = b
        .app
        .call("duplicate_sync", &[("sync_id", &sid)])
        .await
        .json()
        .await
        .expect("copy");
    let copy = b.detail(copy_id).await;
    assert_eq!(copy.sync.name, "Copy of Quiz leads");
    assert_eq!(copy.sync.status, SyncStatus::Stopped);
    assert_eq!(copy.config, config);
    assert_eq!(copy.sync.config_version, 1);
    assert!(copy.versions[0].changes[0].starts_with("Copied from \"Quiz leads\""));
    assert!(copy.sync.last_run.is_none(), "runs are not copied");

    let busy = b.app.call("delete_sync", &[("sync_id", &sid)]).await;
    assert_eq!(busy.status(), 409, "a sync with a run going is not deleted");
    assert_eq!(b.set_running(id, false).await.status(), 200);
    assert_eq!(b.list().await.len(), 2);

    let deleted = b
        .app
        .call("delete_sync", &[("sync_id", &copy_id.to_string())])
        .await;
    assert_eq!(deleted.status(), 200);
    let ids: Vec<i64> = b.list().await.iter().map(|s| s.id).collect();
    assert_eq!(ids, [id]);
    let gone = b
        .app
        .call("get_sync", &[("sync_id", &copy_id.to_string())])
        .await;
    assert_eq!(gone.status(), 404);
}

#[tokio::test]
async fn the_live_count_applies_the_filter_in_the_database() {
    let b = builder().await;
    let workspace = b.app.first_workspace().await;
    b.app
        .storage
        .upsert_contacts(
            workspace,
            &[
                contact("ada@example.com", &[("city", "London")], &[]),
                contact("alan@example.com", &[("city", "London")], &[]),
                contact("grace@example.com", &[("city", "New York")], &[]),
            ],
        )
        .await
        .expect("contacts");
    let filter = Filter {
        combine: Combine::All,
        rules: vec![FilterRule {
            field: "city".into(),
            operator: Operator::Equals,
            value: "London".into(),
        }],
    };
    let count: MatchCount = b
        .app
        .call_json("count_matching", &json!({ "filter": filter }))
        .await
        .json()
        .await
        .expect("count");
    assert_eq!(
        count,
        MatchCount {
            matching: 2,
            total: 3
        }
    );

    let bad = Filter {
        combine: Combine::Any,
        rules: vec![FilterRule {
            field: "city".into(),
            operator: Operator::GreaterThan,
            value: "1".into(),
        }],
    };
    let refused = b
        .app
        .call_json("count_matching", &json!({ "filter": bad }))
        .await;
    assert_eq!(refused.status(), 422);
    let error = api_error(refused).await;
    assert_eq!(error.field(), Some("filter.0"));
    assert!(error.to_string().contains("City"), "{error}");
}

#[tokio::test]
async fn another_workspace_cannot_see_or_touch_a_sync() {
    let b = builder().await;
    let id = b.create_ok("Leads").await;
    let sid = id.to_string();
    let globex = b.app.new_workspace("Globex").await;
    b.app
        .add_user(globex, "boss@globex.example", Role::SuperUser)
        .await;
    let outsider = b.app.other_browser();
    outsider
        .sign_in("boss@globex.example", MEMBER_PASSWORD)
        .await;

    let list: Vec<SyncSummary> = outsider
        .call("list_syncs", &[])
        .await
        .json()
        .await
        .expect("list");
    assert!(list.is_empty());
    for (function, form) in [
        ("get_sync", vec![("sync_id", sid.as_str())]),
        (
            "rename_sync",
            vec![("sync_id", sid.as_str()), ("name", "Mine")],
        ),
        (
            "set_sync_running",
            vec![("sync_id", sid.as_str()), ("running", "true")],
        ),
        (
            "sync_now",
            vec![("sync_id", sid.as_str()), ("full_resync", "false")],
        ),
        ("duplicate_sync", vec![("sync_id", sid.as_str())]),
        ("delete_sync", vec![("sync_id", sid.as_str())]),
        (
            "list_runs",
            vec![("sync_id", sid.as_str()), ("before", "0")],
        ),
        (
            "crm_fields",
            vec![
                ("sync_id", sid.as_str()),
                ("object", "Lead"),
                ("refresh", "false"),
            ],
        ),
    ] {
        let response = outsider.call(function, &form).await;
        assert_eq!(response.status(), 404, "{function}");
        assert!(
            matches!(api_error(response).await, ApiError::NotFound(_)),
            "{function}"
        );
    }
    let response = outsider
        .call_json(
            "save_sync_config",
            &json!({ "sync_id": id, "base_version": 0, "config": lead_config() }),
        )
        .await;
    assert_eq!(response.status(), 404, "save_sync_config");
    assert!(
        matches!(api_error(response).await, ApiError::NotFound(_)),
        "save_sync_config"
    );
    let mine = b.detail(id).await;
    assert_eq!(mine.sync.name, "Leads");
    assert_eq!(mine.sync.config_version, 0);
}
