//! Connected Apps against the Salesforce simulator: test, connect, edit without retyping the secret,
//! disconnect; every token error in plain words; hostile domains refused before any request.

use crate::helpers::{api_error, spawn_app_with, TestApp};
use app::api::crm::{ConnectionStatus, ConnectionSummary, ConnectionTest};
use salesforce_sim::{ConnectedApp, SimConfig, Simulator, TokenFault};

const CLIENT_ID: &str = "3MVG9-komo-client";
const SECRET: &str = "the-right-consumer-secret";

struct Org {
    sim: Simulator,
    app: TestApp,
}

async fn org() -> Org {
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("simulator");
    sim.add_app(ConnectedApp::new(CLIENT_ID, SECRET));
    let app = spawn_app_with(&[("KOMO_SALESFORCE_EXTRA_ORIGINS", sim.base_url())]).await;
    app.sign_in_as_admin().await;
    Org { sim, app }
}

/// Connects `sim`'s app with the right secret.
async fn connect(app: &TestApp, sim: &Simulator) -> ConnectionSummary {
    app.call(
        "save_connection",
        &[
            ("domain", sim.base_url()),
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
        ],
    )
    .await
    .json()
    .await
    .expect("saved")
}

impl Org {
    async fn save(&self, id: Option<i64>, client_id: &str, secret: &str) -> reqwest::Response {
        let id = id.map(|i| i.to_string());
        let mut form = vec![
            ("domain", self.sim.base_url()),
            ("client_id", client_id),
            ("client_secret", secret),
        ];
        if let Some(id) = id.as_deref() {
            form.push(("connection_id", id));
        }
        self.app.call("save_connection", &form).await
    }

    async fn test(&self, client_id: &str, secret: &str) -> ConnectionTest {
        let response = self
            .app
            .call(
                "test_connection",
                &[
                    ("domain", self.sim.base_url()),
                    ("client_id", client_id),
                    ("client_secret", secret),
                ],
            )
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("ConnectionTest")
    }

    async fn list(&self) -> Vec<ConnectionSummary> {
        self.app
            .call("list_connections", &[])
            .await
            .json()
            .await
            .expect("list")
    }
}

#[tokio::test]
async fn wrong_then_right_credentials_connect_and_the_secret_never_comes_back() {
    let org = org().await;
    let wrong = org.save(None, CLIENT_ID, "not-the-secret").await;
    assert_eq!(wrong.status(), 422);
    let error = api_error(wrong).await;
    assert!(
        error
            .to_string()
            .contains("The Client Secret does not match"),
        "{error}"
    );
    assert!(
        org.list().await.is_empty(),
        "a failed Connect saves nothing"
    );

    let right = org.save(None, CLIENT_ID, SECRET).await;
    assert_eq!(right.status(), 200);
    let body = right.text().await.expect("body");
    assert!(
        !body.contains(SECRET),
        "the secret never reaches the browser"
    );
    let saved: ConnectionSummary = serde_json::from_str(&body).expect("summary");
    assert_eq!(saved.status, ConnectionStatus::Connected);
    assert_eq!(
        saved.run_as_username.as_deref(),
        Some("integration@sim.example")
    );
    assert_eq!(saved.org_id.as_deref(), Some("00D5g000004SimOEAS"));
    assert!(saved.last_success_at.is_some());
    assert!(
        saved.api_usage.is_some(),
        "API usage read from Sforce-Limit-Info"
    );

    let listed = org
        .app
        .call("list_connections", &[])
        .await
        .text()
        .await
        .expect("body");
    assert!(!listed.contains(SECRET));
    let workspace = org.app.first_workspace().await;
    let sealed = org
        .app
        .storage
        .connection_secret(workspace, saved.id)
        .await
        .expect("stored");
    assert!(!sealed.contains(SECRET), "stored encrypted: {sealed}");
}

#[tokio::test]
async fn editing_without_retyping_the_secret_keeps_the_stored_one() {
    let org = org().await;
    let saved: ConnectionSummary = org
        .save(None, CLIENT_ID, SECRET)
        .await
        .json()
        .await
        .expect("saved");
    let edited = org.save(Some(saved.id), CLIENT_ID, "").await;
    assert_eq!(
        edited.status(),
        200,
        "blank secret on edit uses the stored one"
    );

    // Testing a saved connection with a blank secret works too, and is recorded on it.
    let id = saved.id.to_string();
    let test: ConnectionTest = org
        .app
        .call(
            "test_connection",
            &[
                ("connection_id", id.as_str()),
                ("domain", org.sim.base_url()),
                ("client_id", CLIENT_ID),
                ("client_secret", ""),
            ],
        )
        .await
        .json()
        .await
        .expect("test");
    assert!(test.ok, "{}", test.message);

    // A failing edit changes nothing that was saved.
    let broken = org.save(Some(saved.id), "someone-elses-app", "").await;
    assert_eq!(broken.status(), 422);
    assert_eq!(org.list().await[0].client_id, CLIENT_ID);
}

/// A blank secret means "the saved one", and the saved one only ever goes to the org and app it was saved
/// for: changing the domain or the client id without typing the secret again is refused before any
/// request, and nothing about the saved connection changes.
#[tokio::test]
async fn the_saved_secret_never_goes_to_another_org_or_app() {
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("simulator");
    sim.add_app(ConnectedApp::new(CLIENT_ID, SECRET));
    let elsewhere = Simulator::start(SimConfig::default())
        .await
        .expect("another simulator");
    let origins = format!("{},{}", sim.base_url(), elsewhere.base_url());
    let app = spawn_app_with(&[("KOMO_SALESFORCE_EXTRA_ORIGINS", origins.as_str())]).await;
    app.sign_in_as_admin().await;
    let saved = connect(&app, &sim).await;
    let id = saved.id.to_string();

    for (function, domain, client_id) in [
        ("test_connection", elsewhere.base_url(), CLIENT_ID),
        ("save_connection", elsewhere.base_url(), CLIENT_ID),
        ("test_connection", sim.base_url(), "someone-elses-app"),
        ("save_connection", sim.base_url(), "someone-elses-app"),
    ] {
        let response = app
            .call(
                function,
                &[
                    ("connection_id", id.as_str()),
                    ("domain", domain),
                    ("client_id", client_id),
                    ("client_secret", ""),
                ],
            )
            .await;
        assert_eq!(response.status(), 422, "{function} {domain} {client_id}");
        let error = api_error(response).await.to_string();
        assert!(error.contains("Client Secret: type it again"), "{error}");
    }
    assert!(
        elsewhere.requests().is_empty(),
        "the other org received nothing"
    );
    let listed: Vec<ConnectionSummary> = app
        .call("list_connections", &[])
        .await
        .json()
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].domain, saved.domain);
    assert_eq!(listed[0].client_id, CLIENT_ID);
    assert_eq!(listed[0].status, ConnectionStatus::Connected);
    assert_eq!(listed[0].last_tested_at, saved.last_tested_at);

    // A newly typed secret for another org is tested there, and the result is not recorded on the saved
    // connection (it tested other credentials).
    let other: ConnectionTest = app
        .call(
            "test_connection",
            &[
                ("connection_id", id.as_str()),
                ("domain", elsewhere.base_url()),
                ("client_id", CLIENT_ID),
                ("client_secret", "a-secret-for-the-other-org"),
            ],
        )
        .await
        .json()
        .await
        .expect("test");
    assert!(!other.ok, "no such app in the other org");
    let listed: Vec<ConnectionSummary> = app
        .call("list_connections", &[])
        .await
        .json()
        .await
        .expect("list");
    assert_eq!(listed[0].status, ConnectionStatus::Connected);
    assert_eq!(listed[0].last_error, None);
}

#[tokio::test]
async fn each_token_error_is_explained_in_plain_words() {
    let org = org().await;
    let mut no_flow = ConnectedApp::new("no-flow", SECRET);
    no_flow.flow_enabled = false;
    let mut no_run_as = ConnectedApp::new("no-run-as", SECRET);
    no_run_as.run_as = None;
    let mut inactive = ConnectedApp::new("inactive", SECRET);
    inactive.token_fault = Some(TokenFault::InactiveUser);
    let mut not_approved = ConnectedApp::new("not-approved", SECRET);
    not_approved.token_fault = Some(TokenFault::NotAdminApproved);
    for app in [no_flow, no_run_as, inactive, not_approved] {
        org.sim.add_app(app);
    }
    let cases = [
        (
            "unknown-client",
            SECRET,
            "does not recognise this Client ID",
        ),
        (CLIENT_ID, "wrong", "The Client Secret does not match"),
        ("no-flow", SECRET, "Client Credentials Flow is not enabled"),
        ("no-run-as", SECRET, "has no Run As user"),
        ("inactive", SECRET, "Run As user is inactive"),
        (
            "not-approved",
            SECRET,
            "not allowed to use this connected app",
        ),
    ];
    for (client_id, secret, expected) in cases {
        let test = org.test(client_id, secret).await;
        assert!(!test.ok, "{client_id}");
        assert!(
            test.message.contains(expected),
            "{client_id}: {}",
            test.message
        );
        assert!(
            !test.message.contains(secret) || secret == SECRET,
            "no secret echoed"
        );
    }
    let ok = org.test(CLIENT_ID, SECRET).await;
    assert!(
        ok.ok && ok.message.starts_with("Connection successful"),
        "{}",
        ok.message
    );
}

#[tokio::test]
async fn hostile_domains_are_refused_before_any_request() {
    let org = org().await;
    org.sim.clear_requests();
    for domain in [
        "localhost",
        "169.254.169.254",
        "evil.example",
        "x.my.salesforce.com.evil.example",
        "x.my.salesforce.com@evil.example",
        "http://x.my.salesforce.com",
        "x.my.salesforce.com:8443",
    ] {
        let response = org
            .app
            .call(
                "test_connection",
                &[
                    ("domain", domain),
                    ("client_id", CLIENT_ID),
                    ("client_secret", SECRET),
                ],
            )
            .await;
        assert_eq!(response.status(), 422, "{domain}");
        let error = api_error(response).await;
        assert_eq!(error.field(), Some("domain"), "{domain}: {error}");
        assert!(
            error.to_string().starts_with("domain: CRM Domain Name:"),
            "{error}"
        );
    }
    assert!(org.sim.requests().is_empty(), "nothing reached any server");
}

#[tokio::test]
async fn an_unreachable_org_is_named() {
    let org = org().await;
    // A port nothing listens on: allowed explicitly, but closed.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        drop(listener);
        format!("http://127.0.0.1:{port}")
    };
    let app = spawn_app_with(&[("KOMO_SALESFORCE_EXTRA_ORIGINS", &closed)]).await;
    app.sign_in_as_admin().await;
    let test: ConnectionTest = app
        .call(
            "test_connection",
            &[
                ("domain", &closed),
                ("client_id", CLIENT_ID),
                ("client_secret", SECRET),
            ],
        )
        .await
        .json()
        .await
        .expect("test");
    assert!(!test.ok);
    assert!(
        test.message.starts_with("could not reach"),
        "{}",
        test.message
    );
    drop(org);
}

#[tokio::test]
async fn disconnecting_removes_the_connection_only_in_its_own_workspace() {
    let org = org().await;
    let saved: ConnectionSummary = org
        .save(None, CLIENT_ID, SECRET)
        .await
        .json()
        .await
        .expect("saved");

    let globex = org.app.new_workspace("Globex").await;
    org.app
        .add_user(globex, "boss@globex.example", shared::Role::SuperUser)
        .await;
    let intruder = org.app.other_browser();
    intruder
        .sign_in("boss@globex.example", crate::helpers::MEMBER_PASSWORD)
        .await;
    let id = saved.id.to_string();
    assert_eq!(
        intruder
            .call("disconnect", &[("connection_id", id.as_str())])
            .await
            .status(),
        404
    );
    let peek = intruder
        .call(
            "test_connection",
            &[
                ("connection_id", id.as_str()),
                ("domain", org.sim.base_url()),
                ("client_id", CLIENT_ID),
                ("client_secret", ""),
            ],
        )
        .await;
    assert_eq!(
        peek.status(),
        404,
        "another workspace cannot use a stored secret"
    );

    assert_eq!(
        org.app
            .call("disconnect", &[("connection_id", id.as_str())])
            .await
            .status(),
        200
    );
    assert!(org.list().await.is_empty());
}

#[tokio::test]
async fn a_connection_used_by_syncs_cannot_be_disconnected_and_says_by_which() {
    let org = org().await;
    let saved: ConnectionSummary = org
        .save(None, CLIENT_ID, SECRET)
        .await
        .json()
        .await
        .expect("saved");
    let workspace = org.app.first_workspace().await;
    for name in ["Newsletter leads", "Winter competition"] {
        org.app
            .storage
            .create_sync(
                workspace,
                saved.id,
                name,
                shared::sync::crm::CrmObject::Lead,
            )
            .await
            .expect("sync created");
    }
    let id = saved.id.to_string();
    let refused = org
        .app
        .call("disconnect", &[("connection_id", id.as_str())])
        .await;
    assert_eq!(refused.status(), 409);
    let message = api_error(refused).await.to_string();
    assert!(
        message.contains("used by 2 syncs: Newsletter leads, Winter competition"),
        "{message}"
    );
    assert_eq!(org.list().await.len(), 1, "nothing was removed");

    // Another workspace cannot attach a sync to this connection either.
    let other = org.app.new_workspace("Globex").await;
    let foreign = org
        .app
        .storage
        .create_sync(
            other,
            saved.id,
            "Sneaky",
            shared::sync::crm::CrmObject::Contact,
        )
        .await;
    assert!(
        foreign.is_err(),
        "a sync may only use its own workspace's connection"
    );
}

#[tokio::test]
async fn rotating_the_encryption_key_reseals_stored_secrets() {
    const OLD_KEY: &str = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
    const NEW_KEY: &str = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=";
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("simulator");
    sim.add_app(ConnectedApp::new(CLIENT_ID, SECRET));
    let app = spawn_app_with(&[
        ("KOMO_SALESFORCE_EXTRA_ORIGINS", sim.base_url()),
        ("KOMO_SECRET_KEY", OLD_KEY),
    ])
    .await;
    app.sign_in_as_admin().await;
    let saved = connect(&app, &sim).await;
    let id = saved.id.to_string();
    let stored_secret_works = |app: TestApp| async move {
        let test: ConnectionTest = app
            .call(
                "test_connection",
                &[
                    ("connection_id", id.as_str()),
                    ("domain", sim.base_url()),
                    ("client_id", CLIENT_ID),
                    ("client_secret", ""),
                ],
            )
            .await
            .json()
            .await
            .expect("test");
        (app, test.ok)
    };
    let workspace = app.first_workspace().await;
    let before = app
        .storage
        .connection_secret(workspace, saved.id)
        .await
        .expect("sealed");

    // Rotation: the new key, with the old one as previous. Start-up re-seals.
    let app = app
        .restart_with(&[
            ("KOMO_SECRET_KEY", NEW_KEY),
            ("KOMO_SECRET_KEY_PREVIOUS", OLD_KEY),
        ])
        .await;
    let after = app
        .storage
        .connection_secret(workspace, saved.id)
        .await
        .expect("sealed");
    assert_ne!(before, after, "re-sealed with the new key");

    // The old key can go: the stored secret still works with the new key alone.
    let app = app.restart_with(&[("KOMO_SECRET_KEY_PREVIOUS", "")]).await;
    let (_app, ok) = stored_secret_works(app).await;
    assert!(ok, "the stored secret opens with the new key alone");
}
