//! The simulated org: objects and their rows, connected apps, tokens, API
//! usage, fault switches and open query cursors. One `Org` sits behind one
//! mutex; every operation is short, and Bulk jobs take the lock once per
//! internal batch so REST calls interleave with a running job.

mod auth;
mod conflicts;
mod faults;
mod read;
mod write;

pub use auth::{TokenGrant, User};
pub use faults::{FaultPatch, Faults};
pub use read::format_datetime;
pub use write::WriteOptions;

use crate::config::{ConnectedApp, SimConfig};
use crate::schema::{load_standard_objects, CustomField, Schema};
use crate::store::Table;
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

/// One sObject type and its rows.
#[derive(Debug)]
pub struct SObject {
    pub schema: Schema,
    pub table: Table,
}

/// A SOQL cursor: the matching rows, fixed when the query ran (as Salesforce
/// fixes its result set), and what to render for them.
#[derive(Debug, Clone)]
pub struct Cursor {
    pub object: usize,
    pub fields: Vec<usize>,
    pub rows: std::sync::Arc<Vec<u32>>,
}

#[derive(Debug)]
pub struct Org {
    pub config: SimConfig,
    pub objects: Vec<SObject>,
    pub apps: HashMap<String, ConnectedApp>,
    pub users: Vec<User>,
    tokens: HashMap<String, auth::Token>,
    pub api_used: u64,
    pub api_max: u64,
    pub faults: Faults,
    cursors: HashMap<String, Cursor>,
    /// Shifts the org's clock, so tests can pass token idle timeouts without waiting.
    pub clock_offset_ms: i64,
    pub rng: StdRng,
    serial: u64,
}

impl Org {
    pub fn new(config: SimConfig) -> Self {
        let mut objects: Vec<SObject> = load_standard_objects()
            .into_iter()
            .map(|schema| SObject {
                schema,
                table: Table::default(),
            })
            .collect();
        for o in &mut objects {
            for (i, f) in o.schema.fields.iter().enumerate() {
                // Id is resolved from the id itself; every other upsert key gets an index.
                if f.upsert_key && f.name != "Id" {
                    o.table.add_index(i);
                }
            }
        }
        let rng = StdRng::seed_from_u64(config.seed);
        let api_max = config.daily_api_allowance;
        let mut org = Self {
            config,
            objects,
            apps: HashMap::new(),
            users: Vec::new(),
            tokens: HashMap::new(),
            api_used: 0,
            api_max,
            faults: Faults::default(),
            cursors: HashMap::new(),
            clock_offset_ms: 0,
            rng,
            serial: 0,
        };
        // Row 0 of the users: the admin who "owns" seeded data.
        org.user_for("admin@sim.example");
        org
    }

    pub fn now_ms(&self) -> i64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        now + self.clock_offset_ms
    }

    /// Object names are case-insensitive, like field names.
    pub fn object_index(&self, name: &str) -> Option<usize> {
        self.objects
            .iter()
            .position(|o| o.schema.name.eq_ignore_ascii_case(name))
    }

    pub fn add_app(&mut self, app: ConnectedApp) {
        if let Some(user) = &app.run_as {
            self.user_for(user);
        }
        self.apps.insert(app.client_id.clone(), app);
    }

    /// Adds a custom field; External ID fields become indexed upsert keys.
    pub fn add_custom_field(&mut self, object: &str, spec: &CustomField) -> Result<String, String> {
        let obj = self
            .object_index(object)
            .ok_or_else(|| format!("no such object: {object}"))?;
        let o = &mut self.objects[obj];
        let idx = o.schema.add_custom_field(spec)?;
        if o.schema.fields[idx].upsert_key || o.schema.fields[idx].unique {
            o.table.add_index(idx);
        }
        Ok(o.schema.fields[idx].name.clone())
    }

    /// A fresh opaque serial for job ids, cursor ids and tokens.
    pub fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    /// Stores a cursor; returns its id (`01g…`, the query-locator key prefix).
    pub fn open_cursor(&mut self, cursor: Cursor) -> String {
        let id = crate::ids::make_id("01g", self.next_serial());
        self.cursors.insert(id.clone(), cursor);
        id
    }

    pub fn cursor(&self, id: &str) -> Option<&Cursor> {
        self.cursors.get(id)
    }
}
