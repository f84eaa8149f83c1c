use crate::helpers::{CLIENT_ID, CLIENT_SECRET};
use salesforce_sim::{ConnectedApp, Listen, SimConfig, Simulator};

#[tokio::test]
async fn tls_mode_serves_https_with_its_self_signed_certificate() {
    let sim = Simulator::start_with(SimConfig::default(), Listen { port: 0, tls: true })
        .await
        .expect("starts");
    sim.add_app(ConnectedApp::new(CLIENT_ID, CLIENT_SECRET));
    assert!(sim.base_url().starts_with("https://127.0.0.1:"));
    let cert =
        reqwest::Certificate::from_pem(sim.cert_pem().expect("cert").as_bytes()).expect("PEM");
    let client = reqwest::Client::builder()
        .add_root_certificate(cert)
        .build()
        .expect("client");
    let resp = client
        .post(format!("{}/services/oauth2/token", sim.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ])
        .send()
        .await
        .expect("TLS handshake and request");
    assert_eq!(resp.status(), 200);
    // A client that does not trust the certificate is refused.
    assert!(reqwest::Client::new()
        .get(format!("{}/services/data/", sim.base_url()))
        .send()
        .await
        .is_err());
}
