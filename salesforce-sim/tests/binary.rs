//! The binary's contract with scripts: its first stdout line names the URL.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Kills the simulator when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn launch(args: &[&str]) -> (Running, Vec<String>) {
    let child = Command::new(env!("CARGO_BIN_EXE_salesforce-sim"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let mut running = Running(child);
    let stdout = running.0.stdout.take().expect("stdout piped");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("a first line").expect("utf-8");
    let mut out = vec![first];
    if args.contains(&"--tls") {
        out.push(lines.next().expect("a second line").expect("utf-8"));
    }
    (running, out)
}

#[tokio::test]
async fn the_first_line_is_the_url_and_the_flags_take_effect() {
    let (_sim, lines) = launch(&[
        "--port",
        "0",
        "--client-id",
        "bin-id",
        "--client-secret",
        "bin-secret",
        "--seed-contacts",
        "25",
    ]);
    let url = lines[0]
        .strip_prefix("listening on ")
        .expect("first line format");
    let port: u16 = url
        .strip_prefix("http://127.0.0.1:")
        .expect("loopback http URL")
        .parse()
        .expect("port");
    assert_ne!(port, 0);
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{url}/services/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "bin-id"),
            ("client_secret", "bin-secret"),
        ])
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    let count: serde_json::Value = http
        .get(format!("{url}/services/data/v62.0/query"))
        .query(&[("q", "SELECT COUNT() FROM Contact")])
        .bearer_auth(token["access_token"].as_str().expect("token"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(count["totalSize"], 25);
}

#[tokio::test]
async fn tls_mode_announces_https_and_writes_the_certificate() {
    let dir = std::env::temp_dir().join(format!("sim-cert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cert_path = dir.join("cert.pem");
    let cert_arg = cert_path.to_string_lossy().to_string();
    let (_sim, lines) = launch(&["--tls", "--cert-out", &cert_arg]);
    let url = lines[0]
        .strip_prefix("listening on ")
        .expect("first line format");
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let pem = std::fs::read(&cert_path).expect("certificate written");
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("PEM"))
        .build()
        .expect("client");
    let versions = client
        .get(format!("{url}/services/data/"))
        .send()
        .await
        .expect("HTTPS works");
    assert_eq!(versions.status(), 200);
    let _ = std::fs::remove_dir_all(&dir);
}
