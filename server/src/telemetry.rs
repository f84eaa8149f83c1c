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
