//! `marketing-cloud-sim`: a local Marketing Cloud Engagement tenant for tests, demos and benchmarks.
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

use clap::Parser;
use marketing_cloud_sim::seed::{contact_fields, contact_row, CONTACTS_KEY};
use marketing_cloud_sim::{InstalledPackage, SimConfig, Simulator};
use std::io::Write;

/// A local Marketing Cloud tenant (see the crate README for the control API).
#[derive(Debug, Parser)]
#[command(name = "marketing-cloud-sim", version)]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Client id of the installed package the tenant accepts.
    #[arg(long, default_value = "sim-client-id")]
    client_id: String,
    /// Client secret of that package.
    #[arg(long, default_value = "sim-client-secret")]
    client_secret: String,
    /// The business unit (MID) that owns the package.
    #[arg(long, default_value_t = 100_000_001)]
    account_id: u64,
    /// A second business unit the package may also act in.
    #[arg(long)]
    second_account_id: Option<u64>,
    /// Put this many fake contacts into the ready `Contacts` data extension.
    #[arg(long, default_value_t = 0)]
    seed_rows: usize,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let sim = Simulator::start(SimConfig::default(), args.port).await?;
    let mut package = InstalledPackage::new(&args.client_id, &args.client_secret, args.account_id);
    package.mids.extend(args.second_account_id);
    sim.add_package(package);
    sim.add_business_unit(args.account_id, "Komo Demo");
    if let Some(mid) = args.second_account_id {
        sim.add_business_unit(mid, "Komo Demo (second unit)");
    }
    sim.create_extension(
        args.account_id,
        "Contacts",
        CONTACTS_KEY,
        contact_fields(),
        Some("ContactKey"),
    )?;
    let rows: Vec<_> = (0..args.seed_rows).map(contact_row).collect();
    for chunk in rows.chunks(10_000) {
        sim.seed_rows(args.account_id, CONTACTS_KEY, chunk);
    }
    let mut out = std::io::stdout().lock();
    // The first line is a contract: scripts wait for it and read the URL from it.
    writeln!(out, "listening on {}", sim.base_url())?;
    out.flush()?;
    drop(out);
    tokio::signal::ctrl_c().await?;
    Ok(())
}
