//! The recorded describes (CumulusCI cassettes, see `fixtures/SOURCES.md`), compiled in.

use super::Schema;
use serde_json::Value;

const CONTACT: &str = include_str!("../../fixtures/contact_describe.json");
const LEAD: &str = include_str!("../../fixtures/lead_describe.json");
const GLOBAL: &str = include_str!("../../fixtures/global_describe.json");

/// Contact and Lead, as the recorded org describes them.
pub fn load_standard_objects() -> Vec<Schema> {
    [CONTACT, LEAD]
        .iter()
        .map(|text| {
            let json: Value =
                serde_json::from_str(text).expect("compiled-in describe fixtures are valid JSON");
            Schema::from_describe(json)
                .expect("compiled-in describe fixtures have name, keyPrefix and fields")
        })
        .collect()
}

/// `GET /sobjects/`: the recorded global describe with its version placeholder
/// replaced. It lists more objects than the simulator stores; those answer
/// `NOT_FOUND`/`INVALID_TYPE` when used, like objects the user cannot access.
pub fn global_describe(version: &str) -> Value {
    let text = super::with_version(GLOBAL, version);
    serde_json::from_str(&text).expect("compiled-in global describe is valid JSON")
}
