use crate::helpers::{api_error, spawn_app, MEMBER_PASSWORD};
use app::api::crm::ConnectionSummary;
use app::error::ApiError;
use shared::{Role, UserView};

/// Every server function that only super users may call, with a valid body.
const SUPER_USER_CALLS: [(&str, &[(&str, &str)]); 28] = [
    ("list_connections", &[]),
    (
        "test_connection",
        &[
            ("domain", "acme.my.salesforce.com"),
            ("client_id", "id"),
            ("client_secret", "secret"),
        ],
    ),
    (
        "save_connection",
        &[
            ("domain", "acme.my.salesforce.com"),
            ("client_id", "id"),
            ("client_secret", "secret"),
        ],
    ),
    ("disconnect", &[("connection_id", "1")]),
    ("list_users", &[]),
    (
        "add_user",
        &[
            ("email", "new@acme.example"),
            ("name", "New"),
            ("role", "member"),
            ("password", "long enough password"),
        ],
    ),
    ("change_role", &[("user_id", "1"), ("role", "member")]),
    ("disable_user", &[("user_id", "1")]),
    ("enable_user", &[("user_id", "1")]),
    ("delete_user", &[("user_id", "1")]),
    ("sign_out_user", &[("user_id", "1")]),
    (
        "reset_password",
        &[("user_id", "1"), ("password", "long enough password")],
    ),
    ("list_syncs", &[]),
    (
        "create_sync",
        &[("connection_id", "1"), ("object", "Lead"), ("name", "x")],
    ),
    ("get_sync", &[("sync_id", "1")]),
    (
        "crm_fields",
        &[("sync_id", "1"), ("object", "Lead"), ("refresh", "true")],
    ),
    ("rename_sync", &[("sync_id", "1"), ("name", "x")]),
    ("set_sync_running", &[("sync_id", "1"), ("running", "true")]),
    ("duplicate_sync", &[("sync_id", "1")]),
    ("delete_sync", &[("sync_id", "1")]),
    ("sync_now", &[("sync_id", "1"), ("full_resync", "false")]),
    ("list_runs", &[("sync_id", "1"), ("before", "0")]),
    ("get_run", &[("run_id", "1")]),
    ("cancel_run", &[("run_id", "1")]),
    ("run_errors", &[("run_id", "1")]),
    // A bad filter too: the role is checked before the input is judged.
    (
        "run_log",
        &[("run_id", "1"), ("filter[outcome]", "nope"), ("after", "0")],
    ),
    ("retry_failed_rows", &[("run_id", "1")]),
    ("contact_syncs", &[("contact_id", "1")]),
];

/// The super-user functions whose input is JSON, with a filter and a configuration that are not ones: the
/// role is checked before the input is judged.
const SUPER_USER_JSON_CALLS: [(&str, &str); 2] = [
    ("count_matching", r#"{"filter": {}}"#),
    (
        "save_sync_config",
        r#"{"sync_id": 1, "base_version": 0, "config": {}}"#,
    ),
];

fn json_body(body: &str) -> serde_json::Value {
    serde_json::from_str(body).expect("JSON body")
}

/// The streamed routes beside the server functions, refused the same way.
const SUPER_USER_STREAMS: [&str; 2] = ["/crm/runs/1/events", "/crm/runs/1/results.csv"];

#[tokio::test]
async fn members_and_admins_are_refused_every_super_user_function_with_403() {
    let app = spawn_app().await;
    let workspace = app.first_workspace().await;
    for (role, address) in [
        (Role::Member, "member@acme.example"),
        (Role::Admin, "admin2@acme.example"),
    ] {
        app.add_user(workspace, address, role).await;
        let browser = app.other_browser();
        assert_eq!(
            browser.sign_in(address, MEMBER_PASSWORD).await.status(),
            200
        );
        for (function, form) in SUPER_USER_CALLS {
            let response = browser.call(function, form).await;
            assert_eq!(response.status(), 403, "{role:?} calling {function}");
            let error = api_error(response).await;
            assert_eq!(error, ApiError::super_users_only(), "{function}");
            assert!(
                error
                    .to_string()
                    .starts_with("Only super users can do this."),
                "{error}"
            );
        }
        for (function, body) in SUPER_USER_JSON_CALLS {
            let response = browser.call_json(function, &json_body(body)).await;
            assert_eq!(response.status(), 403, "{role:?} calling {function}");
            assert_eq!(api_error(response).await, ApiError::super_users_only());
        }
        for path in SUPER_USER_STREAMS {
            let response = browser.get(path).await;
            assert_eq!(response.status(), 403, "{role:?} reading {path}");
            assert_eq!(api_error(response).await, ApiError::super_users_only());
        }
    }
    // Nothing changed: the admin is still the only super user and no user was added.
    let users = app.storage.list_users(workspace).await.expect("users");
    assert_eq!(users.len(), 3);
    assert_eq!(
        users.iter().filter(|u| u.role == Role::SuperUser).count(),
        1
    );
}

#[tokio::test]
async fn a_member_with_bad_input_is_still_told_forbidden_first() {
    let app = spawn_app().await;
    let workspace = app.first_workspace().await;
    app.add_user(workspace, "member@acme.example", Role::Member)
        .await;
    app.sign_in("member@acme.example", MEMBER_PASSWORD).await;
    let response = app
        .call(
            "add_user",
            &[
                ("email", "nope"),
                ("name", ""),
                ("role", "x"),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn signed_out_callers_get_401() {
    let app = spawn_app().await;
    for (function, form) in SUPER_USER_CALLS {
        let response = app.call(function, form).await;
        assert_eq!(response.status(), 401, "{function}");
        assert_eq!(api_error(response).await, ApiError::Unauthenticated);
    }
    for (function, body) in SUPER_USER_JSON_CALLS {
        let response = app.call_json(function, &json_body(body)).await;
        assert_eq!(response.status(), 401, "{function}");
        assert_eq!(api_error(response).await, ApiError::Unauthenticated);
    }
}

#[tokio::test]
async fn a_super_user_sees_the_crm_connections() {
    let app = spawn_app().await;
    let workspace = app.first_workspace().await;
    app.storage
        .create_connection(workspace, "salesforce", "acme.my.salesforce.com")
        .await
        .expect("insert");
    app.sign_in_as_admin().await;
    let response = app.call("list_connections", &[]).await;
    assert_eq!(response.status(), 200);
    let connections: Vec<ConnectionSummary> = response.json().await.expect("json");
    assert_eq!(connections.len(), 1);
    assert_eq!(connections[0].domain, "acme.my.salesforce.com");
}

#[tokio::test]
async fn a_super_user_adds_a_user_who_can_then_sign_in() {
    let app = spawn_app().await;
    app.sign_in_as_admin().await;
    let response = app
        .call(
            "add_user",
            &[
                ("email", "Grace@Acme.example"),
                ("name", "Grace Hopper"),
                ("role", "admin"),
                ("password", "compilers are fun"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let added: UserView = response.json().await.expect("json");
    assert_eq!(added.email, "grace@acme.example");
    assert_eq!(added.role, Role::Admin);

    let grace = app.other_browser();
    assert_eq!(
        grace
            .sign_in("grace@acme.example", "compilers are fun")
            .await
            .status(),
        200
    );

    let users: Vec<UserView> = app
        .call("list_users", &[])
        .await
        .json()
        .await
        .expect("json");
    assert!(users.iter().any(|u| u.email == "grace@acme.example"));
}

#[tokio::test]
async fn adding_a_user_names_the_bad_field_and_saves_nothing() {
    let app = spawn_app().await;
    app.sign_in_as_admin().await;
    let cases = [
        (
            ("bad-email", "Name", "member", "long enough password"),
            "email",
        ),
        (
            ("ok@acme.example", "  ", "member", "long enough password"),
            "name",
        ),
        (
            ("ok@acme.example", "Name", "owner", "long enough password"),
            "role",
        ),
        (("ok@acme.example", "Name", "member", "short"), "password"),
        (
            (
                "ADMIN@acme.example",
                "Name",
                "member",
                "long enough password",
            ),
            "email",
        ),
    ];
    for ((email, name, role, password), field) in cases {
        let response = app
            .call(
                "add_user",
                &[
                    ("email", email),
                    ("name", name),
                    ("role", role),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(response.status(), 422, "{email} {name} {role}");
        let error = api_error(response).await;
        assert_eq!(error.field(), Some(field), "{error}");
    }
    let workspace = app.first_workspace().await;
    assert_eq!(
        app.storage
            .list_users(workspace)
            .await
            .expect("users")
            .len(),
        1
    );
}

#[tokio::test]
async fn a_super_user_changes_roles_but_never_removes_the_last_super_user() {
    let app = spawn_app().await;
    let workspace = app.first_workspace().await;
    let member = app
        .add_user(workspace, "member@acme.example", Role::Member)
        .await;
    app.sign_in_as_admin().await;

    let me: shared::Me = app
        .call("me", &[])
        .await
        .json::<Option<shared::Me>>()
        .await
        .expect("json")
        .expect("me");
    let demote_self = app
        .call(
            "change_role",
            &[("user_id", &me.user.id.to_string()), ("role", "member")],
        )
        .await;
    assert_eq!(demote_self.status(), 409);
    assert!(api_error(demote_self)
        .await
        .to_string()
        .contains("at least one super user"));

    let promoted = app
        .call(
            "change_role",
            &[("user_id", &member.to_string()), ("role", "super_user")],
        )
        .await;
    assert_eq!(promoted.status(), 200);
    assert_eq!(
        promoted.json::<UserView>().await.expect("json").role,
        Role::SuperUser
    );

    // Now there are two, so the admin may step down; the change applies to their very next call.
    let demoted = app
        .call(
            "change_role",
            &[("user_id", &me.user.id.to_string()), ("role", "member")],
        )
        .await;
    assert_eq!(demoted.status(), 200);
    assert_eq!(app.call("list_users", &[]).await.status(), 403);
}
