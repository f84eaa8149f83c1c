//! The server binary as a child process, followed through its JSON log on stdout.

use serde_json::Value;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::sync::mpsc;

/// Longest a test follows the log for one event before it gives up: a bound on a hung server, not a
/// wait for something to happen.
const PATIENCE: Duration = Duration::from_secs(300);

pub struct ServerProcess {
    pub name: String,
    pub base: String,
    child: Child,
    lines: mpsc::UnboundedReceiver<Value>,
}

/// A log line's message (`fields.message`).
pub fn message(line: &Value) -> &str {
    line["fields"]["message"].as_str().unwrap_or_default()
}

/// A numeric field of a log line.
pub fn field(line: &Value, name: &str) -> Option<i64> {
    line["fields"][name].as_i64()
}

impl ServerProcess {
    /// Starts `target/…/server` with `env` (on top of a cleared `RUST_LOG`, JSON logs) and waits for its
    /// "listening" line.
    pub async fn start(name: &str, env: &[(String, String)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("KOMO_LOG_FORMAT", "json")
            .env("RUST_LOG", "info,sqlx=warn,tower_sessions=warn")
            .env("KOMO_ADDR", "127.0.0.1:0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command.spawn().expect("the server binary starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::unbounded_channel();
        // A thread of its own reads the pipe (std's pipes block), so the test's runtime never does.
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // The first start's sign-in box is plain text; only JSON lines are events.
                if let Ok(value) = serde_json::from_str::<Value>(&line) {
                    if tx.send(value).is_err() {
                        break;
                    }
                }
            }
        });
        let mut server = ServerProcess {
            name: name.to_owned(),
            base: String::new(),
            child,
            lines,
        };
        let listening = server
            .next("listening", |l| message(l) == "listening")
            .await;
        server.base = listening["fields"]["url"]
            .as_str()
            .expect("listening url")
            .to_owned();
        server
    }

    /// The next log line for which `wanted` holds, skipping the others.
    pub async fn next(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let name = self.name.clone();
        let found = tokio::time::timeout(PATIENCE, async {
            while let Some(line) = self.lines.recv().await {
                if wanted(&line) {
                    return Some(line);
                }
            }
            None
        })
        .await;
        match found {
            Ok(Some(line)) => line,
            Ok(None) => panic!("{name} exited before logging {what}"),
            Err(_) => panic!("{name} did not log {what} within {PATIENCE:?}"),
        }
    }

    /// The next line with `message` about run `run_id`.
    pub async fn next_for_run(&mut self, run_id: i64, wanted_message: &str) -> Value {
        self.next(&format!("{wanted_message:?} for run {run_id}"), |l| {
            message(l) == wanted_message && field(l, "run_id") == Some(run_id)
        })
        .await
    }

    /// SIGKILL: no shutdown, no lease given back, nothing flushed. Returns once the process is gone.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL delivered");
        self.child.wait().expect("the killed server is reaped");
    }
}

impl Drop for ServerProcess {
    /// A failing test leaves no server behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
