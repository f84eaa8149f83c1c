//! Structured logs with `tracing`. `RUST_LOG` filters (default `info`); `KOMO_LOG_FORMAT=json` for log
//! shippers. Tests stay quiet unless `TEST_LOG` is set.

use crate::config::LogFormat;
use tracing_subscriber::{fmt, EnvFilter};

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    let builder = fmt().with_env_filter(filter).with_target(false);
    // `try_init`: a second call (several apps in one test process) keeps the first subscriber.
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}

/// Logs an internal failure with its whole cause chain under a short reference, and returns the
/// reference: the only part a user is shown. Server functions (`backend::internal`) and `/api/v1`
/// (`V1Error`) both report through here, so a reference a user quotes always finds the same log line.
pub fn report_internal(error: &dyn std::error::Error) -> String {
    let reference = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    tracing::error!(reference, error = chain, "request failed");
    reference
}
