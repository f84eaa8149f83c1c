//! A typed argument for server functions whose input is JSON (`#[server(input = Json)]`): a sync's
//! configuration and its filter are nested lists a URL-encoded form cannot carry, so they travel as JSON.
//!
//! Decoding the body is not allowed to be the first check, though. A server function proves the caller's
//! role before it judges the input (a member is told "forbidden", not what was wrong with it), and a bad
//! argument is a 422 naming its field, like any other bad input. Had the argument been a plain `T`, Leptos
//! would refuse it before the function runs, with neither. So an argument that is not a `T` is kept as it
//! came, and [`JsonArg::read`] reports it when the function asks.

use crate::error::ApiError;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone)]
pub struct JsonArg<T>(Result<T, serde_json::Value>);

impl<T> From<T> for JsonArg<T> {
    fn from(value: T) -> Self {
        Self(Ok(value))
    }
}

impl<T> JsonArg<T> {
    /// The argument, or `Invalid` for `field` with `reason` when what came was not a `T`.
    ///
    /// # Errors
    /// The argument did not decode as a `T`.
    pub fn read(self, field: &str, reason: &str) -> Result<T, ApiError> {
        self.0.map_err(|_| ApiError::Invalid {
            field: field.into(),
            reason: reason.into(),
        })
    }
}

impl<T: Serialize> Serialize for JsonArg<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Ok(value) => value.serialize(serializer),
            Err(raw) => raw.serialize(serializer),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for JsonArg<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = serde_json::Value::deserialize(deserializer)?;
        let read = T::deserialize(&raw);
        Ok(Self(read.map_err(|_| raw)))
    }
}

#[cfg(test)]
mod tests {
    use super::JsonArg;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, Serialize, Deserialize)]
    struct Args {
        id: i64,
        config: JsonArg<Config>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Config {
        name: String,
    }

    #[test]
    fn a_well_formed_argument_reads_as_its_type() {
        let args: Args =
            serde_json::from_str(r#"{"id":1,"config":{"name":"Leads"}}"#).expect("args");
        let config = args.config.read("config", "unreadable").expect("config");
        assert_eq!(config.name, "Leads");
    }

    #[test]
    fn a_malformed_argument_is_kept_and_reported_against_its_field() {
        for body in [
            r#"{"id":1,"config":"{not json"}"#,
            r#"{"id":1,"config":{}}"#,
        ] {
            let args: Args =
                serde_json::from_str(body).expect("the rest of the arguments still decode");
            let error = args.config.read("config", "unreadable").expect_err(body);
            assert_eq!(error.field(), Some("config"));
            assert_eq!(error.to_string(), "config: unreadable");
        }
    }

    #[test]
    fn it_goes_over_the_wire_as_its_value() {
        let args = Args {
            id: 1,
            config: Config {
                name: "Leads".into(),
            }
            .into(),
        };
        let json = serde_json::to_string(&args).expect("json");
        assert_eq!(json, r#"{"id":1,"config":{"name":"Leads"}}"#);
    }
}
