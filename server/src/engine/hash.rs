//! A fingerprint of what a push would send for one contact, stored after a successful push so the next run
//! skips contacts that have not changed (without a lookup or a write).
//!
//! It covers what decides the write and nothing else: the object, the match field and value, and each mapped
//! field's value and overwrite rule. So editing an unmapped Komo field, reordering mappings or re-saving the
//! sync unchanged keeps contacts skipped, while changing a mapped value, a rule, the object or the match
//! field makes them go again. Configuration ids and versions stay out on purpose.

use super::mapping::MappedContact;
use serde_json::Value;
use sha2::{Digest, Sha256};
use shared::sync::config::Overwrite;

/// Bumped if the encoding below changes: every stored hash then differs once and each contact is re-sent.
const ENCODING: &str = "komo-push-hash/1";

/// Lower-case hex SHA-256, as stored per sync and contact.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PushHash(String);

/// Lower-case hex, written straight into one string: a `format!` per byte cost an allocation each, 32 per
/// contact and run (2 % of a first run's CPU in `perf`).
fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    hex
}

impl PushHash {
    /// The hash of `mapped` pushed to `object` matching on `match_field`.
    pub fn of(object: &str, match_field: &str, mapped: &MappedContact) -> Self {
        let mut digest = Sha256::new();
        let mut part = |bytes: &[u8]| {
            // Length-prefixed, so no two different sequences of parts encode alike.
            digest.update((bytes.len() as u64).to_le_bytes());
            digest.update(bytes);
        };
        part(ENCODING.as_bytes());
        part(object.as_bytes());
        part(match_field.to_ascii_lowercase().as_bytes());
        part(json(&mapped.match_value).as_bytes());
        // API names compare ignoring case; sorting by them makes mapping order irrelevant.
        let mut values: Vec<_> = mapped
            .values
            .iter()
            .map(|v| {
                (
                    v.field.to_ascii_lowercase(),
                    rule(v.overwrite),
                    json(&v.value),
                )
            })
            .collect();
        values.sort();
        for (field, overwrite, value) in &values {
            part(field.as_bytes());
            part(overwrite.as_bytes());
            part(value.as_bytes());
        }
        Self(lower_hex(&digest.finalize()))
    }

    /// A hash read back from storage. Anything that is not one of ours simply never matches.
    pub fn from_stored(stored: impl Into<String>) -> Self {
        Self(stored.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// serde_json writes a `Value` the same way every time (escapes, shortest round-trip floats).
fn json(value: &Value) -> String {
    value.to_string()
}

fn rule(overwrite: Overwrite) -> &'static str {
    match overwrite {
        Overwrite::Always => "always",
        Overwrite::OnlyWhenEmpty => "only-when-empty",
        Overwrite::NeverOnUpdate => "never-on-update",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::index::MatchKey;
    use crate::engine::mapping::MappedValue;
    use crate::engine::overwrite::Compare;
    use serde_json::json;

    #[test]
    fn hex_is_lower_case_two_digits_a_byte() {
        assert_eq!(lower_hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(lower_hex(&[]), "");
    }

    fn value(field: &str, value: Value, overwrite: Overwrite) -> MappedValue {
        MappedValue {
            field: field.into(),
            value,
            overwrite,
            compare: Compare::Exact,
        }
    }

    fn mapped(values: Vec<MappedValue>) -> MappedContact {
        MappedContact {
            contact_id: 7,
            match_key: MatchKey::of(&json!("ada@example.com")).expect("key"),
            match_value: json!("ada@example.com"),
            values,
            refused_on_insert: None,
        }
    }

    #[test]
    fn the_hash_is_stable_hex_and_ignores_mapping_order_and_field_case() {
        let a = mapped(vec![
            value("FirstName", json!("Ada"), Overwrite::Always),
            value("LastName", json!("Lovelace"), Overwrite::Always),
        ]);
        let b = mapped(vec![
            value("lastname", json!("Lovelace"), Overwrite::Always),
            value("FirstName", json!("Ada"), Overwrite::Always),
        ]);
        let hash = PushHash::of("Contact", "Email", &a);
        assert_eq!(hash, PushHash::of("Contact", "email", &b));
        assert_eq!(hash.as_str().len(), 64);
        assert!(hash
            .as_str()
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(PushHash::from_stored(hash.as_str()), hash);
    }

    #[test]
    fn values_rules_object_and_match_field_all_change_the_hash() {
        let base = mapped(vec![value("FirstName", json!("Ada"), Overwrite::Always)]);
        let hash = PushHash::of("Contact", "Email", &base);
        let changed = [
            PushHash::of(
                "Contact",
                "Email",
                &mapped(vec![value("FirstName", json!("Ida"), Overwrite::Always)]),
            ),
            PushHash::of(
                "Contact",
                "Email",
                &mapped(vec![value(
                    "FirstName",
                    json!("Ada"),
                    Overwrite::OnlyWhenEmpty,
                )]),
            ),
            PushHash::of("Contact", "Email", &mapped(vec![])),
            PushHash::of("Lead", "Email", &base),
            PushHash::of("Contact", "Komo_Id__c", &base),
        ];
        for other in changed {
            assert_ne!(other, hash);
        }
    }
}
