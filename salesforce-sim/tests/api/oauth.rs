use crate::helpers::{fixture, org, start, TestOrg, CLIENT_ID, CLIENT_SECRET};
use reqwest::StatusCode;
use salesforce_sim::{ConnectedApp, SimConfig, TokenFault};
use serde_json::Value;
use std::time::Duration;

async fn token_reply(t: &TestOrg, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let resp = t
        .http
        .post(t.url("/services/oauth2/token"))
        .form(form)
        .send()
        .await
        .expect("sent");
    (resp.status(), resp.json().await.expect("JSON"))
}

fn creds<'a>(id: &'a str, secret: &'a str) -> [(&'static str, &'a str); 3] {
    [
        ("grant_type", "client_credentials"),
        ("client_id", id),
        ("client_secret", secret),
    ]
}

#[tokio::test]
async fn a_token_has_the_documented_fields_and_a_session_id_shape() {
    let t = org().await;
    let (status, body) = token_reply(&t, &creds(CLIENT_ID, CLIENT_SECRET)).await;
    assert_eq!(status, StatusCode::OK);
    let mut keys: Vec<&str> = body
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "access_token",
            "api_instance_url",
            "id",
            "instance_url",
            "issued_at",
            "scope",
            "signature",
            "token_type"
        ]
    );
    // Every key of the recorded (older) token response, with the same types.
    for (k, v) in fixture("oauth/password_flow_success.json")
        .as_object()
        .expect("object")
    {
        assert_eq!(body[k].is_string(), v.is_string(), "{k}");
    }
    assert!(body["access_token"]
        .as_str()
        .is_some_and(|s| s.starts_with("00D5g000004SimO!")));
    assert!(
        body["issued_at"]
            .as_str()
            .is_some_and(|s| s.parse::<u64>().is_ok()),
        "issued_at is a string of ms"
    );
    assert_eq!(body["instance_url"], t.sim.base_url());
    assert!(body.get("refresh_token").is_none() && body.get("expires_in").is_none());
}

#[tokio::test]
async fn http_basic_credentials_work_too() {
    let t = org().await;
    let resp = t
        .http
        .post(t.url("/services/oauth2/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_json_body_or_another_grant_is_an_unsupported_grant_type() {
    let t = org().await;
    let resp = t
        .http
        .post(t.url("/services/oauth2/token"))
        .json(&serde_json::json!({"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.expect("JSON");
    assert_eq!(
        body,
        serde_json::json!({"error": "unsupported_grant_type", "error_description": "grant type not supported"})
    );
    let (status, body) = token_reply(
        &t,
        &[
            ("grant_type", "password"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unsupported_grant_type"))
    );
}

#[tokio::test]
async fn each_app_setting_produces_its_documented_token_error() {
    let t = org().await;
    let recorded = fixture("oauth/error_invalid_grant_authentication_failure.json");
    let mut no_flow = ConnectedApp::new("no-flow", "s");
    no_flow.flow_enabled = false;
    let mut no_user = ConnectedApp::new("no-user", "s");
    no_user.run_as = None;
    t.sim.add_app(no_flow);
    t.sim.add_app(no_user);
    let cases: Vec<(&str, &str, &str, &str)> = vec![
        (
            "nobody",
            "s",
            "invalid_client_id",
            "client identifier invalid",
        ),
        (
            CLIENT_ID,
            "wrong",
            "invalid_client",
            "invalid client credentials",
        ),
        (
            "no-flow",
            "s",
            "invalid_grant",
            "client credentials flow not enabled",
        ),
        (
            "no-user",
            "s",
            "invalid_grant",
            "no client credentials user enabled",
        ),
    ];
    for (id, secret, error, description) in cases {
        let (status, body) = token_reply(&t, &creds(id, secret)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{id}");
        crate::helpers::assert_same_shape(&body, &recorded);
        assert_eq!(
            (body["error"].as_str(), body["error_description"].as_str()),
            (Some(error), Some(description)),
            "{id}"
        );
    }
    for (fault, error, description) in [
        (
            TokenFault::UserNotApproved,
            "invalid_grant",
            "user hasn't approved this consumer",
        ),
        (TokenFault::InactiveUser, "invalid_grant", "inactive user"),
        (
            TokenFault::NotAdminApproved,
            "invalid_app_access",
            "user is not admin approved to access this app",
        ),
        (
            TokenFault::UnknownError,
            "unknown_error",
            "retry your request",
        ),
    ] {
        let mut app = ConnectedApp::new("faulty", "s");
        app.token_fault = Some(fault);
        t.sim.add_app(app);
        let (_, body) = token_reply(&t, &creds("faulty", "s")).await;
        assert_eq!(
            (body["error"].as_str(), body["error_description"].as_str()),
            (Some(error), Some(description))
        );
    }
}

#[tokio::test]
async fn the_unverified_flow_disabled_code_and_my_domain_are_settings() {
    let config = SimConfig {
        flow_disabled_error: "invalid_client".to_owned(),
        ..SimConfig::default()
    };
    let t = start(config).await;
    let mut app = ConnectedApp::new("off", "s");
    app.flow_enabled = false;
    t.sim.add_app(app);
    let (_, body) = token_reply(&t, &creds("off", "s")).await;
    assert_eq!(body["error"], "invalid_client");

    let config = SimConfig {
        my_domain_host: Some("acme.my.salesforce.com".to_owned()),
        ..SimConfig::default()
    };
    let sim = salesforce_sim::Simulator::start(config)
        .await
        .expect("starts");
    sim.add_app(ConnectedApp::new(CLIENT_ID, CLIENT_SECRET));
    let resp = reqwest::Client::new()
        .post(format!("{}/services/oauth2/token", sim.base_url()))
        .form(&creds(CLIENT_ID, CLIENT_SECRET))
        .send()
        .await
        .expect("sent");
    let body: Value = resp.json().await.expect("JSON");
    assert_eq!(
        body["error_description"],
        "request not supported on this domain"
    );
}

#[tokio::test]
async fn an_idle_token_expires_with_the_recorded_401_body() {
    let t = org().await;
    assert_eq!(t.get("/limits").await.status, StatusCode::OK);
    // Each call restarts the 2-hour idle timer.
    t.sim.advance_clock(Duration::from_secs(119 * 60));
    assert_eq!(t.get("/limits").await.status, StatusCode::OK);
    t.sim.advance_clock(Duration::from_secs(119 * 60));
    assert_eq!(t.get("/limits").await.status, StatusCode::OK);
    t.sim.advance_clock(Duration::from_secs(2 * 60 * 60));
    let reply = t.get("/limits").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json(), fixture("errors/invalid_session_id_401.json"));
}

#[tokio::test]
async fn a_missing_or_unknown_token_is_an_invalid_session() {
    let t = org().await;
    let resp = t.http.get(t.url("/limits")).send().await.expect("sent");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = t
        .http
        .get(t.url("/limits"))
        .bearer_auth("00Dxx!nope")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        resp.json::<Value>().await.expect("JSON"),
        fixture("errors/invalid_session_id_401.json")
    );
}

#[tokio::test]
async fn the_identity_url_describes_the_run_as_user_like_the_recording() {
    let t = org().await;
    let (_, token) = token_reply(&t, &creds(CLIENT_ID, CLIENT_SECRET)).await;
    let id_url = token["id"].as_str().expect("id url");
    let resp = t
        .http
        .get(id_url)
        .bearer_auth(token["access_token"].as_str().expect("token"))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.expect("JSON");
    crate::helpers::assert_same_shape(&body, &fixture("oauth/identity_url_response.json"));
    assert_eq!(body["username"], "integration@sim.example");
    assert_eq!(body["id"], id_url);
}
