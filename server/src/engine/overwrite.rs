//! The per-mapping overwrite rules on update (always / only when the CRM value is empty / never on update),
//! and when a value Salesforce already holds counts as the same as ours.
//!
//! A value equal to what the record holds is not written, so re-pushing an unchanged contact (a full resync,
//! or a contact changed only in unmapped fields) spends no API call. Comparing per Salesforce type matters:
//! it returns `42.0` for our `42`, `…+0000` for our `…Z` and may reorder multi-select values. Where the
//! comparison is unsure it says "different": a needless write is harmless, a skipped one is not.

use serde_json::Value;
use shared::sync::config::Overwrite;

/// How two values of one field compare, chosen once per field from its Salesforce type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    Exact,
    /// Email: Salesforce stores it lower-cased.
    IgnoreCase,
    Number,
    /// The same UTC instant, whatever the spelling of the fraction and zone.
    DateTime,
    /// Multi-select picklists: the same values in any order.
    ValueSet,
}

impl Compare {
    pub fn for_type(crm_type: &str) -> Self {
        match crm_type {
            "email" => Compare::IgnoreCase,
            "double" | "int" | "long" | "currency" | "percent" => Compare::Number,
            "datetime" => Compare::DateTime,
            "multipicklist" => Compare::ValueSet,
            _ => Compare::Exact,
        }
    }

    pub fn same(self, crm: &Value, ours: &Value) -> bool {
        if crm == ours {
            return true;
        }
        match (self, crm, ours) {
            (Compare::IgnoreCase, Value::String(a), Value::String(b)) => {
                a.to_lowercase() == b.to_lowercase()
            }
            (Compare::Number, Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
            (Compare::DateTime, Value::String(a), Value::String(b)) => {
                utc_instant(a).is_some_and(|a| utc_instant(b) == Some(a))
            }
            (Compare::ValueSet, Value::String(a), Value::String(b)) => value_set(a) == value_set(b),
            _ => false,
        }
    }
}

/// Empty as Salesforce shows it: `null` (what a query returns for an empty field) or blank text. A checkbox
/// is never empty: it is false.
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// Whether our (never blank) value goes into an update of a record that holds `current`.
///
/// `current` is `None` when the lookup did not select the field: unknown. `Always` then writes (harmless),
/// `OnlyWhenEmpty` does not (it must never overwrite a value it could not see).
pub fn should_write(
    rule: Overwrite,
    compare: Compare,
    current: Option<&Value>,
    ours: &Value,
) -> bool {
    match rule {
        Overwrite::NeverOnUpdate => false,
        Overwrite::OnlyWhenEmpty => current.is_some_and(is_empty),
        Overwrite::Always => current.is_none_or(|c| !compare.same(c, ours)),
    }
}

/// `YYYY-MM-DDTHH:MM:SS` and the fraction without trailing zeros, for a UTC datetime in any of the forms
/// Salesforce writes or reads (`Z`, `+0000`, `+00:00`); `None` for anything else.
fn utc_instant(s: &str) -> Option<(&str, &str)> {
    let (seconds, rest) = (s.get(..19)?, s.get(19..)?);
    let (fraction, zone) = match rest.strip_prefix('.') {
        Some(r) => r.split_at(r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len())),
        None => ("", rest),
    };
    matches!(zone, "Z" | "+0000" | "+00:00").then(|| (seconds, fraction.trim_end_matches('0')))
}

fn value_set(s: &str) -> Vec<&str> {
    let mut values: Vec<&str> = s
        .split(';')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    values.sort_unstable();
    values.dedup();
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn salesforce_spellings_of_our_values_count_as_the_same() {
        assert!(Compare::Number.same(&json!(42.0), &json!(42)));
        assert!(Compare::IgnoreCase.same(&json!("Ada@Example.com"), &json!("ada@example.com")));
        assert!(Compare::DateTime.same(
            &json!("2024-05-01T10:00:00.000+0000"),
            &json!("2024-05-01T10:00:00.000Z")
        ));
        assert!(Compare::DateTime.same(
            &json!("2024-05-01T10:00:00Z"),
            &json!("2024-05-01T10:00:00.000Z")
        ));
        assert!(!Compare::DateTime.same(
            &json!("2024-05-01T10:00:00.000+0100"),
            &json!("2024-05-01T10:00:00.000Z")
        ));
        assert!(Compare::ValueSet.same(&json!("b;a"), &json!("a;b")));
        assert!(!Compare::Exact.same(&json!("Ada"), &json!("ada")));
        assert!(!Compare::Number.same(&json!("42"), &json!(42)));
    }

    #[test]
    fn each_rule_writes_only_what_it_allows() {
        let ours = json!("Ada");
        let cases = [
            (Overwrite::Always, Some(json!("Bob")), true),
            (Overwrite::Always, Some(json!("Ada")), false),
            (Overwrite::Always, Some(Value::Null), true),
            (Overwrite::Always, None, true),
            (Overwrite::OnlyWhenEmpty, Some(Value::Null), true),
            (Overwrite::OnlyWhenEmpty, Some(json!("  ")), true),
            (Overwrite::OnlyWhenEmpty, Some(json!("Bob")), false),
            (Overwrite::OnlyWhenEmpty, None, false),
            (Overwrite::OnlyWhenEmpty, Some(json!(false)), false),
            (Overwrite::NeverOnUpdate, Some(Value::Null), false),
            (Overwrite::NeverOnUpdate, None, false),
        ];
        for (rule, current, expected) in cases {
            assert_eq!(
                should_write(rule, Compare::Exact, current.as_ref(), &ours),
                expected,
                "{rule:?} over {current:?}"
            );
        }
    }
}
