//! Reading a bulk request's body with bounded memory.
//!
//! The body is at most [`MAX_BODY_BYTES`](super::MAX_BODY_BYTES). Its `contacts` are read as raw JSON,
//! one slice per item, without building a tree, and the read stops at the item after [`MAX_BULK`]: a
//! body of a million zeros costs its own bytes, not a million parsed values. Each item is parsed into a
//! tree only when its turn comes, and only if it is at most [`MAX_ITEM_BYTES`].

use super::error::V1Error;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::{Error as _, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use std::fmt;

/// Most contacts one bulk request may carry.
pub const MAX_BULK: usize = 10_000;

/// Largest single contact read: far above any real contact (a few hundred bytes of fields), far below
/// what would let one item cost much memory once parsed.
pub const MAX_ITEM_BYTES: usize = 64 * 1024;

/// A turn to take a bulk request in: at most `KOMO_API_BULK_CONCURRENCY` are read and saved at once, so
/// bodies held in memory are bounded too. As an extractor placed before the body, it is taken before the
/// body is read; a request beyond the limit is refused at once (429, `Retry-After: 1`).
pub struct BulkTurn {
    _turn: tokio::sync::OwnedSemaphorePermit,
}

impl FromRequestParts<AppState> for BulkTurn {
    type Rejection = V1Error;

    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, V1Error> {
        state
            .bulk_turns
            .clone()
            .try_acquire_owned()
            .map(|turn| BulkTurn { _turn: turn })
            .map_err(|_| V1Error::Busy)
    }
}

/// The marker our visitor's error starts with, to tell "too many" from malformed JSON.
const TOO_MANY: &str = "too many contacts";

#[derive(Deserialize)]
pub struct BulkBody {
    pub contacts: Items,
}

/// The raw JSON of each contact, in order.
pub struct Items(pub Vec<Box<RawValue>>);

impl<'de> Deserialize<'de> for Items {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(AtMostMaxBulk)
    }
}

struct AtMostMaxBulk;

impl<'de> Visitor<'de> for AtMostMaxBulk {
    type Value = Items;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an array of at most {MAX_BULK} contacts")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Items, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Box<RawValue>>()? {
            if items.len() == MAX_BULK {
                return Err(A::Error::custom(TOO_MANY));
            }
            items.push(item);
        }
        Ok(Items(items))
    }
}

/// Parses a whole bulk body.
///
/// # Errors
/// [`V1Error::TooMany`] at the item after [`MAX_BULK`]; [`V1Error::BadJson`] with serde's position for
/// anything else.
pub fn parse(body: &[u8]) -> Result<BulkBody, V1Error> {
    serde_json::from_slice(body).map_err(|e| {
        if e.to_string().starts_with(TOO_MANY) {
            V1Error::TooMany { max: MAX_BULK }
        } else {
            V1Error::BadJson(format!("the body is not the JSON expected: {e}"))
        }
    })
}

/// One item as a tree, if it is small enough to be a contact.
///
/// # Errors
/// [`V1Error::ItemTooLarge`] above [`MAX_ITEM_BYTES`]; the item itself is valid JSON (the body parsed).
pub fn item(raw: &RawValue) -> Result<serde_json::Value, V1Error> {
    let text = raw.get();
    if text.len() > MAX_ITEM_BYTES {
        return Err(V1Error::ItemTooLarge {
            bytes: text.len(),
            max: MAX_ITEM_BYTES,
        });
    }
    serde_json::from_str(text).map_err(|e| V1Error::BadJson(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_read_stops_at_the_item_after_the_limit() {
        let zeros = format!("{{\"contacts\": [{}]}}", vec!["0"; 1_000_000].join(","));
        assert!(matches!(
            parse(zeros.as_bytes()),
            Err(V1Error::TooMany { .. })
        ));
        let full = format!("{{\"contacts\": [{}]}}", vec!["{}"; MAX_BULK].join(","));
        assert_eq!(
            parse(full.as_bytes())
                .expect("the limit is fine")
                .contacts
                .0
                .len(),
            MAX_BULK
        );
    }

    #[test]
    fn malformed_json_is_told_apart_from_too_many() {
        let error = parse(b"{\"contacts\": [").err().expect("malformed");
        assert!(matches!(error, V1Error::BadJson(_)), "{error}");
    }

    #[test]
    fn an_oversized_item_is_refused_before_it_is_parsed_into_a_tree() {
        let big = format!("[{}]", vec!["0"; MAX_ITEM_BYTES].join(","));
        let raw = RawValue::from_string(big).expect("raw");
        assert!(matches!(item(&raw), Err(V1Error::ItemTooLarge { .. })));
        let small = RawValue::from_string("{\"email\":\"a@b.co\"}".into()).expect("raw");
        assert!(item(&small).expect("parsed").is_object());
    }
}
