use crate::helpers::{spawn_app, spawn_app_with, MEMBER_PASSWORD};
use shared::Role;

#[tokio::test]
async fn signed_out_visitors_are_sent_to_sign_in() {
    let app = spawn_app().await;
    for path in ["/", "/contacts", "/crm/syncs", "/settings/users"] {
        let response = app.get(path).await;
        assert!(
            response.status().is_redirection(),
            "{path}: {}",
            response.status()
        );
        assert_eq!(response.headers()["location"], "/sign-in", "{path}");
    }
    let sign_in = app.get("/sign-in").await;
    assert_eq!(sign_in.status(), 200);
    assert!(sign_in.text().await.expect("html").contains("Sign in"));
}

#[tokio::test]
async fn a_super_user_gets_the_shell_with_the_workspace_initials() {
    let app = spawn_app().await;
    app.sign_in_as_admin().await;
    let response = app.get("/contacts").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.expect("html");
    assert!(
        html.contains(r#"data-testid="workspace-initials""#),
        "initials rendered"
    );
    assert!(html.contains(">AE<"), "initials of Acme Events");
    assert!(html.contains("CRM · Syncs"));
    assert!(html.contains("No contacts yet"));
}

#[tokio::test]
async fn a_member_is_refused_the_crm_pages_with_403() {
    let app = spawn_app().await;
    let workspace = app.first_workspace().await;
    app.add_user(workspace, "member@acme.example", Role::Member)
        .await;
    app.sign_in("member@acme.example", MEMBER_PASSWORD).await;
    for path in app::SUPER_USER_PATHS
        .iter()
        .map(|p| if *p == "/crm" { "/crm/syncs" } else { p })
    {
        let response = app.get(path).await;
        assert_eq!(response.status(), 403, "{path}");
    }
    let contacts = app.get("/contacts").await;
    assert_eq!(contacts.status(), 200);
    let html = contacts.text().await.expect("html");
    assert!(!html.contains("CRM · Syncs"), "members get no CRM menu");
}

#[tokio::test]
async fn health_reports_the_database() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["status"], "ok");
    let expected = if app.db.url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(body["database"], expected);
}

#[tokio::test]
async fn cross_origin_posts_are_refused() {
    let app = spawn_app().await;
    let forged = app
        .client
        .post(format!("{}/api/sign_in", app.address))
        .header("origin", "https://evil.example")
        .form(&[
            ("email", crate::helpers::ADMIN_EMAIL),
            ("password", crate::helpers::ADMIN_PASSWORD),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(forged.status(), 403);
    let same_site_fetch = app
        .client
        .post(format!("{}/api/me", app.address))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .expect("sent");
    assert_eq!(same_site_fetch.status(), 403);
    let own_origin = app
        .client
        .post(format!("{}/api/me", app.address))
        .header("origin", app.address.clone())
        .send()
        .await
        .expect("sent");
    assert_eq!(own_origin.status(), 200);
}

#[tokio::test]
async fn only_configured_komo_origins_may_frame_the_app() {
    let app = spawn_app_with(&[("KOMO_FRAME_ANCESTORS", "https://app.komo.example")]).await;
    let response = app.get("/sign-in").await;
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(csp, "frame-ancestors 'self' https://app.komo.example");

    let default = spawn_app().await;
    let response = default.get("/sign-in").await;
    assert_eq!(
        response.headers()["content-security-policy"],
        "frame-ancestors 'self'"
    );
}

#[tokio::test]
async fn framed_over_https_the_cookie_allows_the_iframe() {
    let app = spawn_app_with(&[
        ("KOMO_FRAME_ANCESTORS", "https://app.komo.example"),
        ("KOMO_PUBLIC_URL", "https://sync.komo.example"),
    ])
    .await;
    let response = app
        .sign_in(crate::helpers::ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD)
        .await;
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        cookie.contains("SameSite=None") && cookie.contains("Secure"),
        "{cookie}"
    );
}
