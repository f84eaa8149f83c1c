use crate::helpers::{api_error, spawn_app, spawn_app_with, ADMIN_EMAIL, ADMIN_PASSWORD};
use app::error::ApiError;
use server::auth::throttle::{Policy, PER_ADDRESS, PER_EMAIL};
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
    for attempt in 1..=PER_EMAIL.free_failures {
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
    for _ in 1..PER_EMAIL.free_failures {
        app.sign_in(ADMIN_EMAIL, "guess number something").await;
    }
    assert_eq!(app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await.status(), 200);
    let other = app.other_browser();
    for _ in 1..PER_EMAIL.free_failures {
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

/// Counts `n` failed attempts for `subject` straight into storage, as that many wrong sign-ins would.
async fn fail_times(app: &crate::helpers::TestApp, subject: &str, policy: &Policy, n: i64) {
    let now = server::storage::now_unix();
    for _ in 0..n {
        app.storage
            .reserve_sign_in(subject, policy, now)
            .await
            .expect("reserve");
    }
}

#[tokio::test]
async fn a_burst_of_parallel_wrong_sign_ins_checks_only_as_many_passwords_as_the_lock_allows() {
    let app = spawn_app().await;
    let attempts = (0..20).map(|_| {
        let browser = app.other_browser();
        tokio::spawn(async move {
            browser
                .sign_in(ADMIN_EMAIL, "guess number something")
                .await
                .status()
                .as_u16()
        })
    });
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.expect("task"));
    }
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(
        checked as i64, PER_EMAIL.free_failures,
        "only the attempts before the lock were checked: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    let counted = app
        .storage
        .sign_in_failures(&format!("email:{ADMIN_EMAIL}"))
        .await
        .expect("count");
    assert_eq!(counted, PER_EMAIL.free_failures, "the count is exact");
}

#[tokio::test]
async fn one_address_trying_many_emails_is_locked_out_with_retry_after() {
    let app = spawn_app().await;
    fail_times(
        &app,
        "address:127.0.0.1",
        &PER_ADDRESS,
        PER_ADDRESS.free_failures - 1,
    )
    .await;
    let last_free = app
        .sign_in("someone@acme.example", "guess number one")
        .await;
    assert_eq!(last_free.status(), 401);
    let locked = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(
        locked.status(),
        429,
        "even the right password of another email"
    );
    let retry_after: u64 = locked.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=30).contains(&retry_after), "{retry_after}");
    assert!(matches!(
        api_error(locked).await,
        ApiError::TooManyAttempts { .. }
    ));
}

#[tokio::test]
async fn a_forwarded_address_counts_only_behind_a_trusted_proxy() {
    let locked_client = "198.51.100.7";
    let subject = format!("address:{locked_client}");
    let sign_in_from = |app: &crate::helpers::TestApp, client: &'static str| {
        app.client
            .post(format!("{}/api/sign_in", app.address))
            .header("x-forwarded-for", client)
            .form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
            .send()
    };

    let direct = spawn_app().await;
    fail_times(&direct, &subject, &PER_ADDRESS, PER_ADDRESS.free_failures).await;
    let forged = sign_in_from(&direct, locked_client).await.expect("sent");
    assert_eq!(forged.status(), 200, "a client's own header is ignored");

    let proxied = spawn_app_with(&[("KOMO_TRUSTED_PROXIES", "127.0.0.1")]).await;
    fail_times(&proxied, &subject, &PER_ADDRESS, PER_ADDRESS.free_failures).await;
    let from_locked = sign_in_from(&proxied, locked_client).await.expect("sent");
    assert_eq!(from_locked.status(), 429, "the proxy's word is believed");
    let from_other = sign_in_from(&proxied, "198.51.100.8").await.expect("sent");
    assert_eq!(from_other.status(), 200, "and other clients are not locked");
}

#[tokio::test]
async fn failures_are_forgotten_after_a_quiet_period() {
    let app = spawn_app().await;
    let subject = format!("email:{ADMIN_EMAIL}");
    // Ten failures long ago: locked then for the longest time, which has passed.
    let long_ago = server::storage::now_unix() - 2 * PER_EMAIL.forget_after_secs();
    for _ in 0..10 {
        app.storage
            .reserve_sign_in(&subject, &PER_EMAIL, long_ago)
            .await
            .expect("reserve");
    }
    let wrong = app.sign_in(ADMIN_EMAIL, "guess number something").await;
    assert_eq!(wrong.status(), 401, "not locked");
    assert_eq!(
        app.storage.sign_in_failures(&subject).await.expect("count"),
        1,
        "counting starts again"
    );
}
