//! Paging through contacts: sort orders, keyset cursors and the page the contacts table shows.
//!
//! Keyset rather than offset paging: "the 50 after (key, id)" costs the same on page 1 and page 20,000,
//! which is what keeps a page under 150 ms at a million contacts.

use super::Contact;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactSort {
    /// Newest change first: what a person checking an import or API feed wants to see.
    #[default]
    RecentlyUpdated,
    Email,
    /// Last name, then first name.
    Name,
}

impl ContactSort {
    pub const ALL: [ContactSort; 3] = [
        ContactSort::RecentlyUpdated,
        ContactSort::Email,
        ContactSort::Name,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactSort::RecentlyUpdated => "updated",
            ContactSort::Email => "email",
            ContactSort::Name => "name",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ContactSort::RecentlyUpdated => "Recently updated",
            ContactSort::Email => "Email",
            ContactSort::Name => "Name",
        }
    }

    /// Unknown or missing values fall back to the default order: a sort is a view choice, not an input
    /// worth an error.
    pub fn parse(raw: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .unwrap_or_default()
    }
}

/// Where the next page starts: the last row's sort key and id. Travels in URLs as `id-hexkey`, which needs
/// no escaping whatever the key holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContactCursor {
    pub key: String,
    pub id: i64,
}

impl ContactCursor {
    pub fn encode(&self) -> String {
        let hex: String = self.key.bytes().map(|b| format!("{b:02x}")).collect();
        format!("{}-{hex}", self.id)
    }

    /// `None` for anything [`Self::encode`] did not produce.
    pub fn decode(raw: &str) -> Option<Self> {
        let (id, hex) = raw.split_once('-')?;
        let id = id.parse().ok()?;
        if !hex.len().is_multiple_of(2) {
            return None;
        }
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| {
                hex.get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()?;
        Some(Self {
            key: String::from_utf8(bytes).ok()?,
            id,
        })
    }
}

/// One page request, already cleaned up: the search trimmed, the page size bounded. Storage lower-cases
/// the search to match its lower-cased email and name keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactQuery {
    pub search: Option<String>,
    pub sort: ContactSort,
    pub after: Option<ContactCursor>,
    pub limit: u32,
}

impl ContactQuery {
    pub const DEFAULT_LIMIT: u32 = 50;
    pub const MAX_LIMIT: u32 = 500;

    pub fn new(search: &str, sort: &str, after: &str, limit: Option<u32>) -> Self {
        let search = search.trim().to_owned();
        Self {
            search: (!search.is_empty()).then_some(search),
            sort: ContactSort::parse(sort),
            after: ContactCursor::decode(after),
            limit: limit
                .unwrap_or(Self::DEFAULT_LIMIT)
                .clamp(1, Self::MAX_LIMIT),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactPage {
    pub contacts: Vec<Contact>,
    /// How many contacts match the search (all of the workspace's without one). A search stops counting
    /// at [`Self::COUNT_CAP`]: see `total_capped`.
    pub total: i64,
    /// The search matches more than [`Self::COUNT_CAP`] contacts; `total` is then the cap ("10,000+").
    #[serde(default)]
    pub total_capped: bool,
    /// Set when there may be more after this page.
    pub next: Option<ContactCursor>,
}

impl ContactPage {
    /// Where a search stops counting. Nobody pages through ten thousand matches, and "10,000+" tells
    /// them to narrow the search as well as an exact figure would; an exact count of a broad prefix
    /// ("a", "gr") would read every match, which at a million contacts blows the page's time budget.
    pub const COUNT_CAP: i64 = 10_000;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn queries_are_cleaned_up() {
        let q = ContactQuery::new("  Ada ", "bogus", "garbage", Some(100_000));
        assert_eq!(q.search.as_deref(), Some("Ada"));
        assert_eq!(q.sort, ContactSort::RecentlyUpdated);
        assert_eq!(q.after, None);
        assert_eq!(q.limit, ContactQuery::MAX_LIMIT);
    }

    proptest! {
        #[test]
        fn cursors_round_trip(key in ".{0,40}", id in any::<i64>().prop_filter("non-negative", |i| *i >= 0)) {
            let cursor = ContactCursor { key, id };
            prop_assert_eq!(ContactCursor::decode(&cursor.encode()), Some(cursor));
        }

        #[test]
        fn decoding_never_panics(raw in ".{0,40}") {
            let _ = ContactCursor::decode(&raw);
        }
    }
}
