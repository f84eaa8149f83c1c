use crate::helpers::{api_error, spawn_app, MEMBER_PASSWORD};
use app::api::crm::ConnectionSummary;
use app::error::ApiError;
use shared::{Role, UserView};

#[tokio::test]
async fn one_workspace_never_sees_another_workspaces_data() {
    let app = spawn_app().await;
    let acme = app.first_workspace().await;
    let globex = app.new_workspace("Globex").await;
    let globex_boss = app
        .add_user(globex, "boss@globex.example", Role::SuperUser)
        .await;
    app.add_user(globex, "staff@globex.example", Role::Member)
        .await;
    app.storage
        .create_connection(globex, "salesforce", "globex.my.salesforce.com")
        .await
        .expect("insert");
    app.storage
        .create_connection(acme, "salesforce", "acme.my.salesforce.com")
        .await
        .expect("insert");

    app.sign_in_as_admin().await;
    let users: Vec<UserView> = app
        .call("list_users", &[])
        .await
        .json()
        .await
        .expect("json");
    assert!(
        users.iter().all(|u| u.email.ends_with("@acme.example")),
        "{users:?}"
    );
    let connections: Vec<ConnectionSummary> = app
        .call("list_connections", &[])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        connections
            .iter()
            .map(|c| c.domain.as_str())
            .collect::<Vec<_>>(),
        ["acme.my.salesforce.com"]
    );

    // Acting on another workspace's user by id is indistinguishable from a user that does not exist.
    let response = app
        .call(
            "change_role",
            &[("user_id", &globex_boss.to_string()), ("role", "member")],
        )
        .await;
    assert_eq!(response.status(), 404);
    assert_eq!(api_error(response).await, ApiError::NotFound("User".into()));

    let globex_browser = app.other_browser();
    globex_browser
        .sign_in("boss@globex.example", MEMBER_PASSWORD)
        .await;
    let users: Vec<UserView> = globex_browser
        .call("list_users", &[])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(users.len(), 2);
    assert!(users.iter().all(|u| u.email.ends_with("@globex.example")));
    let me: Option<shared::Me> = globex_browser
        .call("me", &[])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me.expect("signed in").workspace.initials, "GL");
}

/// `add_user` must not tell one workspace's super user whether an email has an account in another: each
/// workspace's accounts are its own, and sign-in finds the one the password opens.
#[tokio::test]
async fn an_email_with_an_account_elsewhere_is_added_like_any_other() {
    let app = spawn_app().await;
    let globex = app.new_workspace("Globex").await;
    app.add_user(globex, "pat@shared.example", Role::Member)
        .await;

    app.sign_in_as_admin().await;
    let add = |password: &'static str| {
        let app = &app;
        async move {
            app.call(
                "add_user",
                &[
                    ("email", "Pat@Shared.example"),
                    ("name", "Pat"),
                    ("role", "member"),
                    ("password", password),
                ],
            )
            .await
        }
    };
    let added = add("chosen by acme's admin").await;
    assert_eq!(added.status(), 200, "nothing says Globex has a Pat");
    let again = add("another choice entirely").await;
    assert_eq!(again.status(), 422);
    assert_eq!(
        api_error(again).await,
        ApiError::Invalid {
            field: "email".into(),
            reason: "Email: this workspace already has a user with this email".into(),
        }
    );

    for (password, workspace) in [
        (MEMBER_PASSWORD, "Globex"),
        ("chosen by acme's admin", "Acme Events"),
    ] {
        let pat = app.other_browser();
        let signed_in = pat.sign_in("pat@shared.example", password).await;
        assert_eq!(signed_in.status(), 200, "{workspace}");
        let me: shared::Me = signed_in.json().await.expect("me");
        assert_eq!(me.workspace.name, workspace);
    }
    let wrong = app
        .other_browser()
        .sign_in("pat@shared.example", "neither")
        .await;
    assert_eq!(api_error(wrong).await, ApiError::WrongCredentials);
}
