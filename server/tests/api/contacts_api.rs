//! `/api/v1`: token authentication, bulk upsert with per-item errors, get, delete, body limits, tenants.

use crate::contacts_storage::contact;
use crate::helpers::{spawn_app, TestApp, ADMIN_PASSWORD};
use app::api::api_tokens::CreatedApiToken;
use serde_json::{json, Value};
use shared::contact::query::ContactPage;
use shared::Role;

/// A token for the workspace of the signed-in super user `email`, through the server function.
async fn token_for(app: &TestApp, email: &str, password: &str) -> String {
    let browser = app.other_browser();
    assert_eq!(browser.sign_in(email, password).await.status(), 200);
    let created: CreatedApiToken = browser
        .call(
            "create_api_token",
            &[("name", "feed"), ("expires_in_days", "")],
        )
        .await
        .json()
        .await
        .expect("token");
    created.token
}

async fn admin_token(app: &TestApp) -> String {
    token_for(app, crate::helpers::ADMIN_EMAIL, ADMIN_PASSWORD).await
}

fn url(app: &TestApp, path: &str) -> String {
    format!("{}/api/v1{path}", app.address)
}

async fn bulk(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(url(app, "/contacts/bulk"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("sent")
}

async fn error_code(response: reqwest::Response) -> String {
    let body: Value = response.json().await.expect("json error body");
    body["error"]["code"].as_str().expect("code").to_owned()
}

#[tokio::test]
async fn requests_without_a_valid_token_are_refused_with_401() {
    let app = spawn_app().await;
    let token = admin_token(&app).await;
    let none = app
        .client
        .get(url(&app, "/contacts"))
        .send()
        .await
        .expect("sent");
    assert_eq!(none.status(), 401);
    assert_eq!(
        none.headers().get("www-authenticate").map(|v| v.as_bytes()),
        Some(&b"Bearer"[..])
    );
    assert_eq!(error_code(none).await, "missing_token");
    let wrong = app
        .client
        .get(url(&app, "/contacts"))
        .bearer_auth("komo_nope")
        .send()
        .await
        .expect("sent");
    assert_eq!(error_code(wrong).await, "invalid_token");
    let good = app
        .client
        .get(url(&app, "/contacts"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("sent");
    assert_eq!(good.status(), 200);

    // Revoked: the same token stops working at once.
    app.sign_in_as_admin().await;
    let tokens: Vec<app::api::api_tokens::ApiTokenView> = app
        .call("list_api_tokens", &[])
        .await
        .json()
        .await
        .expect("list");
    app.call(
        "revoke_api_token",
        &[("token_id", &tokens[0].id.to_string())],
    )
    .await;
    let revoked = app
        .client
        .get(url(&app, "/contacts"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("sent");
    assert_eq!(revoked.status(), 401);
}

#[tokio::test]
async fn bulk_upsert_saves_valid_items_and_names_each_bad_field() {
    let app = spawn_app().await;
    let token = admin_token(&app).await;
    let response = bulk(
        &app,
        &token,
        &json!({ "contacts": [
            { "email": "Ada@Example.com", "first_name": "Ada", "marketing_opt_in": true, "tags": ["vip"] },
            { "email": "not an email", "first_name": "Nobody" },
            { "email": "grace@example.com", "date_of_birth": "09/12/1906", "shoe_size": 7 },
            "just a string",
            { "email": "alan@example.com", "date_of_birth": "1912-06-23" }
        ] }),
    )
    .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["saved"], 2);
    assert_eq!(body["failed"], 3);
    let errors: Vec<(u64, String)> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["index"].as_u64().unwrap_or(99),
                e["field"].as_str().unwrap_or("?").to_owned(),
            )
        })
        .collect();
    for expected in [
        (1, "email"),
        (2, "date_of_birth"),
        (2, "shoe_size"),
        (3, ""),
    ] {
        assert!(
            errors.contains(&(expected.0, expected.1.to_owned())),
            "{expected:?} in {errors:?}"
        );
    }
    let saved: Vec<u64> = body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["index"].as_u64().unwrap_or(99))
        .collect();
    assert_eq!(saved, [0, 4]);

    let ada = app
        .client
        .get(url(&app, "/contacts/ADA@example.com"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("sent");
    assert_eq!(ada.status(), 200);
    let ada: Value = ada.json().await.expect("json");
    assert_eq!(ada["email"], "ada@example.com");
    assert_eq!(ada["marketing_opt_in"], true);
    assert_eq!(ada["tags"], json!(["vip"]));

    let page: Value = app
        .client
        .get(url(&app, "/contacts?sort=email&limit=1"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(page["total"], 2);
    assert_eq!(page["contacts"][0]["email"], "ada@example.com");
    let next = page["next"].as_str().expect("a next page");
    let second: Value = app
        .client
        .get(url(
            &app,
            &format!("/contacts?sort=email&limit=1&after={next}"),
        ))
        .bearer_auth(&token)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(second["contacts"][0]["email"], "alan@example.com");
    assert_eq!(second["next"], Value::Null);

    let deleted = app
        .client
        .delete(url(&app, "/contacts/alan@example.com"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("sent");
    assert_eq!(deleted.status(), 204);
    let gone = app
        .client
        .delete(url(&app, "/contacts/alan@example.com"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("sent");
    assert_eq!(gone.status(), 404);
    assert_eq!(error_code(gone).await, "not_found");
}

#[tokio::test]
async fn malformed_oversized_and_overlong_requests_get_clear_4xx_errors() {
    let app = spawn_app().await;
    let token = admin_token(&app).await;
    let malformed = app
        .client
        .post(url(&app, "/contacts/bulk"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"contacts\": [")
        .send()
        .await
        .expect("sent");
    assert_eq!(malformed.status(), 400);
    assert_eq!(error_code(malformed).await, "malformed_json");

    let too_many: Vec<Value> = (0..10_001)
        .map(|i| json!({ "email": format!("p{i}@example.com") }))
        .collect();
    let response = bulk(&app, &token, &json!({ "contacts": too_many })).await;
    assert_eq!(response.status(), 413);
    assert_eq!(error_code(response).await, "too_many_contacts");

    // A million zeros: the read stops at the 10,001st instead of building a million values first.
    let zeros = format!("{{\"contacts\": [{}]}}", vec!["0"; 1_000_000].join(","));
    let response = app
        .client
        .post(url(&app, "/contacts/bulk"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(zeros)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "too_many_contacts");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.ends_with("this one has more")),
        "{body}"
    );

    // One oversized item is that item's error; the others are saved.
    let oversized = json!({
        "email": "big@example.com",
        "padding": vec![0; server::http::api_v1::MAX_ITEM_BYTES],
    });
    let response = bulk(
        &app,
        &token,
        &json!({ "contacts": [oversized, { "email": "small@example.com" }] }),
    )
    .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["saved"], 1);
    assert_eq!(body["errors"][0]["index"], 0);
    assert!(
        body["errors"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("bytes of JSON")),
        "{body}"
    );

    let huge = "x".repeat(server::http::api_v1::MAX_BODY_BYTES + 1);
    let response = bulk(&app, &token, &json!({ "contacts": [], "padding": huge })).await;
    assert_eq!(response.status(), 413);
    assert_eq!(error_code(response).await, "body_too_large");

    let full: Vec<Value> = (0..10_000)
        .map(|i| json!({ "email": format!("p{i}@example.com"), "first_name": "P" }))
        .collect();
    let response = bulk(&app, &token, &json!({ "contacts": full })).await;
    assert_eq!(response.status(), 200, "exactly the limit is fine");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["saved"], 10_000);
}

#[tokio::test]
async fn a_workspace_token_never_reaches_another_workspaces_contacts() {
    let app = spawn_app().await;
    let globex = app.new_workspace("Globex").await;
    app.add_user(globex, "boss@globex.example", Role::SuperUser)
        .await;
    let acme_token = admin_token(&app).await;
    let globex_token =
        token_for(&app, "boss@globex.example", crate::helpers::MEMBER_PASSWORD).await;
    bulk(
        &app,
        &globex_token,
        &json!({ "contacts": [{ "email": "secret@globex.example" }] }),
    )
    .await;
    bulk(
        &app,
        &acme_token,
        &json!({ "contacts": [{ "email": "ada@acme.example" }] }),
    )
    .await;

    let get = app
        .client
        .get(url(&app, "/contacts/secret@globex.example"))
        .bearer_auth(&acme_token)
        .send()
        .await
        .expect("sent");
    assert_eq!(get.status(), 404);
    let delete = app
        .client
        .delete(url(&app, "/contacts/secret@globex.example"))
        .bearer_auth(&acme_token)
        .send()
        .await
        .expect("sent");
    assert_eq!(delete.status(), 404);
    let page: Value = app
        .client
        .get(url(&app, "/contacts"))
        .bearer_auth(&acme_token)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(page["total"], 1);
    assert_eq!(page["contacts"][0]["email"], "ada@acme.example");
    let theirs = app
        .client
        .get(url(&app, "/contacts/secret@globex.example"))
        .bearer_auth(&globex_token)
        .send()
        .await
        .expect("sent");
    assert_eq!(theirs.status(), 200);
}

#[tokio::test]
async fn a_search_matching_more_than_the_cap_says_its_total_is_capped() {
    let app = spawn_app().await;
    let workspace = app.first_workspace().await;
    // One past the cap match "person"; one more contact matches only the unsearched list.
    let cap = usize::try_from(ContactPage::COUNT_CAP).expect("small");
    let mut contacts: Vec<_> = (0..=cap)
        .map(|i| contact(&format!("person{i}@example.com"), &[], &[]))
        .collect();
    contacts.push(contact("ada@example.com", &[], &[]));
    for chunk in contacts.chunks(5_000) {
        app.storage
            .upsert_contacts(workspace, chunk)
            .await
            .expect("seed");
    }
    let token = admin_token(&app).await;
    let list = |query: &'static str| {
        let request = app
            .client
            .get(url(&app, &format!("/contacts?limit=1{query}")))
            .bearer_auth(&token);
        async move {
            let response = request.send().await.expect("sent");
            assert_eq!(response.status(), 200, "{query}");
            response.json::<Value>().await.expect("json")
        }
    };

    let broad = list("&search=person").await;
    assert_eq!(broad["total"], ContactPage::COUNT_CAP);
    assert_eq!(broad["total_capped"], true);

    let narrow = list("&search=person999").await;
    assert_eq!(narrow["total"], 11, "person999 and person9990..=9999");
    assert_eq!(narrow["total_capped"], false);

    // Without a search the count is the workspace's, exact however many.
    let all = list("").await;
    assert_eq!(all["total"], ContactPage::COUNT_CAP + 2);
    assert_eq!(all["total_capped"], false);
}

#[tokio::test]
async fn the_openapi_description_is_served_and_unknown_paths_answer_json() {
    let app = spawn_app().await;
    let spec: Value = app
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(spec["openapi"], "3.1.0");
    for path in [
        "/contacts/bulk",
        "/contacts",
        "/contacts/{email}",
        "/fields",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} documented");
    }
    let page = &spec["paths"]["/contacts"]["get"]["responses"]["200"]["content"]
        ["application/json"]["schema"]["properties"];
    assert_eq!(page["total_capped"]["type"], "boolean");
    let token = admin_token(&app).await;
    let fields: Value = app
        .client
        .get(url(&app, "/fields"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(fields["fields"][0]["key"], "email");
    let unknown = app
        .client
        .get(url(&app, "/nothing-here"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("sent");
    assert_eq!(unknown.status(), 404);
    assert_eq!(error_code(unknown).await, "not_found");
}

// Several threads: the held request, the server and the probing requests must not wait on one another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_requests_beyond_the_concurrency_limit_are_told_to_come_back() {
    use futures::SinkExt;
    let app = crate::helpers::spawn_app_with(&[("KOMO_API_BULK_CONCURRENCY", "1")]).await;
    let token = admin_token(&app).await;
    // A first request whose body is still on its way holds the only turn. The probes take turns too: when
    // a probe held it as the first request came, that one was refused instead, and the scenario starts
    // again with a new first request. The bound only turns a hang into a failure.
    let hold = || {
        let (body, body_rx) = futures::channel::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
        let held = tokio::spawn(
            app.client
                .post(url(&app, "/contacts/bulk"))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(reqwest::Body::wrap_stream(body_rx))
                .send(),
        );
        (body, held)
    };
    let (refused, mut body, held) =
        tokio::time::timeout(std::time::Duration::from_secs(30), async {
            loop {
                let (mut body, held) = hold();
                body.send(Ok(b"{\"contacts\": [".to_vec()))
                    .await
                    .expect("first part");
                while !held.is_finished() {
                    let probe = bulk(&app, &token, &json!({ "contacts": [] })).await;
                    if probe.status() == 429 {
                        return (probe, body, held);
                    }
                    assert_eq!(probe.status(), 200);
                }
            }
        })
        .await
        .expect("a request was refused while the first held the turn");
    assert_eq!(refused.headers()["retry-after"], "1");
    assert_eq!(error_code(refused).await, "busy");

    body.send(Ok(b"{\"email\": \"held@example.com\"}]}".to_vec()))
        .await
        .expect("last part");
    drop(body);
    let held = held.await.expect("task").expect("sent");
    assert_eq!(held.status(), 200);
    let again = bulk(&app, &token, &json!({ "contacts": [] })).await;
    assert_eq!(again.status(), 200, "the turn is free again");
}

#[tokio::test]
async fn a_token_given_a_lifetime_stops_working_when_it_expires() {
    let app = spawn_app().await;
    app.sign_in_as_admin().await;
    let created: CreatedApiToken = app
        .call(
            "create_api_token",
            &[("name", "a month"), ("expires_in_days", "30")],
        )
        .await
        .json()
        .await
        .expect("token");
    let expires_at = created.view.expires_at.expect("an expiry");
    let month = 30 * 24 * 60 * 60;
    let now = server::storage::now_unix();
    assert!((now + month - 5..=now + month + 5).contains(&expires_at));
    assert!(!created.view.expired);
    let list = |token: &str| {
        app.client
            .get(url(&app, "/contacts"))
            .bearer_auth(token.to_owned())
            .send()
    };
    assert_eq!(list(&created.token).await.expect("sent").status(), 200);

    // A month later (the row's expiry moved to the past): refused like a revoked token, and shown expired.
    crate::helpers::sql_execute(
        &app.storage,
        "update api_tokens set expires_at = 1 where id = $1",
        created.view.id,
    )
    .await;
    let refused = list(&created.token).await.expect("sent");
    assert_eq!(refused.status(), 401);
    assert_eq!(error_code(refused).await, "invalid_token");
    let tokens: Vec<app::api::api_tokens::ApiTokenView> = app
        .call("list_api_tokens", &[])
        .await
        .json()
        .await
        .expect("tokens");
    assert!(tokens[0].expired);

    let bad = app
        .call(
            "create_api_token",
            &[("name", "odd"), ("expires_in_days", "7")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    assert_eq!(
        crate::helpers::api_error(bad).await.field(),
        Some("expires_in_days")
    );
}
