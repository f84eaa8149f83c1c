//! The tenant: business units with their data extensions, installed packages, tokens, asynchronous
//! requests, and a clock that tests can move.

use crate::config::{InstalledPackage, SimConfig};
use crate::dataext::{DataExtension, Field, RowOutcome, WriteMode};
use crate::faults::{Faults, DEADLOCK};
use crate::fields::FieldSpec;
use crate::ids::{guid, token};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct BusinessUnit {
    pub name: String,
    pub extensions: Vec<DataExtension>,
}

/// An access token: who asked, for which business unit, with which scopes, until when.
#[derive(Debug, Clone)]
pub struct Token {
    pub client_id: String,
    pub mid: u64,
    pub scopes: Vec<String>,
    /// Tenant-clock milliseconds.
    pub expires_at: u128,
}

impl Token {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// An accepted asynchronous rows request.
#[derive(Debug, Clone)]
pub struct AsyncRequest {
    pub mid: u64,
    pub results: Vec<RowOutcome>,
    /// Status polls still to answer `Pending`.
    pub pending_polls: u32,
    pub called_at: String,
    pub completed_at: String,
}

#[derive(Debug)]
pub struct Tenant {
    pub config: SimConfig,
    /// The 28-character tenant subdomain the real hosts would carry (`mc` + 26).
    pub subdomain: String,
    pub units: BTreeMap<u64, BusinessUnit>,
    pub packages: Vec<InstalledPackage>,
    tokens: HashMap<String, Token>,
    pub requests: HashMap<String, AsyncRequest>,
    pub faults: Faults,
    started: Instant,
    clock_offset: Duration,
}

/// A `/v2/token` request, JSON or form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// A number in the docs; a string of digits is accepted too [code].
    pub account_id: Option<Value>,
    pub scope: Option<String>,
}

/// Why a token was refused: the OAuth error, its description and the HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRefusal {
    pub status: u16,
    pub error: &'static str,
    pub description: String,
}

impl Tenant {
    pub fn new(config: SimConfig) -> Self {
        Self {
            config,
            subdomain: "mc563885gzs27c5t9-63k636ttgm".into(),
            units: BTreeMap::new(),
            packages: Vec::new(),
            tokens: HashMap::new(),
            requests: HashMap::new(),
            faults: Faults::default(),
            started: Instant::now(),
            clock_offset: Duration::ZERO,
        }
    }

    /// Milliseconds on the tenant's clock (real time since start, plus what tests advanced).
    pub fn now_ms(&self) -> u128 {
        (self.started.elapsed() + self.clock_offset).as_millis()
    }

    pub fn advance_clock(&mut self, by: Duration) {
        self.clock_offset += by;
    }

    pub fn add_unit(&mut self, mid: u64, name: &str) {
        self.units.entry(mid).or_insert_with(|| BusinessUnit {
            name: name.into(),
            extensions: Vec::new(),
        });
    }

    pub fn add_package(&mut self, package: InstalledPackage) {
        for mid in &package.mids {
            self.add_unit(*mid, &format!("Business unit {mid}"));
        }
        self.packages.retain(|p| p.client_id != package.client_id);
        self.packages.push(package);
    }

    /// Issues a token, or says why not, as `/v2/token` does.
    pub fn issue_token(&mut self, request: &TokenRequest) -> Result<(String, Token), TokenRefusal> {
        let refuse = |status, error, description: &str| TokenRefusal {
            status,
            error,
            description: description.into(),
        };
        if request.grant_type.as_deref() != Some("client_credentials") {
            return Err(refuse(
                400,
                "unsupported_grant_type",
                "Use \"client_credentials\" as the grant type.",
            ));
        }
        let client_id = request.client_id.as_deref().unwrap_or_default();
        let Some(package) = self.packages.iter().find(|p| p.client_id == client_id) else {
            return Err(refuse(
                401,
                "invalid_client",
                "Invalid client ID. Use the client ID in Marketing Cloud Installed Packages.",
            ));
        };
        if request.client_secret.as_deref() != Some(package.client_secret.as_str()) {
            return Err(refuse(
                401,
                "invalid_client",
                "Client authentication failed. Make sure that the client ID and client secret are valid \
                 and that the package is installed and enabled.",
            ));
        }
        let mid = match &request.account_id {
            None | Some(Value::Null) => package.mids.first().copied(),
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            Some(_) => None,
        };
        // The error for an MID the package may not use is [unverified]; chosen: 401 unauthorized_client.
        let Some(mid) = mid.filter(|m| package.mids.contains(m)) else {
            return Err(refuse(
                401,
                "unauthorized_client",
                "The client is not authorized to access the requested account (MID). Check the \
                 package's business unit access.",
            ));
        };
        let scopes: Vec<String> = match &request.scope {
            None => package.scopes.clone(),
            Some(asked) => {
                let asked: Vec<String> = asked.split_whitespace().map(str::to_owned).collect();
                // Asking for a scope the package lacks fails at token time [unverified: code, status].
                if let Some(missing) = asked.iter().find(|s| !package.scopes.contains(s)) {
                    return Err(refuse(
                        400,
                        "invalid_scope",
                        &format!("The scope {missing} is not granted to this package."),
                    ));
                }
                asked
            }
        };
        let issued = Token {
            client_id: client_id.into(),
            mid,
            scopes,
            expires_at: self.now_ms() + self.config.token_lifetime.as_millis(),
        };
        let access_token = token();
        self.tokens.insert(access_token.clone(), issued.clone());
        Ok((access_token, issued))
    }

    /// The live token `bearer` names; `None` when unknown or expired.
    pub fn token(&self, bearer: &str) -> Option<&Token> {
        self.tokens
            .get(bearer)
            .filter(|t| t.expires_at > self.now_ms())
    }

    pub fn expire_tokens(&mut self) {
        self.tokens.clear();
    }

    /// Creates a data extension in `mid`; refuses a duplicate key, no fields, or a bad field set.
    pub fn create_extension(
        &mut self,
        mid: u64,
        name: &str,
        key: &str,
        fields: Vec<FieldSpec>,
        sendable_field: Option<String>,
    ) -> Result<String, String> {
        let unit = self
            .units
            .get_mut(&mid)
            .ok_or_else(|| format!("no business unit {mid}"))?;
        if unit
            .extensions
            .iter()
            .any(|d| d.customer_key.eq_ignore_ascii_case(key))
        {
            return Err(format!("a data extension with the key {key} exists"));
        }
        if fields.is_empty() {
            return Err("a data extension needs at least one field".into());
        }
        let fields: Vec<Field> = fields
            .into_iter()
            .map(|mut spec| {
                spec.is_nullable &= !spec.is_primary_key;
                Field { id: guid(), spec }
            })
            .collect();
        let mut extension = DataExtension::new(guid(), key.into(), name.into(), fields);
        if let Some(field) = sendable_field {
            if extension.field_index(&field).is_none() {
                return Err(format!("the sendable field {field} is not a field"));
            }
            extension.is_sendable = true;
            extension.sendable_field = Some(field);
        }
        let id = extension.object_id.clone();
        unit.extensions.push(extension);
        Ok(id)
    }

    /// The data extension of `mid` with external key `key` (case-insensitive).
    pub fn extension_by_key(&mut self, mid: u64, key: &str) -> Option<&mut DataExtension> {
        self.units
            .get_mut(&mid)?
            .extensions
            .iter_mut()
            .find(|d| d.customer_key.eq_ignore_ascii_case(key))
    }

    pub fn extension_by_id(&mut self, mid: u64, id: &str) -> Option<&mut DataExtension> {
        self.units
            .get_mut(&mid)?
            .extensions
            .iter_mut()
            .find(|d| d.object_id.eq_ignore_ascii_case(id))
    }

    /// Writes `items` into a data extension and keeps the request for its status and results.
    pub fn accept_async(
        &mut self,
        mid: u64,
        key: &str,
        mode: WriteMode,
        items: &[Map<String, Value>],
    ) -> Option<String> {
        let called_at = self.timestamp();
        let deadlocked: Vec<bool> = items.iter().map(|_| self.faults.take_deadlock()).collect();
        let extension = self.extension_by_key(mid, key)?;
        let results = items
            .iter()
            .zip(deadlocked)
            .map(|(item, victim)| match victim {
                true => RowOutcome::Error {
                    message: DEADLOCK.into(),
                    errors: Vec::new(),
                },
                false => extension.write(mode, item),
            })
            .collect();
        let id = guid();
        let request = AsyncRequest {
            mid,
            results,
            pending_polls: self.config.pending_polls,
            completed_at: self.timestamp(),
            called_at,
        };
        self.requests.insert(id.clone(), request);
        Some(id)
    }

    /// `2024-07-11T22:19:02.04`-style times on the tenant clock (UTC−6, as the platform keeps them).
    pub fn timestamp(&self) -> String {
        self.timestamp_after(Duration::ZERO)
    }

    /// [`Tenant::timestamp`] of a moment `after` from now.
    pub fn timestamp_after(&self, after: Duration) -> String {
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            + self.clock_offset
            + after;
        let millis = i64::try_from(wall.as_millis()).unwrap_or(0);
        let secs = millis.div_euclid(1000) - 6 * 3600;
        let days = secs.div_euclid(86_400);
        let rest = secs.rem_euclid(86_400);
        let (y, m, d) = crate::dates::civil(days);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}",
            rest / 3600,
            rest % 3600 / 60,
            rest % 60,
            millis.rem_euclid(1000)
        )
    }
}
