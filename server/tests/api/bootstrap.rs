use crate::helpers::TestDb;
use secrecy::ExposeSecret;
use server::auth::password;
use server::bootstrap::ensure_first_workspace;
use server::config::Settings;
use server::storage::Storage;

fn bootstrap_settings(vars: &[(&str, &str)]) -> Settings {
    let vars: std::collections::HashMap<&str, &str> = vars.iter().copied().collect();
    Settings::from_lookup(|name| vars.get(name).map(|v| (*v).to_owned())).expect("settings")
}

#[tokio::test]
async fn without_a_configured_password_one_is_generated_shown_once_and_works() {
    let db = TestDb::new().await;
    let storage = Storage::connect(&db.url).await.expect("storage");
    let settings = bootstrap_settings(&[("KOMO_ADMIN_EMAIL", "boss@acme.example")]);

    let first = ensure_first_workspace(&storage, &settings.bootstrap)
        .await
        .expect("bootstrap")
        .expect("first start");
    let generated = first.generated_password.expect("a generated password");
    assert!(generated.expose_secret().len() >= shared::MIN_PASSWORD_LEN);

    let stored = storage
        .find_credentials(
            &shared::EmailAddress::parse("boss@acme.example").expect("email"),
            1,
        )
        .await
        .expect("query")
        .into_iter()
        .next()
        .expect("super user created");
    assert_ne!(
        stored.password_hash,
        generated.expose_secret(),
        "only a hash is stored"
    );
    assert!(password::verify(generated, Some(stored.password_hash))
        .await
        .expect("verify"));

    let again = ensure_first_workspace(&storage, &settings.bootstrap)
        .await
        .expect("bootstrap");
    assert!(
        again.is_none(),
        "a second start creates nothing and shows no password"
    );
    assert_eq!(storage.count_workspaces().await.expect("count"), 1);
}

#[tokio::test]
async fn a_configured_password_is_used_and_never_echoed() {
    let db = TestDb::new().await;
    let storage = Storage::connect(&db.url).await.expect("storage");
    let settings = bootstrap_settings(&[("KOMO_ADMIN_PASSWORD", "a configured password")]);
    let first = ensure_first_workspace(&storage, &settings.bootstrap)
        .await
        .expect("bootstrap")
        .expect("first start");
    assert!(first.generated_password.is_none());
    let me = storage
        .find_credentials(&settings.bootstrap.admin_email, 1)
        .await
        .expect("query")
        .into_iter()
        .next()
        .expect("created");
    let member = storage
        .find_member(me.user_id)
        .await
        .expect("query")
        .expect("member");
    assert_eq!(member.user.role, shared::Role::SuperUser);
    assert_eq!(member.workspace.name, "Komo Demo");
}
