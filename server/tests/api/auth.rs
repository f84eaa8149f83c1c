use crate::helpers::{api_error, spawn_app, ADMIN_EMAIL, ADMIN_PASSWORD};
use app::error::ApiError;
use shared::{Me, Role};

#[tokio::test]
async fn the_first_start_creates_a_super_user_who_can_sign_in() {
    let app = spawn_app().await;
    let response = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(response.status(), 200);
    let me: Me = response.json().await.expect("Me");
    assert_eq!(me.user.email, ADMIN_EMAIL);
    assert_eq!(me.user.role, Role::SuperUser);
    assert_eq!(me.workspace.name, "Acme Events");
    assert_eq!(me.workspace.initials, "AE");

    let current: Option<Me> = app.call("me", &[]).await.json().await.expect("Option<Me>");
    assert_eq!(current, Some(me));
}

#[tokio::test]
async fn email_case_does_not_matter_at_sign_in() {
    let app = spawn_app().await;
    let response = app
        .sign_in(&ADMIN_EMAIL.to_uppercase(), ADMIN_PASSWORD)
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_generic_answer() {
    let app = spawn_app().await;
    let wrong_password = app.sign_in(ADMIN_EMAIL, "not the password at all").await;
    assert_eq!(wrong_password.status(), 401);
    let wrong_password = api_error(wrong_password).await;

    let unknown = app.sign_in("nobody@acme.example", ADMIN_PASSWORD).await;
    assert_eq!(unknown.status(), 401);
    let unknown = api_error(unknown).await;

    let malformed = api_error(app.sign_in("not-an-email", ADMIN_PASSWORD).await).await;

    assert_eq!(wrong_password, ApiError::WrongCredentials);
    assert_eq!(unknown, wrong_password);
    assert_eq!(malformed, wrong_password);
    assert_eq!(
        wrong_password.to_string(),
        "The email or password is incorrect."
    );

    let current: Option<Me> = app.call("me", &[]).await.json().await.expect("Option<Me>");
    assert_eq!(current, None, "a failed sign-in starts no session");
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_slowed_down_even_for_the_right_password() {
    let app = spawn_app().await;
    for attempt in 1..=server::auth::throttle::FREE_FAILURES {
        let response = app.sign_in(ADMIN_EMAIL, "guess number something").await;
        assert_eq!(response.status(), 401, "attempt {attempt}");
    }
    let locked = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(locked.status(), 429);
    match api_error(locked).await {
        ApiError::TooManyAttempts { retry_after_secs } => {
            assert!((1..=30).contains(&retry_after_secs))
        }
        other => panic!("expected TooManyAttempts, got {other:?}"),
    }
}

#[tokio::test]
async fn a_success_clears_earlier_failures() {
    let app = spawn_app().await;
    for _ in 1..server::auth::throttle::FREE_FAILURES {
        app.sign_in(ADMIN_EMAIL, "guess number something").await;
    }
    assert_eq!(app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await.status(), 200);
    let other = app.other_browser();
    for _ in 1..server::auth::throttle::FREE_FAILURES {
        assert_eq!(
            other
                .sign_in(ADMIN_EMAIL, "guess number something")
                .await
                .status(),
            401
        );
    }
    assert_eq!(
        other.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await.status(),
        200
    );
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    app.sign_in_as_admin().await;
    assert_eq!(app.call("sign_out", &[]).await.status(), 200);
    let current: Option<Me> = app.call("me", &[]).await.json().await.expect("Option<Me>");
    assert_eq!(current, None);
    assert_eq!(app.call("list_connections", &[]).await.status(), 401);
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let app = spawn_app().await;
    let response = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("komo_sync_session="))
        .expect("session cookie set")
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain http must not set Secure: {cookie}"
    );
}

#[tokio::test]
async fn over_https_the_cookie_is_secure() {
    let app =
        crate::helpers::spawn_app_with(&[("KOMO_PUBLIC_URL", "https://sync.komo.example")]).await;
    let response = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
}
