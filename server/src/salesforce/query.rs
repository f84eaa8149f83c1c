//! SOQL over REST (doc §4): a query is a stream of records that follows `nextRecordsUrl` page by page, so a
//! caller can stop early and never holds more than one page (≤ 2,000 rows) at a time.

use super::client::SalesforceClient;
use super::error::SalesforceError;
use super::wire::QueryPage;
use super::API_VERSION;
use futures::Stream;
use serde::de::DeserializeOwned;
use std::collections::VecDeque;

/// A record as Salesforce sends it: field name → value, plus `attributes`.
pub type Record = serde_json::Map<String, serde_json::Value>;

impl SalesforceClient {
    /// Runs `soql` and yields every matching record, fetching the next page only when the previous one is
    /// used up. Each page is one API call.
    ///
    /// <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm>
    ///
    /// Build `soql` with [`soql_string`] for every value that came from outside.
    ///
    /// # Errors
    /// Each item is `Err` when a page fails: `Api` with `MALFORMED_QUERY`, `INVALID_FIELD`, `INVALID_TYPE`
    /// or `INVALID_QUERY_LOCATOR`, a `Decode` error when a record does not fit `T` or Salesforce names a next
    /// page outside the data API, or the errors of [`SalesforceClient::send`]. The stream ends after the
    /// first error.
    pub fn query<T>(&self, soql: &str) -> impl Stream<Item = Result<T, SalesforceError>> + Send + '_
    where
        T: DeserializeOwned + Send + 'static,
    {
        let first = query_path(soql);
        futures::stream::try_unfold(
            (VecDeque::<T>::new(), Some(first)),
            move |(mut buffered, mut next)| async move {
                loop {
                    if let Some(record) = buffered.pop_front() {
                        return Ok(Some((record, (buffered, next))));
                    }
                    let Some(path) = next.take() else {
                        return Ok(None);
                    };
                    let page: QueryPage<T> = self.get_json(&path).await?;
                    next = next_page_path(&page)?;
                    buffered.extend(page.records);
                }
            },
        )
    }

    /// `SELECT COUNT() FROM …`: the number of matching records (Salesforce puts it in `totalSize`).
    ///
    /// <https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_count.htm>
    ///
    /// # Errors
    /// As [`Self::query`].
    pub async fn count(&self, soql: &str) -> Result<u64, SalesforceError> {
        let page: QueryPage<serde_json::Value> = self.get_json(&query_path(soql)).await?;
        Ok(page.total_size)
    }
}

fn query_path(soql: &str) -> String {
    let q: String = url::form_urlencoded::byte_serialize(soql.as_bytes()).collect();
    format!("/services/data/{API_VERSION}/query?q={q}")
}

/// The next page's path, checked: it is appended to the instance URL, so anything but a data-API path
/// (say `@evil.example/…`) would send our token elsewhere.
fn next_page_path<T>(page: &QueryPage<T>) -> Result<Option<String>, SalesforceError> {
    match (&page.next_records_url, page.done) {
        (None, _) | (Some(_), true) => Ok(None),
        (Some(url), false) if url.starts_with("/services/data/") && !url.contains("..") => {
            Ok(Some(url.clone()))
        }
        (Some(url), false) => Err(SalesforceError::unexpected(format!(
            "nextRecordsUrl is not a data API path: {url}"
        ))),
    }
}

/// A SOQL string literal for `value`, quotes included: `O'Brien` → `'O\'Brien'`.
///
/// Escapes what the SOQL reference requires (doc §4.3): backslash and both quotes, and the control
/// characters that have escapes. `%` and `_` are left alone: they are only special inside `LIKE`, where
/// the caller decides whether they are wildcards.
///
/// <https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm>
pub fn soql_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Reads a literal back the way SOQL does; `None` if it is not one well-formed literal.
    fn unquote(literal: &str) -> Option<String> {
        let inner = literal.strip_prefix('\'')?.strip_suffix('\'')?;
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                // An unescaped quote would end the literal early: injection.
                '\'' => return None,
                '\\' => out.push(match chars.next()? {
                    '\\' => '\\',
                    '\'' => '\'',
                    '"' => '"',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    _ => return None,
                }),
                c => out.push(c),
            }
        }
        Some(out)
    }

    #[test]
    fn literals_escape_quotes_and_backslashes() {
        assert_eq!(soql_string("O'Brien"), r"'O\'Brien'");
        assert_eq!(soql_string(r"a\b"), r"'a\\b'");
        assert_eq!(soql_string(r"\'"), r"'\\\''");
        assert_eq!(soql_string(""), "''");
        assert_eq!(soql_string("50%_off"), "'50%_off'");
    }

    #[test]
    fn any_string_round_trips_and_never_ends_the_literal_early() {
        let alphabet: Vec<char> = "ab'\"\\\n\r\t\u{8}\u{c} %_é😀OR1=1".chars().collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..5_000 {
            let len = rng.gen_range(0..24);
            let value: String = (0..len)
                .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
                .collect();
            let literal = soql_string(&value);
            assert_eq!(
                unquote(&literal).as_deref(),
                Some(value.as_str()),
                "{literal}"
            );
        }
    }

    #[test]
    fn the_query_is_url_encoded() {
        assert_eq!(
            query_path("SELECT Id FROM Contact WHERE Email = 'a+b@x.com'"),
            format!(
                "/services/data/{API_VERSION}/query?q=SELECT+Id+FROM+Contact+WHERE+Email+%3D+%27a%2Bb%40x.com%27"
            )
        );
    }

    #[test]
    fn a_next_page_outside_the_data_api_is_refused() {
        let page = |url: &str, done: bool| QueryPage::<()> {
            total_size: 3,
            done,
            next_records_url: Some(url.to_owned()),
            records: vec![],
        };
        assert_eq!(
            next_page_path(&page("/services/data/v62.0/query/01g-2000", false))
                .ok()
                .flatten()
                .as_deref(),
            Some("/services/data/v62.0/query/01g-2000")
        );
        assert!(next_page_path(&page("@evil.example/x", false)).is_err());
        assert!(next_page_path(&page("/services/data/../../admin", false)).is_err());
        assert!(matches!(next_page_path(&page("whatever", true)), Ok(None)));
    }

    #[test]
    fn recorded_pages_decode() {
        let first: QueryPage<Record> = serde_json::from_str(include_str!(
            "../../tests/fixtures/salesforce/query/paginated_first_page.json"
        ))
        .expect("first page");
        assert!(!first.done && first.next_records_url.is_some());
        let last: QueryPage<Record> = serde_json::from_str(include_str!(
            "../../tests/fixtures/salesforce/query/paginated_last_page.json"
        ))
        .expect("last page");
        assert!(last.done && last.next_records_url.is_none());
    }
}
