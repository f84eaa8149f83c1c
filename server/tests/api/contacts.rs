//! Contacts through server functions: who may read them, and who may manage API tokens and properties.

use crate::contacts_storage::contact;
use crate::helpers::{api_error, spawn_app, MEMBER_PASSWORD};
use app::api::api_tokens::{ApiTokenView, CreatedApiToken};
use app::api::contacts::ContactDetail;
use app::error::ApiError;
use shared::contact::query::ContactPage;
use shared::Role;

#[tokio::test]
async fn a_member_pages_searches_and_opens_contacts_of_their_workspace() {
    let app = spawn_app().await;
    let acme = app.first_workspace().await;
    let globex = app.new_workspace("Globex").await;
    app.add_user(acme, "member@acme.example", Role::Member)
        .await;
    let ids = app
        .storage
        .upsert_contacts(
            acme,
            &[
                contact("ada@example.com", &[("first_name", "Ada")], &[]),
                contact("alan@example.com", &[("first_name", "Alan")], &[]),
            ],
        )
        .await
        .expect("acme contacts");
    let theirs = app
        .storage
        .upsert_contacts(globex, &[contact("grace@example.com", &[], &[])])
        .await
        .expect("globex contact");

    let signed_out = app
        .call(
            "list_contacts",
            &[("search", ""), ("sort", ""), ("after", "")],
        )
        .await;
    assert_eq!(signed_out.status(), 401);

    app.sign_in("member@acme.example", MEMBER_PASSWORD).await;
    let page: ContactPage = app
        .call(
            "list_contacts",
            &[("search", ""), ("sort", "email"), ("after", "")],
        )
        .await
        .json()
        .await
        .expect("page");
    assert_eq!(page.total, 2);
    assert_eq!(page.contacts[0].email.as_str(), "ada@example.com");
    let found: ContactPage = app
        .call(
            "list_contacts",
            &[("search", "Ala"), ("sort", "name"), ("after", "")],
        )
        .await
        .json()
        .await
        .expect("page");
    assert_eq!(found.total, 1);

    let detail: ContactDetail = app
        .call("get_contact", &[("contact_id", &ids[0].to_string())])
        .await
        .json()
        .await
        .expect("detail");
    assert_eq!(detail.contact.first_name, "Ada");

    let other = app
        .call("get_contact", &[("contact_id", &theirs[0].to_string())])
        .await;
    assert_eq!(
        other.status(),
        404,
        "another workspace's contact does not exist for us"
    );
    assert_eq!(api_error(other).await, ApiError::NotFound("Contact".into()));
}

#[tokio::test]
async fn only_super_users_manage_api_tokens_and_properties() {
    let app = spawn_app().await;
    let acme = app.first_workspace().await;
    app.add_user(acme, "member@acme.example", Role::Member)
        .await;
    app.add_user(acme, "admin2@acme.example", Role::Admin).await;
    let calls: [(&str, &[(&str, &str)]); 5] = [
        ("list_api_tokens", &[]),
        (
            "create_api_token",
            &[("name", "Komo feed"), ("expires_in_days", "")],
        ),
        ("revoke_api_token", &[("token_id", "1")]),
        (
            "add_contact_property",
            &[
                ("name", "shoe_size"),
                ("label", "Shoe size"),
                ("kind", "number"),
                ("choices", ""),
            ],
        ),
        ("delete_contact_property", &[("name", "shoe_size")]),
    ];
    for user in ["member@acme.example", "admin2@acme.example"] {
        let browser = app.other_browser();
        browser.sign_in(user, MEMBER_PASSWORD).await;
        for (function, form) in calls {
            let response = browser.call(function, form).await;
            assert_eq!(response.status(), 403, "{user} calling {function}");
        }
        let properties = browser.call("list_contact_properties", &[]).await;
        assert_eq!(
            properties.status(),
            200,
            "members may read the property list"
        );
    }
}

#[tokio::test]
async fn a_token_is_shown_once_listed_by_prefix_and_revocable() {
    let app = spawn_app().await;
    app.sign_in_as_admin().await;
    let blank = app
        .call(
            "create_api_token",
            &[("name", "  "), ("expires_in_days", "")],
        )
        .await;
    assert_eq!(blank.status(), 422);
    let created: CreatedApiToken = app
        .call(
            "create_api_token",
            &[("name", "Komo feed"), ("expires_in_days", "")],
        )
        .await
        .json()
        .await
        .expect("created");
    assert!(created.token.starts_with(&created.view.prefix));
    let listed: Vec<ApiTokenView> = app
        .call("list_api_tokens", &[])
        .await
        .json()
        .await
        .expect("list");
    assert_eq!(listed, std::slice::from_ref(&created.view));
    let listing = serde_json::to_string(&listed).expect("json");
    assert!(
        !listing.contains(&created.token),
        "the secret is never listed"
    );

    let revoked = app
        .call(
            "revoke_api_token",
            &[("token_id", &created.view.id.to_string())],
        )
        .await;
    assert_eq!(revoked.status(), 200);
    let again = app
        .call(
            "revoke_api_token",
            &[("token_id", &created.view.id.to_string())],
        )
        .await;
    assert_eq!(again.status(), 404);
}

#[tokio::test]
async fn a_super_user_defines_properties_with_clear_errors() {
    let app = spawn_app().await;
    app.sign_in_as_admin().await;
    let add = |name: &'static str, kind: &'static str, choices: &'static str| {
        let app = &app;
        async move {
            app.call(
                "add_contact_property",
                &[
                    ("name", name),
                    ("label", "Label"),
                    ("kind", kind),
                    ("choices", choices),
                ],
            )
            .await
        }
    };
    assert_eq!(
        add("tier", "single_choice", "Gold\nSilver").await.status(),
        200
    );
    let duplicate = add("tier", "text", "").await;
    assert_eq!(duplicate.status(), 422);
    assert_eq!(api_error(duplicate).await.field(), Some("name"));
    let reserved = add("email", "text", "").await;
    assert_eq!(api_error(reserved).await.field(), Some("name"));
    let no_choices = add("size", "single_choice", "").await;
    assert_eq!(api_error(no_choices).await.field(), Some("choices"));
    let deleted = app
        .call("delete_contact_property", &[("name", "tier")])
        .await;
    assert_eq!(deleted.status(), 200);
}
