//! A sign-in flood against the real server (issue #16): memory stays bounded, another user still signs in,
//! and the count of failures is exact.
//!
//! ```text
//! cargo run -p server --release --example sign_in_flood -- 500
//! ```
//! Starts the app on a temporary SQLite database (or `DATABASE_URL`), then:
//! 1. **one email**: N concurrent wrong sign-ins for the super user's email, from one address; meanwhile
//!    another user signs in with the right password, from their own address. Prints the answers by status, the failures the
//!    database counted, how long the other user's sign-in took, and the peak memory (VmHWM) above the
//!    process's size before the flood.
//! 2. **many emails, many addresses**: N concurrent wrong sign-ins, each for another email, each through
//!    a trusted proxy from another address (credential stuffing from a botnet); the other user signs in
//!    again, honouring `Retry-After` if the server is busy.
//!
//! Every figure comes from this run; nothing is asserted, so read the output (README, "Sign-in under a
//! flood").

use secrecy::SecretString;
use server::config::Settings;
use server::startup::Application;
use server::storage::people::UserRecord;
use shared::{EmailAddress, Role};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const VICTIM: &str = "admin@flood.example";
const VICTIM_PASSWORD: &str = "the admin's real password";
const OTHER: &str = "other@flood.example";
const OTHER_PASSWORD: &str = "the other user's password";
/// Everyone comes "through a proxy" on loopback that forwards their address; the honest user's own.
const HONEST_ADDRESS: &str = "192.0.2.10";
/// Phase 1's attacker.
const ATTACKER_ADDRESS: &str = "203.0.113.66";

/// A figure from `/proc/self/status`, in KiB.
fn proc_status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with(field))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse().ok())
        })
        .unwrap_or(0)
}

/// Resets the peak (VmHWM) to the current size, so the next reading is this phase's peak.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

struct Flood {
    client: reqwest::Client,
    base: String,
}

impl Flood {
    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        forwarded_for: Option<String>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}/api/sign_in", self.base))
            .form(&[("email", email), ("password", password)]);
        if let Some(address) = forwarded_for {
            request = request.header("x-forwarded-for", address);
        }
        request.send().await.expect("request sent")
    }

    /// The other user's correct sign-in, retried as a browser would after a 429 `Retry-After`; returns
    /// how long it took, and how many answers it got.
    async fn honest_sign_in(&self) -> (Duration, u32) {
        let start = Instant::now();
        let mut tries = 0;
        loop {
            tries += 1;
            let response = self
                .sign_in(OTHER, OTHER_PASSWORD, Some(HONEST_ADDRESS.into()))
                .await;
            match response.status().as_u16() {
                200 => return (start.elapsed(), tries),
                429 => {
                    let wait = response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(1);
                    tokio::time::sleep(Duration::from_secs(wait)).await;
                }
                other => panic!("the honest sign-in got {other}"),
            }
        }
    }

    /// Runs one flood beside the honest sign-in and prints what happened: the answers, how long the honest
    /// user took, and the peak memory above the process's size before the phase.
    async fn phase(&self, flood: impl std::future::Future<Output = BTreeMap<u16, usize>>) {
        let before = proc_status_kib("VmRSS:");
        reset_peak();
        let started = Instant::now();
        let (by_status, (honest, tries)) = tokio::join!(flood, self.honest_sign_in());
        println!(
            "  answers by status          {by_status:?} in {:.2} s",
            started.elapsed().as_secs_f64()
        );
        println!(
            "  other user's sign-in       {:.0} ms, {tries} answer(s)",
            honest.as_secs_f64() * 1000.0
        );
        println!(
            "  peak memory above start    {:.1} MiB (RSS {:.1} MiB before)",
            mib(proc_status_kib("VmHWM:").saturating_sub(before)),
            mib(before)
        );
    }

    /// `n` concurrent wrong sign-ins; `email_of(i)` and `address_of(i)` pick each one's email and
    /// forwarded address. Returns the answers counted by status.
    async fn wrong_sign_ins(
        &self,
        n: usize,
        email_of: impl Fn(usize) -> String,
        address_of: impl Fn(usize) -> Option<String>,
    ) -> BTreeMap<u16, usize> {
        let attempts = (0..n).map(|i| {
            let email = email_of(i);
            let address = address_of(i);
            async move {
                self.sign_in(&email, "a wrong guess of a password", address)
                    .await
                    .status()
                    .as_u16()
            }
        });
        let statuses = futures::future::join_all(attempts).await;
        let mut by_status = BTreeMap::new();
        for status in statuses {
            *by_status.entry(status).or_default() += 1;
        }
        by_status
    }
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500);
    let dir = tempfile::tempdir().expect("temp dir");
    let vars: BTreeMap<&str, String> = [
        ("KOMO_DATA_DIR", dir.path().display().to_string()),
        ("KOMO_ADDR", "127.0.0.1:0".into()),
        ("KOMO_ADMIN_EMAIL", VICTIM.into()),
        ("KOMO_ADMIN_PASSWORD", VICTIM_PASSWORD.into()),
        ("KOMO_WORKERS", "0".into()),
        // Phase 2 comes through "a proxy" on loopback, which forwards each client's address.
        ("KOMO_TRUSTED_PROXIES", "127.0.0.1".into()),
    ]
    .into_iter()
    .chain(
        std::env::var("DATABASE_URL")
            .ok()
            .map(|url| ("DATABASE_URL", url)),
    )
    .collect();
    let settings = Settings::from_lookup(|name| vars.get(name).cloned()).expect("bench settings");
    let app = Application::build(&settings).await.expect("app builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    let storage = app.storage().clone();
    let workspace = storage
        .first_workspace()
        .await
        .expect("query")
        .expect("workspace");
    let hash = server::auth::password::hash(SecretString::from(OTHER_PASSWORD))
        .await
        .expect("hash");
    storage
        .create_user(
            workspace,
            &UserRecord {
                email: &EmailAddress::parse(OTHER).expect("email"),
                name: "Other User",
                role: Role::Member,
                password_hash: &hash,
                must_change_password: false,
            },
        )
        .await
        .expect("user");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    let flood = Flood {
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(n)
            .build()
            .expect("client"),
        base,
    };
    // Warm up: one sign-in each way, so lazily built things (the dummy hash, pools) are not counted.
    let (warm, _) = flood.honest_sign_in().await;
    println!(
        "cores {}, {n} concurrent wrong sign-ins per phase; a lone sign-in takes {:.0} ms",
        std::thread::available_parallelism().map_or(0, std::num::NonZeroUsize::get),
        warm.as_secs_f64() * 1000.0
    );

    println!("\nphase 1: {n} wrong sign-ins for one email, from one address");
    flood
        .phase(flood.wrong_sign_ins(n, |_| VICTIM.into(), |_| Some(ATTACKER_ADDRESS.into())))
        .await;
    let counted = storage
        .sign_in_failures(&format!("email:{VICTIM}"))
        .await
        .expect("count");
    println!("  failures counted           {counted} (compare with the answers 401)");

    println!("\nphase 2: {n} wrong sign-ins, each for another email from another address");
    flood
        .phase(flood.wrong_sign_ins(
            n,
            |i| format!("guess{i}@flood.example"),
            |i| Some(format!("198.18.{}.{}", i / 250, i % 250 + 1)),
        ))
        .await;

    let _ = stop.send(());
    server.await.expect("server task").expect("server ran");
}
