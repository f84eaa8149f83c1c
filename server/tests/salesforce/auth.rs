//! Tokens: Test Connection, each refusal of doc §1.4 in plain words, untrusted or unreachable hosts,
//! expiry mid-sequence, and one token request shared by concurrent callers.

use crate::helpers::{client_for, org, org_with, CLIENT_ID, CLIENT_SECRET};
use salesforce_sim::{ConnectedApp, SimConfig, Simulator, TokenFault};
use server::salesforce::{SalesforceError, API_VERSION};
use std::time::Duration;

fn limits() -> String {
    format!("/services/data/{API_VERSION}/limits")
}

#[tokio::test]
async fn test_connection_names_the_org_and_the_run_as_user() {
    let org = org().await;
    let check = org.client.check_connection().await.expect("connects");
    assert_eq!(check.org_id, "00D5g000004SimOEAS");
    assert_eq!(check.username, "integration@sim.example");
    assert_eq!(org.token_requests(), 1);
}

/// Asks for a token with `app` registered and the client using `id`/`secret`.
async fn refusal(config: SimConfig, app: ConnectedApp, id: &str, secret: &str) -> SalesforceError {
    let sim = Simulator::start(config).await.expect("simulator starts");
    sim.add_app(app);
    let client = client_for(sim.base_url(), id, secret);
    client
        .check_connection()
        .await
        .expect_err("the token request is refused")
}

fn app() -> ConnectedApp {
    ConnectedApp::new(CLIENT_ID, CLIENT_SECRET)
}

#[tokio::test]
async fn each_token_error_names_its_cause_in_plain_words() {
    let with_fault = |fault| ConnectedApp {
        token_fault: Some(fault),
        ..app()
    };
    #[rustfmt::skip]
    let cases: Vec<(&str, SimConfig, ConnectedApp, &str, &str, &str)> = vec![
        ("wrong client id", SimConfig::default(), app(), "someone-else", CLIENT_SECRET,
         "does not recognise this Client ID"),
        ("wrong secret", SimConfig::default(), app(), CLIENT_ID, "wrong",
         "Client Secret does not match"),
        ("flow disabled", SimConfig::default(), ConnectedApp { flow_enabled: false, ..app() }, CLIENT_ID, CLIENT_SECRET,
         "Client Credentials Flow is not enabled"),
        // The doc marks the code unverified; some orgs answer invalid_client. Same sentence either way.
        ("flow disabled, other code", SimConfig { flow_disabled_error: "invalid_client".into(), ..SimConfig::default() },
         ConnectedApp { flow_enabled: false, ..app() }, CLIENT_ID, CLIENT_SECRET,
         "Client Credentials Flow is not enabled"),
        ("no run-as user", SimConfig::default(), ConnectedApp { run_as: None, ..app() }, CLIENT_ID, CLIENT_SECRET,
         "has no Run As user"),
        ("not the My Domain", SimConfig { my_domain_host: Some("acme.my.salesforce.com".into()), ..SimConfig::default() },
         app(), CLIENT_ID, CLIENT_SECRET, "not your org's My Domain"),
        ("user not approved", SimConfig::default(), with_fault(TokenFault::UserNotApproved), CLIENT_ID, CLIENT_SECRET,
         "has not approved this connected app"),
        ("inactive user", SimConfig::default(), with_fault(TokenFault::InactiveUser), CLIENT_ID, CLIENT_SECRET,
         "Run As user is inactive"),
        ("not admin approved", SimConfig::default(), with_fault(TokenFault::NotAdminApproved), CLIENT_ID, CLIENT_SECRET,
         "not allowed to use this connected app"),
        ("transient", SimConfig::default(), with_fault(TokenFault::UnknownError), CLIENT_ID, CLIENT_SECRET,
         "temporary problem"),
    ];
    for (case, config, app, id, secret, words) in cases {
        let error = refusal(config, app, id, secret).await;
        assert!(
            matches!(error, SalesforceError::Token { .. }),
            "{case}: {error:?}"
        );
        let message = error.to_string();
        assert!(message.contains(words), "{case}: {message}");
        assert_eq!(error.is_retryable(), case == "transient", "{case}");
    }
}

#[tokio::test]
async fn an_unreachable_host_is_reported_as_such() {
    // A port nothing listens on: bind one, note it, free it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let client = client_for(&origin, CLIENT_ID, CLIENT_SECRET);
    let error = client
        .check_connection()
        .await
        .expect_err("nothing listens");
    assert!(
        matches!(error, SalesforceError::Unreachable { .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn an_instance_url_outside_the_allowed_hosts_is_refused_before_any_data_call() {
    let org = org().await;
    // Reach the simulator as `localhost`: it answers with an instance_url on 127.0.0.1, which this client
    // was not allowed to talk to.
    let port = org.sim.base_url().rsplit(':').next().expect("port");
    let client = client_for(
        &format!("http://localhost:{port}"),
        CLIENT_ID,
        CLIENT_SECRET,
    );
    let error = client.check_connection().await.expect_err("untrusted");
    assert!(
        matches!(&error, SalesforceError::UntrustedInstance(url) if url.contains("127.0.0.1")),
        "{error:?}"
    );
    assert_eq!(org.token_requests(), 1);
    assert_eq!(org.sim.requests().len(), 1, "nothing but the token request");
}

#[tokio::test]
async fn an_expired_token_is_renewed_once_and_the_call_replayed() {
    let org = org().await;
    let _: serde_json::Value = org.client.get_json(&limits()).await.expect("first call");
    org.sim.expire_tokens();
    let _: serde_json::Value = org.client.get_json(&limits()).await.expect("after expiry");
    let _: serde_json::Value = org.client.get_json(&limits()).await.expect("and after");
    assert_eq!(org.token_requests(), 2);
    let statuses: Vec<u16> = org
        .sim
        .requests()
        .iter()
        .filter(|r| r.path == limits())
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [200, 401, 200, 200]);
}

#[tokio::test]
async fn an_idle_timeout_is_survived_too() {
    let org = org().await;
    org.client.check_connection().await.expect("connects");
    org.sim.advance_clock(Duration::from_secs(2 * 60 * 60 + 1));
    let _: serde_json::Value = org.client.get_json(&limits()).await.expect("renewed");
    assert_eq!(org.token_requests(), 2);
}

#[tokio::test]
async fn a_session_refused_even_after_renewal_says_so() {
    // Every token is stale the moment it is issued, so the replay is refused as well.
    let org = org_with(SimConfig {
        token_idle_timeout: Duration::ZERO,
        ..SimConfig::default()
    })
    .await;
    let error = org
        .client
        .get_json::<serde_json::Value>(&limits())
        .await
        .expect_err("refused twice");
    assert!(
        matches!(error, SalesforceError::SessionRejectedTwice),
        "{error:?}"
    );
    assert_eq!(org.token_requests(), 2, "one renewal, not a loop");
    assert_eq!(org.calls_to(&limits()), 2);
}

#[tokio::test]
async fn concurrent_callers_share_one_token_request_and_one_renewal() {
    let org = org().await;
    let path = limits();
    let calls = (0..12).map(|_| org.client.get_json::<serde_json::Value>(&path));
    for result in futures::future::join_all(calls).await {
        result.expect("each call succeeds");
    }
    assert_eq!(org.token_requests(), 1);
    org.sim.expire_tokens();
    let calls = (0..12).map(|_| org.client.get_json::<serde_json::Value>(&path));
    for result in futures::future::join_all(calls).await {
        result.expect("each call succeeds after expiry");
    }
    assert_eq!(org.token_requests(), 2);
}
