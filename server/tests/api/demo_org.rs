//! The demo's org: with `KOMO_DEMO_SALESFORCE_URL` set, a start connects the first workspace to that
//! simulator and fills it with the first demo contacts (older titles), once; a URL the operator did not
//! also allow is refused at start-up, naming the variable.

use crate::helpers::spawn_app_with;
use app::api::crm::{ConnectionStatus, ConnectionSummary};
use salesforce_sim::{ConnectedApp, SimConfig, Simulator};
use server::config::Settings;
use server::demo::org::OVERLAP;

#[tokio::test]
async fn a_start_connects_the_demo_org_and_fills_it_once_with_overlapping_contacts() {
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("simulator");
    sim.add_app(ConnectedApp::new("sim-client-id", "sim-client-secret"));
    let url = sim.base_url().to_owned();
    let app = spawn_app_with(&[
        ("KOMO_SALESFORCE_EXTRA_ORIGINS", &url),
        ("KOMO_DEMO_SALESFORCE_URL", &url),
    ])
    .await;
    app.sign_in_as_admin().await;
    let connections: Vec<ConnectionSummary> = app
        .call("list_connections", &[])
        .await
        .json()
        .await
        .expect("connections");
    assert_eq!(connections.len(), 1);
    assert_eq!(connections[0].domain, url);
    assert_eq!(connections[0].status, ConnectionStatus::Connected);

    let records = sim.records("Contact");
    assert_eq!(records.len(), OVERLAP);
    let demo = server::demo::demo_contacts(3);
    for contact in &demo {
        let email = contact.email.as_str();
        let record = records
            .iter()
            .find(|r| r["Email"] == email)
            .unwrap_or_else(|| panic!("{email} is in the org"));
        assert_eq!(record["Title"], "Previous title");
    }

    // Another start finds both in place: no second connection, no second set of records.
    let app = app.restart().await;
    app.sign_in_as_admin().await;
    let again: Vec<ConnectionSummary> = app
        .call("list_connections", &[])
        .await
        .json()
        .await
        .expect("connections");
    assert_eq!(again.len(), 1);
    assert_eq!(sim.records("Contact").len(), OVERLAP);
}

#[test]
fn a_demo_org_not_also_allowed_is_refused_naming_the_variable() {
    let vars = [("KOMO_DEMO_SALESFORCE_URL", "http://127.0.0.1:3190")];
    let error = Settings::from_lookup(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    })
    .expect_err("refused");
    let message = error.to_string();
    assert!(message.contains("KOMO_DEMO_SALESFORCE_URL"), "{message}");
    assert!(
        message.contains("KOMO_SALESFORCE_EXTRA_ORIGINS"),
        "{message}"
    );
}
