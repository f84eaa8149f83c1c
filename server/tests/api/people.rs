//! Access that can be taken away (#16): disabling, deleting, signing out everywhere, passwords a super user
//! set, and one's own password change. Every session is checked on every request, so each of these ends
//! the sessions and streams it should at once.

use crate::engine::{city_is, contact_sync, org};
use crate::helpers::{api_error, spawn_app, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD, MEMBER_PASSWORD};
use app::error::ApiError;
use shared::{Me, Role, UserView};

const SECOND: &str = "second@acme.example";
/// The first page of contacts: what any member may read.
const CONTACTS: &[(&str, &str)] = &[("search", ""), ("sort", ""), ("after", "")];

/// The admin signed in, and a second person of `role` signed in in a browser of their own.
async fn admin_and(role: Role) -> (TestApp, TestApp, i64) {
    let app = spawn_app().await;
    app.sign_in_as_admin().await;
    let workspace = app.first_workspace().await;
    let id = app.add_user(workspace, SECOND, role).await;
    let second = app.other_browser();
    assert_eq!(second.sign_in(SECOND, MEMBER_PASSWORD).await.status(), 200);
    (app, second, id)
}

async fn me(app: &TestApp) -> Option<Me> {
    app.call("me", &[]).await.json().await.expect("Option<Me>")
}

async fn act(app: &TestApp, function: &str, user_id: i64) -> reqwest::Response {
    app.call(function, &[("user_id", &user_id.to_string())])
        .await
}

#[tokio::test]
async fn a_disabled_user_is_signed_out_at_once_and_cannot_sign_in_until_enabled() {
    let (app, member, id) = admin_and(Role::Member).await;
    assert_eq!(member.call("list_contacts", CONTACTS).await.status(), 200);

    let disabled = act(&app, "disable_user", id).await;
    assert_eq!(disabled.status(), 200);
    let disabled: UserView = disabled.json().await.expect("user");
    assert!(disabled.disabled);

    assert_eq!(me(&member).await, None, "the open session ended");
    assert_eq!(member.call("list_contacts", CONTACTS).await.status(), 401);
    let again = member.sign_in(SECOND, MEMBER_PASSWORD).await;
    assert_eq!(again.status(), 403, "the right password, but disabled");
    let wrong = member.sign_in(SECOND, "not the password at all").await;
    assert_eq!(
        api_error(wrong).await,
        ApiError::WrongCredentials,
        "a wrong password learns nothing about the account"
    );

    assert_eq!(act(&app, "enable_user", id).await.status(), 200);
    assert_eq!(member.sign_in(SECOND, MEMBER_PASSWORD).await.status(), 200);
    assert_eq!(member.call("list_contacts", CONTACTS).await.status(), 200);
}

#[tokio::test]
async fn a_super_user_signs_someone_out_everywhere_and_keeps_their_own_session() {
    let (app, member, id) = admin_and(Role::Member).await;
    let second_device = member.other_browser();
    assert_eq!(
        second_device
            .sign_in(SECOND, MEMBER_PASSWORD)
            .await
            .status(),
        200
    );

    assert_eq!(act(&app, "sign_out_user", id).await.status(), 200);
    assert_eq!(me(&member).await, None);
    assert_eq!(me(&second_device).await, None);
    assert!(
        me(&app).await.is_some(),
        "the super user is still signed in"
    );
    assert_eq!(
        member.sign_in(SECOND, MEMBER_PASSWORD).await.status(),
        200,
        "signing out is not disabling"
    );
}

#[tokio::test]
async fn nobody_disables_or_deletes_themselves_or_the_last_enabled_super_user() {
    let (app, second, second_id) = admin_and(Role::SuperUser).await;
    let admin_id = me(&app).await.expect("signed in").user.id;
    for function in ["disable_user", "delete_user"] {
        let own = act(&app, function, admin_id).await;
        assert_eq!(own.status(), 409, "{function} of oneself");
    }
    // Two super users; once one is disabled, the other is the last one who can sign in.
    assert_eq!(act(&second, "disable_user", admin_id).await.status(), 200);
    let demote_self = second
        .call(
            "change_role",
            &[("user_id", &second_id.to_string()), ("role", "member")],
        )
        .await;
    assert_eq!(demote_self.status(), 409);
    assert!(api_error(demote_self)
        .await
        .to_string()
        .contains("at least one super user"));
    let workspace = app.first_workspace().await;
    let users = app.storage.list_users(workspace).await.expect("users");
    let enabled_super_users = users
        .iter()
        .filter(|u| u.role == Role::SuperUser && !u.disabled)
        .count();
    assert_eq!(enabled_super_users, 1);
}

#[tokio::test]
async fn a_deleted_user_is_gone_but_their_runs_keep_their_name_and_the_email_is_free() {
    let o = org().await;
    o.add(&[("ada@example.com", "Ada", "Lovelace", "London")])
        .await;
    let sync = o.sync(&contact_sync(city_is("London"))).await;
    let run_id = o.sync_now(sync, false).await;
    let admin = me(&o.app).await.expect("signed in");
    let before = o.run(run_id).await;
    assert_eq!(before.started_by_name, admin.user.name);

    // A second super user deletes the admin, who started the run.
    let second = o.app.other_browser();
    o.app.add_user(o.workspace, SECOND, Role::SuperUser).await;
    assert_eq!(second.sign_in(SECOND, MEMBER_PASSWORD).await.status(), 200);
    assert_eq!(
        act(&second, "delete_user", admin.user.id).await.status(),
        200
    );

    assert_eq!(me(&o.app).await, None, "the deleted user's session ended");
    assert_eq!(
        o.app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await.status(),
        401
    );
    let after = o.run(run_id).await;
    assert_eq!(
        after.started_by_name, admin.user.name,
        "history keeps the name"
    );
    let users: Vec<UserView> = second
        .call("list_users", &[])
        .await
        .json()
        .await
        .expect("users");
    assert!(users.iter().all(|u| u.email != ADMIN_EMAIL));

    let again = second
        .call(
            "add_user",
            &[
                ("email", ADMIN_EMAIL),
                ("name", "Ada Again"),
                ("role", "member"),
                ("password", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(again.status(), 200, "the email is free again");
}

#[tokio::test]
async fn someone_added_by_a_super_user_must_choose_their_own_password_first() {
    let app = spawn_app().await;
    app.sign_in_as_admin().await;
    let added = app
        .call(
            "add_user",
            &[
                ("email", "new@acme.example"),
                ("name", "New Person"),
                ("role", "member"),
                ("password", "chosen by the admin"),
            ],
        )
        .await;
    assert_eq!(added.status(), 200);
    let added: UserView = added.json().await.expect("user");
    assert!(added.must_change_password);

    let new = app.other_browser();
    let signed_in = new.sign_in("new@acme.example", "chosen by the admin").await;
    assert_eq!(signed_in.status(), 200);
    let signed_in: Me = signed_in.json().await.expect("me");
    assert!(signed_in.user.must_change_password);
    let refused = new.call("list_contacts", CONTACTS).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(api_error(refused).await, ApiError::PasswordChangeRequired);
    let page = new.get("/contacts").await;
    assert_eq!(page.status(), 303);
    assert_eq!(
        page.headers()["location"],
        "/account/password",
        "every page leads to the password page"
    );
    assert_eq!(new.get("/account/password").await.status(), 200);

    let changed = new
        .call(
            "change_password",
            &[
                ("current_password", "chosen by the admin"),
                ("new_password", "my very own password"),
                ("confirm_password", "my very own password"),
            ],
        )
        .await;
    assert_eq!(changed.status(), 200);
    let changed: Me = changed.json().await.expect("me");
    assert!(!changed.user.must_change_password);
    assert_eq!(new.call("list_contacts", CONTACTS).await.status(), 200);
    assert_eq!(
        app.other_browser()
            .sign_in("new@acme.example", "chosen by the admin")
            .await
            .status(),
        401,
        "the admin's password no longer works"
    );
}

#[tokio::test]
async fn changing_ones_password_needs_the_current_one_and_ends_the_other_sessions() {
    let (_app, member, _) = admin_and(Role::Member).await;
    let laptop = member.other_browser();
    assert_eq!(laptop.sign_in(SECOND, MEMBER_PASSWORD).await.status(), 200);
    let change = |current: &'static str, new: &'static str, confirm: &'static str| {
        let member = &member;
        async move {
            member
                .call(
                    "change_password",
                    &[
                        ("current_password", current),
                        ("new_password", new),
                        ("confirm_password", confirm),
                    ],
                )
                .await
        }
    };
    let cases = [
        (
            "a wrong password",
            "current_password",
            change(
                "wrong password!!",
                "a new long password",
                "a new long password",
            )
            .await,
        ),
        (
            "too short",
            "new_password",
            change(MEMBER_PASSWORD, "short", "short").await,
        ),
        (
            "not repeated",
            "confirm_password",
            change(
                MEMBER_PASSWORD,
                "a new long password",
                "a new long passw0rd",
            )
            .await,
        ),
        (
            "the same",
            "new_password",
            change(MEMBER_PASSWORD, MEMBER_PASSWORD, MEMBER_PASSWORD).await,
        ),
    ];
    for (case, field, response) in cases {
        assert_eq!(response.status(), 422, "{case}");
        assert_eq!(api_error(response).await.field(), Some(field), "{case}");
    }
    assert!(me(&laptop).await.is_some(), "nothing changed yet");

    let changed = change(
        MEMBER_PASSWORD,
        "a new long password",
        "a new long password",
    )
    .await;
    assert_eq!(changed.status(), 200);
    assert!(me(&member).await.is_some(), "this session carries on");
    assert_eq!(me(&laptop).await, None, "the other one ended");
    assert_eq!(laptop.sign_in(SECOND, MEMBER_PASSWORD).await.status(), 401);
    assert_eq!(
        laptop.sign_in(SECOND, "a new long password").await.status(),
        200
    );
}

#[tokio::test]
async fn a_password_reset_by_a_super_user_ends_sessions_and_must_be_replaced() {
    let (app, member, id) = admin_and(Role::Member).await;
    let reset = app
        .call(
            "reset_password",
            &[
                ("user_id", &id.to_string()),
                ("password", "temporary password 1"),
            ],
        )
        .await;
    assert_eq!(reset.status(), 200);
    let reset: UserView = reset.json().await.expect("user");
    assert!(reset.must_change_password);
    assert_eq!(me(&member).await, None);
    assert_eq!(member.sign_in(SECOND, MEMBER_PASSWORD).await.status(), 401);
    assert_eq!(
        member
            .sign_in(SECOND, "temporary password 1")
            .await
            .status(),
        200
    );
    assert_eq!(
        api_error(member.call("list_contacts", CONTACTS).await).await,
        ApiError::PasswordChangeRequired
    );
}

#[tokio::test]
async fn a_progress_stream_ends_when_its_user_is_disabled() {
    let o = org().await;
    o.add(&[("ada@example.com", "Ada", "Lovelace", "London")])
        .await;
    let sync = o.sync(&contact_sync(city_is("London"))).await;
    // No worker runs in tests: the run stays queued, so its stream would poll for ever.
    let run_id = o.sync_now(sync, false).await;
    let id = o.app.add_user(o.workspace, SECOND, Role::SuperUser).await;
    let second = o.app.other_browser();
    assert_eq!(second.sign_in(SECOND, MEMBER_PASSWORD).await.status(), 200);
    let stream = second.get(&format!("/crm/runs/{run_id}/events")).await;
    assert_eq!(stream.status(), 200);
    let mut stream = stream;
    let first = stream.chunk().await.expect("bytes").expect("an event");
    assert!(String::from_utf8_lossy(&first).contains("progress"));

    assert_eq!(act(&o.app, "disable_user", id).await.status(), 200);
    // The stream must end by itself; the bound only turns a hang into a failure.
    let rest = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while stream.chunk().await.expect("bytes").is_some() {}
    })
    .await;
    assert!(rest.is_ok(), "the stream ended once its user was disabled");
}
