use serde::{Deserialize, Serialize};
use std::fmt;

/// An email address that passed validation, trimmed and lower-cased.
///
/// Lower-casing is deliberate: sign-in and (later) contact matching treat email case-insensitively, and
/// Salesforce stores Email lower-cased too, so one canonical form avoids a class of near-duplicates.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("email is empty")]
    Empty,
    #[error("\"{0}\" is not a valid email address")]
    Invalid(String),
}

impl EmailAddress {
    /// Parses a raw address typed by a person or found in a file.
    ///
    /// # Errors
    /// [`EmailError::Empty`] for blank input, [`EmailError::Invalid`] naming the input otherwise.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        let lowered = trimmed.to_lowercase();
        // `email_address` follows RFC 5322 but accepts dotless domains (`a@b`), which no mailbox we sync has.
        let has_dotted_domain = lowered
            .rsplit_once('@')
            .is_some_and(|(_, domain)| domain.contains('.') && !domain.ends_with('.'));
        if has_dotted_domain && email_address::EmailAddress::is_valid(&lowered) {
            Ok(Self(lowered))
        } else {
            Err(EmailError::Invalid(trimmed.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = EmailError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<EmailAddress> for String {
    fn from(email: EmailAddress) -> Self {
        email.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn valid_addresses_are_trimmed_and_lower_cased() {
        let email = EmailAddress::parse("  Ada.Lovelace@Example.COM ").expect("valid");
        assert_eq!(email.as_str(), "ada.lovelace@example.com");
    }

    #[test]
    fn invalid_addresses_are_refused_with_the_input_named() {
        for raw in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada @example.com",
            "a@b.",
        ] {
            let err = EmailAddress::parse(raw).expect_err(raw);
            assert_eq!(err, EmailError::Invalid(raw.trim().to_owned()), "{raw}");
        }
        assert_eq!(EmailAddress::parse("   "), Err(EmailError::Empty));
    }

    proptest! {
        #[test]
        fn any_simple_address_parses_and_round_trips(
            user in "[a-zA-Z0-9._%+-]{1,20}",
            host in "[a-z0-9-]{1,15}",
            tld in "[a-z]{2,6}",
        ) {
            prop_assume!(!user.starts_with('.') && !user.ends_with('.') && !user.contains(".."));
            prop_assume!(!host.starts_with('-') && !host.ends_with('-'));
            let raw = format!("{user}@{host}.{tld}");
            let email = EmailAddress::parse(&raw).expect("valid address");
            prop_assert_eq!(email.as_str(), raw.to_lowercase());
            prop_assert_eq!(EmailAddress::parse(email.as_str()).expect("reparse"), email);
        }

        #[test]
        fn parsing_never_panics(raw in ".{0,64}") {
            let _ = EmailAddress::parse(&raw);
        }
    }
}
