//! `salesforce-sim`: a local Salesforce org for browser tests, demos and benchmarks.
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

use clap::Parser;
use salesforce_sim::{ConnectedApp, Listen, SimConfig, Simulator};
use std::io::Write;
use std::path::PathBuf;

/// A local Salesforce org (see the crate README for the control API).
#[derive(Debug, Parser)]
#[command(name = "salesforce-sim", version)]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Consumer key of a connected app the org accepts.
    #[arg(long, default_value = "sim-client-id")]
    client_id: String,
    /// Consumer secret of that app.
    #[arg(long, default_value = "sim-client-secret")]
    client_secret: String,
    /// Insert this many deterministic fake contacts at startup.
    #[arg(long, default_value_t = 0)]
    seed_contacts: usize,
    /// Serve HTTPS with a self-signed certificate, written to --cert-out.
    #[arg(long)]
    tls: bool,
    /// Where --tls writes the certificate (PEM).
    #[arg(long, default_value = "salesforce-sim-cert.pem")]
    cert_out: PathBuf,
    /// Daily API allowance (DailyApiRequests.Max).
    #[arg(long, default_value_t = 100_000)]
    daily_api_allowance: u64,
    /// Token idle timeout in seconds.
    #[arg(long, default_value_t = 7200)]
    token_idle_secs: u64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let config = SimConfig {
        daily_api_allowance: args.daily_api_allowance,
        token_idle_timeout: std::time::Duration::from_secs(args.token_idle_secs),
        ..SimConfig::default()
    };
    let sim = Simulator::start_with(
        config,
        Listen {
            port: args.port,
            tls: args.tls,
        },
    )
    .await?;
    sim.add_app(ConnectedApp::new(&args.client_id, &args.client_secret));
    if args.seed_contacts > 0 {
        sim.seed_contacts(args.seed_contacts)
            .map_err(|e| e.message)?;
    }
    if let Some(pem) = sim.cert_pem() {
        std::fs::write(&args.cert_out, pem)?;
    }
    let mut out = std::io::stdout().lock();
    // The first line is a contract: scripts wait for it and read the URL from it.
    writeln!(out, "listening on {}", sim.base_url())?;
    if args.tls {
        writeln!(out, "certificate written to {}", args.cert_out.display())?;
    }
    out.flush()?;
    drop(out);
    tokio::signal::ctrl_c().await?;
    Ok(())
}
