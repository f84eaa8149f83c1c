use crate::helpers::{assert_shape, fixture, Tenant, CLIENT_ID, MID, OTHER_MID, SECRET};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

async fn token_answer(t: &Tenant, body: Value, form: bool) -> (u16, Value) {
    let request = t.http.post(t.url("/v2/token"));
    let request = if form {
        let pairs: Vec<(String, String)> = body
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                )
            })
            .collect();
        request.form(&pairs)
    } else {
        request.json(&body)
    };
    let response = request.send().await.expect("token call");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

#[tokio::test]
async fn a_token_is_issued_for_json_and_form_bodies_in_the_recorded_shape() {
    let t = Tenant::start().await;
    for form in [false, true] {
        let body = json!({"grant_type": "client_credentials", "client_id": CLIENT_ID,
                          "client_secret": SECRET, "account_id": MID.to_string(),
                          "scope": "data_extensions_read data_extensions_write"});
        let (status, answer) = token_answer(&t, body, form).await;
        assert_eq!(status, 200, "{answer}");
        assert_shape(&answer, &fixture("01-token-success.json"));
        assert_eq!(answer["expires_in"], 1079);
        assert_eq!(
            answer["scope"],
            "data_extensions_read data_extensions_write"
        );
        assert_eq!(
            answer["rest_instance_url"],
            format!("{}/", t.sim.base_url())
        );
    }
}

#[tokio::test]
async fn refused_tokens_say_why_in_the_oauth_shape() {
    let t = Tenant::start().await;
    let base = json!({"grant_type": "client_credentials", "client_id": CLIENT_ID,
                      "client_secret": SECRET, "account_id": MID});
    let with = |key: &str, value: Value| {
        let mut body = base.clone();
        body[key] = value;
        body
    };
    let cases = [
        (
            with("client_secret", json!("wrong")),
            401,
            "invalid_client",
            "Client authentication failed",
        ),
        (
            with("client_id", json!("nobody")),
            401,
            "invalid_client",
            "Invalid client ID",
        ),
        (
            with("grant_type", json!("password")),
            400,
            "unsupported_grant_type",
            "client_credentials",
        ),
        (
            with("account_id", json!(999)),
            401,
            "unauthorized_client",
            "(MID)",
        ),
        (
            with("scope", json!("email_send")),
            400,
            "invalid_scope",
            "email_send",
        ),
    ];
    for (body, status, error, says) in cases {
        let (got, answer) = token_answer(&t, body, false).await;
        assert_eq!(
            (got, answer["error"].as_str()),
            (status, Some(error)),
            "{answer}"
        );
        assert!(
            answer["error_description"]
                .as_str()
                .unwrap_or_default()
                .contains(says),
            "{answer}"
        );
        assert_shape(&answer, &fixture("02-token-error-invalid-client.json"));
    }
}

#[tokio::test]
async fn an_expired_or_unknown_token_gets_the_recorded_401_and_a_new_token_works() {
    let t = Tenant::start().await;
    let token = t.token().await;
    let fields = format!("/data/v1/customobjects/{}/fields", t.contacts_id);
    assert_eq!(t.call(Method::GET, &fields, &token, None).await.0, 200);
    t.sim.advance_clock(Duration::from_secs(1080));
    let (status, answer) = t.call(Method::GET, &fields, &token, None).await;
    assert_eq!(status, 401);
    assert_eq!(answer, fixture("03-rest-401-not-authorized.json"));
    assert_eq!(t.call(Method::GET, &fields, "made-up", None).await.0, 401);
    let fresh = t.token().await;
    assert_eq!(t.call(Method::GET, &fields, &fresh, None).await.0, 200);
}

#[tokio::test]
async fn a_token_acts_in_its_own_business_unit_and_within_its_scopes() {
    let t = Tenant::start().await;
    let other = t.token_for(OTHER_MID).await;
    let fields = format!("/data/v1/customobjects/{}/fields", t.contacts_id);
    let (status, _) = t.call(Method::GET, &fields, &other, None).await;
    assert_eq!(
        status, 404,
        "the Contacts data extension lives in the first unit only"
    );
    let (_, answer) = token_answer(
        &t,
        json!({"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET,
               "account_id": MID, "scope": "data_extensions_read"}),
        false,
    )
    .await;
    let read_only = answer["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (status, answer) = t
        .call(
            Method::PUT,
            "/data/v1/async/dataextensions/key:Contacts/rows",
            &read_only,
            Some(json!({"items": []})),
        )
        .await;
    assert_eq!(
        (status, answer["errorcode"].as_u64()),
        (403, Some(20002)),
        "{answer}"
    );
}
