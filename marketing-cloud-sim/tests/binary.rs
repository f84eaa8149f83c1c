//! The binary's contract with scripts: its first stdout line names the URL, and its flags take effect.

use serde_json::{json, Value};
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

#[tokio::test]
async fn the_first_line_is_the_url_and_the_seeded_contacts_are_there_for_the_package() {
    let child = Command::new(env!("CARGO_BIN_EXE_marketing-cloud-sim"))
        .args([
            "--port",
            "0",
            "--client-id",
            "bin-id",
            "--client-secret",
            "bin-secret",
            "--account-id",
            "7281698",
            "--second-account-id",
            "7281699",
            "--seed-rows",
            "25",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let mut running = Running(child);
    let stdout = running.0.stdout.take().expect("stdout piped");
    let first = BufReader::new(stdout)
        .lines()
        .next()
        .expect("a first line")
        .expect("utf-8");
    let url = first
        .strip_prefix("listening on http://127.0.0.1:")
        .map(|port| format!("http://127.0.0.1:{port}"))
        .unwrap_or_else(|| panic!("first line format: {first}"));
    let http = reqwest::Client::new();
    let token = |mid: u64| {
        http.post(format!("{url}/v2/token"))
            .json(
                &json!({"grant_type": "client_credentials", "client_id": "bin-id",
                          "client_secret": "bin-secret", "account_id": mid}),
            )
            .send()
    };
    let answer: Value = token(7_281_698)
        .await
        .expect("token")
        .json()
        .await
        .expect("JSON");
    let access = answer["access_token"].as_str().expect("a token");
    let page: Value = http
        .get(format!(
            "{url}/data/v1/customobjectdata/key/Contacts/rowset?$pagesize=1"
        ))
        .bearer_auth(access)
        .send()
        .await
        .expect("rowset")
        .json()
        .await
        .expect("JSON");
    assert_eq!(page["count"], 25);
    let second = token(7_281_699).await.expect("token");
    assert_eq!(
        second.status().as_u16(),
        200,
        "the second unit is the package's too"
    );
    let third = token(7_281_700).await.expect("token");
    assert_eq!(third.status().as_u16(), 401);
}
