use crate::helpers::spawn_app;
use shared::Me;

#[tokio::test]
async fn a_session_survives_a_server_restart() {
    let app = spawn_app().await;
    app.sign_in_as_admin().await;
    let before: Option<Me> = app.call("me", &[]).await.json().await.expect("json");
    assert!(before.is_some());

    let app = app.restart().await;
    let after: Option<Me> = app.call("me", &[]).await.json().await.expect("json");
    assert_eq!(
        after, before,
        "same person, still signed in, on a new server process"
    );
    assert_eq!(app.call("list_connections", &[]).await.status(), 200);
}

#[tokio::test]
async fn a_restart_does_not_create_a_second_workspace() {
    let app = spawn_app().await;
    let app = app.restart().await;
    assert_eq!(app.storage.count_workspaces().await.expect("count"), 1);
}

#[tokio::test]
async fn two_servers_on_one_database_share_sessions() {
    let first = spawn_app().await;
    let second = first.another_instance().await;
    assert_ne!(first.address, second.address);
    first.sign_in_as_admin().await;
    let me: Option<Me> = second.call("me", &[]).await.json().await.expect("json");
    assert!(
        me.is_some(),
        "signed in on one instance, recognised by the other"
    );
    second.call("sign_out", &[]).await;
    let gone: Option<Me> = first.call("me", &[]).await.json().await.expect("json");
    assert!(
        gone.is_none(),
        "signed out on one instance, signed out on both"
    );
}
