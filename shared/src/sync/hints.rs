//! One line on how to fix each error a run log can show, keyed by Salesforce's `statusCode` / `errorCode`
//! (doc §7) or by the engine's own codes. The run page shows it beside each group of errors, so a marketer
//! knows whether to fix the data in Komo, the sync's mapping, or ask their Salesforce admin.

/// The hint for `code`; a general one for a code we have no advice for.
pub fn hint(code: &str) -> &'static str {
    match code {
        "REQUIRED_FIELD_MISSING" => {
            "Map a Komo field or a constant to the required Salesforce field, or filter out contacts without it."
        }
        "STRING_TOO_LONG" => {
            "The value is longer than the Salesforce field allows: shorten it in Komo or map a longer field."
        }
        "INVALID_EMAIL_ADDRESS" => {
            "Salesforce refused the email format: correct the contact's email in Komo."
        }
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" => {
            "The value is not one of the picklist's values: add it to the picklist in Salesforce or map a constant."
        }
        "DUPLICATE_VALUE" => {
            "Another record already holds this unique value: match on that field so the sync updates it instead."
        }
        "DUPLICATES_DETECTED" => {
            "An org duplicate rule blocked the save: match on email, or ask your admin to allow the save."
        }
        "DUPLICATE_MATCH" => {
            "Several Salesforce records share this match value: merge them, or change the sync's duplicate policy."
        }
        "FIELD_CUSTOM_VALIDATION_EXCEPTION" => {
            "An org validation rule refused the record: the message names it; fix the data or ask your admin."
        }
        "INVALID_FIELD_FOR_INSERT_UPDATE" | "INVALID_FIELD" | "NO_SUCH_COLUMN" => {
            "The sync writes a field Salesforce no longer accepts: open Configure, Refresh fields and fix the mapping."
        }
        "INSUFFICIENT_ACCESS_OR_READONLY" | "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY" => {
            "The connected app's user may not edit this record: ask your admin for access."
        }
        "ENTITY_IS_DELETED" => {
            "The matched record was deleted in Salesforce: run the sync again to insert it anew."
        }
        "UNABLE_TO_LOCK_ROW" => {
            "Another process held the record locked after several retries: retry the failed rows later."
        }
        "ANSWER_LOST" => {
            "Salesforce's answer never arrived and no record was found by the match key: retry the failed rows."
        }
        "REQUEST_LIMIT_EXCEEDED" => {
            "The org ran out of daily API requests: retry the failed rows once its 24-hour usage has gone down."
        }
        "INVALID" => "The contact could not be mapped: the message says which field; fix it in Komo.",
        _ => "Salesforce's message says what it refused; fix the contact in Komo or the sync's mapping, then retry.",
    }
}

#[cfg(test)]
mod tests {
    use super::hint;

    #[test]
    fn known_codes_have_their_own_hint_and_others_a_general_one() {
        assert!(hint("REQUIRED_FIELD_MISSING").contains("required"));
        assert!(hint("STRING_TOO_LONG").contains("longer"));
        assert_ne!(hint("DUPLICATE_VALUE"), hint("SOMETHING_NEW"));
        assert!(hint("SOMETHING_NEW").contains("message"));
    }
}
