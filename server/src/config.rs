//! Settings, read once from environment variables at start-up. A bad value stops the server with a
//! message that names the variable; nothing reads the environment after this.

use secrecy::SecretString;
use shared::{EmailAddress, WorkspaceName};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug)]
pub struct Settings {
    /// `sqlite:` (default, under the data directory) or `postgres://`.
    pub database_url: String,
    /// Where the SQLite database and other local files live.
    pub data_dir: PathBuf,
    /// Address to listen on; port 0 picks a free one (tests).
    pub addr: SocketAddr,
    /// Where cargo-leptos put the WASM bundle, CSS and assets.
    pub site_root: String,
    /// The address people use to reach the app. `https://` makes the session cookie `Secure`.
    pub public_url: Option<url::Url>,
    /// Komo origins allowed to show the app in an iframe; every other origin is refused.
    pub frame_ancestors: Vec<String>,
    /// `KOMO_TRUSTED_PROXIES`: addresses of reverse proxies in front of the app. Only for a request from
    /// one of them is `X-Forwarded-For` believed (`http::client_address`); from anyone else it is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub session_idle: Duration,
    /// `KOMO_PROGRESS_QUEUED_PATIENCE_SECS` (default 900): a run's progress stream ends once the run has
    /// sat this long in the queue, instead of polling for ever when no worker takes runs.
    pub progress_patience: Duration,
    /// `KOMO_API_BULK_CONCURRENCY` (default 4): bulk contact requests read and saved at once per instance;
    /// more are answered 429 with `Retry-After`.
    pub api_bulk_concurrency: usize,
    pub log_format: LogFormat,
    pub bootstrap: Bootstrap,
    /// `KOMO_SECRET_KEY` / `KOMO_SECRET_KEY_PREVIOUS`: see `crypto.rs`. Unset: a key file in the data dir.
    pub secret_key: Option<SecretString>,
    pub secret_key_previous: Option<SecretString>,
    pub salesforce: SalesforceSettings,
    pub push: PushSettings,
    /// `KOMO_DEMO_SALESFORCE_URL` and its client: the simulator `./scripts/run` starts (demo only).
    pub demo_org: Option<crate::demo::org::DemoOrg>,
}

/// The push engine (`engine::worker`).
#[derive(Debug, Clone)]
pub struct PushSettings {
    /// Background workers per instance (`KOMO_WORKERS`, default 1); 0 runs none, so nothing here pushes
    /// (another instance sharing the database may). Tests use 0 and drive the engine themselves.
    pub workers: usize,
    /// Rows a run writes before it switches from sObject Collections to Bulk API 2.0
    /// (`KOMO_PUSH_BULK_THRESHOLD`, default 2,000: Salesforce's own guidance, doc §6). A run selecting
    /// more contacts than this goes the Bulk way (`engine::bulk`): its writes are staged and each kind of
    /// write above this many rows goes as Bulk ingest jobs, the rest through Collections.
    pub bulk_threshold: u64,
    /// Largest CSV one Bulk ingest job uploads (`KOMO_PUSH_BULK_JOB_BYTES`, default 100,000,000): Salesforce
    /// takes 150 MB per job after base64 (doc §6.1), so about 100 MB raw. More rows go in further jobs.
    pub bulk_job_bytes: u64,
    /// Share of the org's daily API allowance a run must leave untouched (`KOMO_PUSH_API_RESERVE_PERCENT`,
    /// default 10). 0 skips the check: the run goes until Salesforce refuses, then pauses.
    pub api_reserve_percent: u8,
    /// Contacts read, decided, written and recorded per batch (`KOMO_PUSH_BATCH_SIZE`, default 2,000).
    /// A batch is also the unit of cancel and of what a worker that dies has to redo.
    pub batch_size: u32,
}

impl Default for PushSettings {
    fn default() -> Self {
        Self {
            workers: 1,
            bulk_threshold: 2_000,
            bulk_job_bytes: 100_000_000,
            api_reserve_percent: 10,
            batch_size: 2_000,
        }
    }
}

#[derive(Debug)]
pub struct SalesforceSettings {
    /// Exact origins allowed besides real Salesforce hosts (`KOMO_SALESFORCE_EXTRA_ORIGINS`): how tests and
    /// the demo reach the simulator. Empty, the safe default, in production.
    pub extra_origins: Vec<String>,
    /// A PEM file of an extra root certificate to trust (`KOMO_SALESFORCE_CA_FILE`): the simulator's
    /// self-signed one.
    pub ca_file: Option<PathBuf>,
    /// Multiplies every retry backoff and Bulk poll delay (`KOMO_SALESFORCE_BACKOFF_SCALE`, default 1).
    /// Tests set 0 so they never wait; production leaves it alone.
    pub backoff_scale: f64,
}

/// The first workspace and super user, created on first start when the database has none.
#[derive(Debug)]
pub struct Bootstrap {
    pub workspace_name: WorkspaceName,
    pub admin_email: EmailAddress,
    pub admin_name: String,
    /// `None`: a password is generated and printed once.
    pub admin_password: Option<SecretString>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{var}: {reason} (got {value:?})")]
pub struct ConfigError {
    pub var: &'static str,
    pub value: String,
    pub reason: String,
}

impl Settings {
    /// # Errors
    /// The first variable whose value is unusable, named.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can pass their own variables.
    ///
    /// # Errors
    /// The first variable whose value is unusable, named.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        // In the order the variables are checked, so the first bad one is the one named.
        let data_dir = PathBuf::from(get("KOMO_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = database_url(&get, &data_dir)?;
        let addr = listen_addr(&get)?;
        let public_url = get("KOMO_PUBLIC_URL")
            .map(|raw| parse_origin("KOMO_PUBLIC_URL", &raw))
            .transpose()?;
        require_public_url_off_loopback(addr, public_url.as_ref())?;
        let frame_ancestors = origin_list(&get, "KOMO_FRAME_ANCESTORS")?;
        let trusted_proxies = address_list(&get, "KOMO_TRUSTED_PROXIES")?;
        let session_idle = session_idle(&get)?;
        let progress_patience = progress_patience(&get)?;
        let api_bulk_concurrency = api_bulk_concurrency(&get)?;
        let log_format = log_format(&get)?;
        let bootstrap = Bootstrap::from_lookup(&get)?;
        let salesforce = SalesforceSettings::from_lookup(&get)?;
        let push = push_settings(&get)?;
        let demo_org = demo_org(&get, &salesforce.extra_origins)?;
        Ok(Settings {
            push,
            demo_org,
            secret_key: get("KOMO_SECRET_KEY").map(SecretString::from),
            secret_key_previous: get("KOMO_SECRET_KEY_PREVIOUS").map(SecretString::from),
            salesforce,
            database_url,
            data_dir,
            addr,
            site_root: get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            public_url,
            frame_ancestors,
            trusted_proxies,
            session_idle,
            progress_patience,
            api_bulk_concurrency,
            log_format,
            bootstrap,
        })
    }

    /// Cookies get `Secure` only when people reach us over HTTPS; a browser drops Secure cookies on http.
    pub fn serves_https(&self) -> bool {
        self.public_url
            .as_ref()
            .is_some_and(|u| u.scheme() == "https")
    }
}

impl SalesforceSettings {
    fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Ok(SalesforceSettings {
            extra_origins: origin_list(get, "KOMO_SALESFORCE_EXTRA_ORIGINS")?,
            ca_file: ca_file(get)?,
            backoff_scale: backoff_scale(get)?,
        })
    }
}

/// `DATABASE_URL`, or a SQLite file in the data directory.
fn database_url(
    get: &impl Fn(&str) -> Option<String>,
    data_dir: &std::path::Path,
) -> Result<String, ConfigError> {
    match get("DATABASE_URL") {
        Some(url) => parse_database_url(&url),
        None => Ok(format!(
            "sqlite://{}",
            data_dir.join("komo-sync.db").display()
        )),
    }
}

/// `KOMO_ADDR`, else Leptos's `LEPTOS_SITE_ADDR`, else `127.0.0.1:3000`.
/// Listening where others can reach us needs `KOMO_PUBLIC_URL`: whether the session cookie is `Secure`
/// follows from it, and behind a TLS-terminating proxy the app itself only ever sees plain http. Without
/// it such a start would hand out cookies a browser sends in clear; so it refuses to start instead.
fn require_public_url_off_loopback(
    addr: SocketAddr,
    public_url: Option<&url::Url>,
) -> Result<(), ConfigError> {
    if addr.ip().is_loopback() || public_url.is_some() {
        return Ok(());
    }
    Err(invalid(
        "KOMO_PUBLIC_URL",
        "",
        &format!(
            "required when listening on {addr}, which others can reach: set it to the address people use \
             (https://… behind a TLS proxy makes the session cookie Secure; http://… only on a trusted network)"
        ),
    ))
}

fn listen_addr(get: &impl Fn(&str) -> Option<String>) -> Result<SocketAddr, ConfigError> {
    let var = if get("KOMO_ADDR").is_some() {
        "KOMO_ADDR"
    } else {
        "LEPTOS_SITE_ADDR"
    };
    let raw = get(var).unwrap_or_else(|| "127.0.0.1:3000".into());
    raw.parse()
        .map_err(|_| invalid(var, &raw, "expected host:port, e.g. 127.0.0.1:3000"))
}

/// A list of origins separated by commas or spaces, each normalised (`https://HUB.komo.tech:8443` →
/// `https://hub.komo.tech:8443`); unset is empty.
fn origin_list(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
) -> Result<Vec<String>, ConfigError> {
    let Some(raw) = get(var) else {
        return Ok(Vec::new());
    };
    raw.split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(|origin| parse_origin(var, origin).map(|url| url.origin().ascii_serialization()))
        .collect()
}

/// A list of IP addresses separated by commas or spaces; unset is empty.
fn address_list(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
) -> Result<Vec<std::net::IpAddr>, ConfigError> {
    let Some(raw) = get(var) else {
        return Ok(Vec::new());
    };
    raw.split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(|address| {
            address
                .parse()
                .map_err(|_| invalid(var, address, "expected IP addresses, e.g. 10.0.0.2, ::1"))
        })
        .collect()
}

fn session_idle(get: &impl Fn(&str) -> Option<String>) -> Result<Duration, ConfigError> {
    let Some(raw) = get("KOMO_SESSION_IDLE_MINUTES") else {
        return Ok(Duration::from_secs(12 * 60 * 60));
    };
    match raw.parse::<u64>() {
        Ok(minutes) if minutes > 0 => Ok(Duration::from_secs(minutes * 60)),
        _ => Err(invalid(
            "KOMO_SESSION_IDLE_MINUTES",
            &raw,
            "expected a whole number of minutes > 0",
        )),
    }
}

/// A number from `var` within `min..=max`, `default` when unset; `expected` names the range when not.
fn number<T: std::str::FromStr + PartialOrd + Copy>(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: T,
    min: T,
    max: T,
    expected: &str,
) -> Result<T, ConfigError> {
    match get(var) {
        None => Ok(default),
        Some(raw) => match raw.trim().parse::<T>() {
            Ok(v) if v >= min && v <= max => Ok(v),
            _ => Err(invalid(var, &raw, expected)),
        },
    }
}

fn progress_patience(get: &impl Fn(&str) -> Option<String>) -> Result<Duration, ConfigError> {
    let seconds = number(
        get,
        "KOMO_PROGRESS_QUEUED_PATIENCE_SECS",
        15 * 60,
        0,
        u64::MAX,
        "expected a whole number of seconds",
    )?;
    Ok(Duration::from_secs(seconds))
}

fn api_bulk_concurrency(get: &impl Fn(&str) -> Option<String>) -> Result<usize, ConfigError> {
    number(
        get,
        "KOMO_API_BULK_CONCURRENCY",
        4,
        1,
        usize::MAX,
        "expected a whole number > 0",
    )
}

fn log_format(get: &impl Fn(&str) -> Option<String>) -> Result<LogFormat, ConfigError> {
    match get("KOMO_LOG_FORMAT").as_deref() {
        None | Some("pretty") => Ok(LogFormat::Pretty),
        Some("json") => Ok(LogFormat::Json),
        Some(other) => Err(invalid("KOMO_LOG_FORMAT", other, "expected pretty or json")),
    }
}

fn ca_file(get: &impl Fn(&str) -> Option<String>) -> Result<Option<PathBuf>, ConfigError> {
    let ca_file = get("KOMO_SALESFORCE_CA_FILE").map(PathBuf::from);
    if let Some(path) = &ca_file {
        if !path.is_file() {
            return Err(invalid(
                "KOMO_SALESFORCE_CA_FILE",
                &path.display().to_string(),
                "no such file",
            ));
        }
    }
    Ok(ca_file)
}

fn backoff_scale(get: &impl Fn(&str) -> Option<String>) -> Result<f64, ConfigError> {
    let Some(raw) = get("KOMO_SALESFORCE_BACKOFF_SCALE") else {
        return Ok(1.0);
    };
    match raw.trim().parse::<f64>() {
        Ok(scale) if (0.0..=1.0).contains(&scale) => Ok(scale),
        _ => Err(invalid(
            "KOMO_SALESFORCE_BACKOFF_SCALE",
            &raw,
            "a number from 0 to 1",
        )),
    }
}

/// `KOMO_DEMO_SALESFORCE_URL`: a simulator, so it must also be one of the `extra_origins`.
fn demo_org(
    get: &impl Fn(&str) -> Option<String>,
    extra_origins: &[String],
) -> Result<Option<crate::demo::org::DemoOrg>, ConfigError> {
    let Some(raw) = get("KOMO_DEMO_SALESFORCE_URL") else {
        return Ok(None);
    };
    let origin = parse_origin("KOMO_DEMO_SALESFORCE_URL", &raw)?
        .origin()
        .ascii_serialization();
    if !extra_origins.contains(&origin) {
        return Err(invalid(
            "KOMO_DEMO_SALESFORCE_URL",
            &raw,
            "list it in KOMO_SALESFORCE_EXTRA_ORIGINS too (the demo org is a simulator)",
        ));
    }
    Ok(Some(crate::demo::org::DemoOrg::new(origin, get)))
}

impl Bootstrap {
    fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let name_raw = get("KOMO_WORKSPACE_NAME").unwrap_or_else(|| "Komo Demo".into());
        let workspace_name = WorkspaceName::parse(&name_raw)
            .map_err(|e| invalid("KOMO_WORKSPACE_NAME", &name_raw, &e.to_string()))?;
        let email_raw = get("KOMO_ADMIN_EMAIL").unwrap_or_else(|| "admin@komo.example".into());
        let admin_email = EmailAddress::parse(&email_raw)
            .map_err(|e| invalid("KOMO_ADMIN_EMAIL", &email_raw, &e.to_string()))?;
        let admin_password = match get("KOMO_ADMIN_PASSWORD") {
            None => None,
            Some(p) if p.chars().count() >= shared::MIN_PASSWORD_LEN => Some(SecretString::from(p)),
            Some(_) => {
                return Err(invalid(
                    "KOMO_ADMIN_PASSWORD",
                    "(hidden)",
                    &format!("must be at least {} characters", shared::MIN_PASSWORD_LEN),
                ))
            }
        };
        Ok(Bootstrap {
            workspace_name,
            admin_email,
            admin_name: get("KOMO_ADMIN_NAME").unwrap_or_else(|| "Super User".into()),
            admin_password,
        })
    }
}

fn push_settings(get: &impl Fn(&str) -> Option<String>) -> Result<PushSettings, ConfigError> {
    let defaults = PushSettings::default();
    Ok(PushSettings {
        workers: number(
            get,
            "KOMO_WORKERS",
            defaults.workers,
            0,
            64,
            "a whole number from 0 to 64",
        )?,
        bulk_threshold: number(
            get,
            "KOMO_PUSH_BULK_THRESHOLD",
            defaults.bulk_threshold,
            0,
            u64::MAX,
            "a whole number of rows (0: every run goes the Bulk way)",
        )?,
        bulk_job_bytes: number(
            get,
            "KOMO_PUSH_BULK_JOB_BYTES",
            defaults.bulk_job_bytes,
            1,
            100_000_000,
            "a whole number of bytes from 1 to 100000000",
        )?,
        api_reserve_percent: number(
            get,
            "KOMO_PUSH_API_RESERVE_PERCENT",
            defaults.api_reserve_percent,
            0,
            90,
            "a whole percentage from 0 to 90",
        )?,
        batch_size: number(
            get,
            "KOMO_PUSH_BATCH_SIZE",
            defaults.batch_size,
            1,
            50_000,
            "a whole number from 1 to 50000",
        )?,
    })
}

fn parse_database_url(raw: &str) -> Result<String, ConfigError> {
    let supported = ["sqlite:", "postgres://", "postgresql://"];
    if supported.iter().any(|scheme| raw.starts_with(scheme)) {
        Ok(raw.to_owned())
    } else {
        // Never echo a database URL: it may carry a password.
        Err(invalid(
            "DATABASE_URL",
            "(hidden)",
            "must start with sqlite: or postgres://",
        ))
    }
}

/// An origin: scheme and host (and port), no path, query or credentials.
fn parse_origin(var: &'static str, raw: &str) -> Result<url::Url, ConfigError> {
    let url = url::Url::parse(raw).map_err(|e| invalid(var, raw, &format!("not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(
            var,
            raw,
            "must start with https:// (or http:// for local use)",
        ));
    }
    if url.host_str().is_none() || !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            var,
            raw,
            "must name a host and carry no credentials",
        ));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            var,
            raw,
            "must be an origin only, with no path, e.g. https://app.komo.tech",
        ));
    }
    Ok(url)
}

fn invalid(var: &'static str, value: &str, reason: &str) -> ConfigError {
    ConfigError {
        var,
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_give_sqlite_under_the_data_directory() {
        let s = settings(&[]).expect("defaults are valid");
        assert_eq!(s.database_url, "sqlite://./data/komo-sync.db");
        assert_eq!(s.addr.to_string(), "127.0.0.1:3000");
        assert!(!s.serves_https());
        assert!(s.frame_ancestors.is_empty());
        assert!(
            s.trusted_proxies.is_empty(),
            "no forwarded address is believed"
        );
        assert!(s.bootstrap.admin_password.is_none());
        assert!(
            s.salesforce.extra_origins.is_empty(),
            "no extra Salesforce hosts unless asked"
        );
    }

    #[test]
    fn each_bad_variable_is_named_in_the_error() {
        let cases = [
            ("DATABASE_URL", "mysql://x"),
            ("LEPTOS_SITE_ADDR", "not an address"),
            ("KOMO_PUBLIC_URL", "ftp://example.com"),
            ("KOMO_PUBLIC_URL", "https://example.com/path"),
            (
                "KOMO_FRAME_ANCESTORS",
                "https://ok.example.com, https://user:pw@bad.example.com",
            ),
            ("KOMO_SESSION_IDLE_MINUTES", "0"),
            ("KOMO_LOG_FORMAT", "xml"),
            ("KOMO_ADMIN_EMAIL", "admin"),
            ("KOMO_ADMIN_PASSWORD", "short"),
            ("KOMO_WORKSPACE_NAME", &"x".repeat(81)),
            ("KOMO_SALESFORCE_EXTRA_ORIGINS", "127.0.0.1:4321"),
            ("KOMO_SALESFORCE_CA_FILE", "/no/such/file.pem"),
            ("KOMO_WORKERS", "many"),
            ("KOMO_PUSH_API_RESERVE_PERCENT", "95"),
            ("KOMO_PUSH_BATCH_SIZE", "0"),
            ("KOMO_PUSH_BULK_JOB_BYTES", "200000000"),
            ("KOMO_SALESFORCE_BACKOFF_SCALE", "2"),
        ];
        for (var, value) in cases {
            let err = settings(&[(var, value)]).expect_err(var);
            assert_eq!(err.var, var, "{value}");
            assert!(err.to_string().starts_with(var), "{err}");
        }
    }

    #[test]
    fn secrets_are_never_echoed_in_errors() {
        let err = settings(&[("KOMO_ADMIN_PASSWORD", "hunter2")]).expect_err("too short");
        assert!(!err.to_string().contains("hunter2"));
        let err =
            settings(&[("DATABASE_URL", "mysql://u:topsecret@h/db")]).expect_err("bad scheme");
        assert!(!err.to_string().contains("topsecret"));
    }

    #[test]
    fn listening_beyond_loopback_needs_a_public_url() {
        let err = settings(&[("KOMO_ADDR", "0.0.0.0:3000")]).expect_err("no public URL");
        assert_eq!(err.var, "KOMO_PUBLIC_URL");
        assert!(err.reason.contains("0.0.0.0:3000"), "{}", err.reason);
        let behind_tls = settings(&[
            ("KOMO_ADDR", "0.0.0.0:3000"),
            ("KOMO_PUBLIC_URL", "https://sync.komo.tech"),
        ])
        .expect("with a public URL");
        assert!(behind_tls.serves_https(), "so the cookie is Secure");
        assert!(settings(&[("KOMO_ADDR", "[::1]:3000")]).is_ok());
    }

    #[test]
    fn trusted_proxies_are_addresses_and_a_wrong_one_is_named() {
        let s = settings(&[("KOMO_TRUSTED_PROXIES", "10.0.0.2, ::1")]).expect("valid");
        assert_eq!(
            s.trusted_proxies,
            vec![
                "10.0.0.2".parse::<std::net::IpAddr>().expect("ip"),
                "::1".parse().expect("ip")
            ]
        );
        let err = settings(&[("KOMO_TRUSTED_PROXIES", "10.0.0.2,proxy.local")])
            .expect_err("a host name is not an address");
        assert_eq!(err.var, "KOMO_TRUSTED_PROXIES");
        assert_eq!(err.value, "proxy.local");
    }

    #[test]
    fn frame_ancestors_are_normalised_origins() {
        let s = settings(&[(
            "KOMO_FRAME_ANCESTORS",
            "https://app.komo.tech, https://HUB.komo.tech:8443",
        )])
        .expect("valid origins");
        assert_eq!(
            s.frame_ancestors,
            ["https://app.komo.tech", "https://hub.komo.tech:8443"]
        );
    }

    #[test]
    fn https_public_url_turns_on_secure_cookies() {
        let s = settings(&[("KOMO_PUBLIC_URL", "https://sync.komo.tech")]).expect("valid");
        assert!(s.serves_https());
    }
}
