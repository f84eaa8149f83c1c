//! Finding the CRM records a batch's contacts match: chunked `SELECT … WHERE {match field} IN (…)` queries,
//! selecting the planner's [`Planner::lookup_fields`] so the overwrite rules get the current values in the
//! same call (never one call per record).
//!
//! Chunks hold at most [`MAX_VALUES`] values and [`MAX_LITERAL_CHARS`] characters of literals: the query
//! travels in the URL, which Salesforce caps at 16,384 bytes with the headers (doc §4.4). URL encoding
//! grows quotes, `@` and separators to three bytes each, so 8,000 characters of literals stay near 11,000
//! bytes; 200 typical emails take about 5,000. Case: SOQL compares text case-insensitively and [`CrmIndex`] keys are lower-cased, so
//! `Ada@Example.com` finds `ada@example.com`.

use super::index::{CrmIndex, CrmRecord, MatchKey};
use super::plan::Planner;
use crate::salesforce::query::{soql_string, Record};
use crate::salesforce::{SalesforceClient, SalesforceError};
use futures::TryStreamExt;
use serde_json::Value;
use std::collections::HashSet;

/// Values per `IN (…)` list.
pub const MAX_VALUES: usize = 200;
/// Characters of literals per query, before URL encoding.
pub const MAX_LITERAL_CHARS: usize = 8_000;

/// A match value as a SOQL literal; `None` for what can match nothing (null, arrays, objects).
fn literal(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(soql_string(s.trim())),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The `IN` lists for `values`, each value once (by [`MatchKey`]).
pub fn in_lists<'a>(values: impl IntoIterator<Item = &'a Value>) -> Vec<Vec<String>> {
    let mut seen: HashSet<MatchKey> = HashSet::new();
    let mut lists: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut chars = 0;
    for value in values {
        let (Some(key), Some(literal)) = (MatchKey::of(value), literal(value)) else {
            continue;
        };
        if !seen.insert(key) {
            continue;
        }
        if !current.is_empty()
            && (current.len() >= MAX_VALUES || chars + literal.len() > MAX_LITERAL_CHARS)
        {
            lists.push(std::mem::take(&mut current));
            chars = 0;
        }
        chars += literal.len() + 1;
        current.push(literal);
    }
    if !current.is_empty() {
        lists.push(current);
    }
    lists
}

/// How many queries a lookup of `n` distinct values takes (for the API budget).
pub fn queries_for(n: u64) -> u64 {
    n.div_ceil(MAX_VALUES as u64)
}

/// Looks up the records whose `match_field` is one of `values` and indexes them by match key.
///
/// # Errors
/// The first failing query's error.
pub async fn lookup<'a>(
    client: &SalesforceClient,
    planner: &Planner,
    match_field: &str,
    values: impl IntoIterator<Item = &'a Value>,
) -> Result<CrmIndex, SalesforceError> {
    let fields = planner.lookup_fields().join(", ");
    let mut records: Vec<CrmRecord> = Vec::new();
    for list in in_lists(values) {
        let soql = format!(
            "SELECT {fields} FROM {object} WHERE {match_field} IN ({list})",
            object = planner.object(),
            list = list.join(", ")
        );
        let rows: Vec<Record> = client.query::<Record>(&soql).try_collect().await?;
        records.extend(rows.into_iter().filter_map(CrmRecord::from_query));
    }
    Ok(CrmIndex::new(match_field, records))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_hold_each_key_once_and_split_at_two_hundred() {
        let values: Vec<Value> = (0..450)
            .map(|i| json!(format!("person{i}@example.com")))
            .chain([json!("PERSON1@example.com"), json!(null), json!("  ")])
            .collect();
        let lists = in_lists(&values);
        assert_eq!(
            lists.iter().map(Vec::len).collect::<Vec<_>>(),
            [200, 200, 50]
        );
        assert_eq!(lists[0][1], "'person1@example.com'");
        assert_eq!(queries_for(450), 3);
    }

    #[test]
    fn long_values_split_by_length_and_quotes_are_escaped() {
        let long = "x".repeat(4_500);
        let values = vec![
            json!(long.clone()),
            json!(long.clone() + "y"),
            json!("O'Brien"),
        ];
        let lists = in_lists(&values);
        assert_eq!(lists.len(), 2);
        assert_eq!(lists[1].last().map(String::as_str), Some(r"'O\'Brien'"));
    }
}
