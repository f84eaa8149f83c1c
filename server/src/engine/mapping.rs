//! A contact mapped onto the CRM object: the match value and, per mapping, the value to write, each coerced
//! and checked against the describe ([`super::coerce`]). A contact Salesforce would refuse comes out as
//! [`Invalid`] with every reason, before any API call is spent on it.
//!
//! **A blank Komo value is left out, on insert and on update; it never clears the CRM value.** A marketing
//! user expects Komo to add what it knows, not to wipe a phone number a salesperson typed into Salesforce
//! because the Komo contact has none. Clearing a CRM field is done in Salesforce. A required field left
//! blank makes an insert invalid ([`MappedContact::refused_on_insert`]) but not an update.

use super::coerce::{coerce, Refusal};
use super::index::MatchKey;
use super::komo_value::{value_of, KomoValue};
use super::overwrite::Compare;
use serde_json::Value;
use shared::contact::Contact;
use shared::sync::config::{FieldMapping, MappingSource, Overwrite, SyncConfig};
use shared::sync::crm::CrmField;

/// Why a contact cannot be pushed. `Display` is `reason`, which names every field at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{reason}")]
pub struct Invalid {
    /// The API name of the (first) Salesforce field at fault.
    pub field: String,
    /// One sentence per fault, joined with "; ", each starting with the field's label and API name.
    pub reason: String,
    /// Salesforce's error code for the (first) fault, e.g. `STRING_TOO_LONG`, when it has one: the run
    /// log shows our refusals like Salesforce's.
    pub code: Option<&'static str>,
}

/// The mapping cannot run at all; every contact would fail the same way. Save's check prevents both, so
/// this means the org changed since (a field removed or hidden from the run-as user).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MappingError {
    #[error("{object} has no field \"{field}\" that the run-as user can see")]
    NoSuchField { object: &'static str, field: String },
    #[error("{label} ({field}): the constant \"{constant}\" would be refused: {refusal}")]
    Constant {
        label: String,
        field: String,
        constant: String,
        refusal: Refusal,
    },
    #[error("{label} ({field}): the constant is blank")]
    BlankConstant { label: String, field: String },
}

/// One value bound for one CRM field.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedValue {
    /// The API name as the describe spells it.
    pub field: String,
    /// Never null or blank: blanks are left out.
    pub value: Value,
    pub overwrite: Overwrite,
    pub compare: Compare,
}

/// A contact as the CRM will see it.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedContact {
    pub contact_id: i64,
    /// The match value as compared with the lookup's records.
    pub match_key: MatchKey,
    /// The match value as sent: in the lookup, as an upsert's key, and on insert.
    pub match_value: Value,
    /// Mapped values in mapping order, blanks left out.
    pub values: Vec<MappedValue>,
    /// Set when a field Salesforce requires on create is blank for this contact; an update is still fine.
    pub refused_on_insert: Option<Invalid>,
}

/// A mapping resolved against the describe once per run.
#[derive(Debug, Clone)]
struct Resolved {
    field: CrmField,
    source: Source,
    overwrite: Overwrite,
}

#[derive(Debug, Clone)]
enum Source {
    Field(String),
    /// Coerced once: the same for every contact.
    Constant(Value),
}

/// Maps contacts for one sync; built once per run from the config and the live describe.
#[derive(Debug, Clone)]
pub struct Mapper {
    object: &'static str,
    match_source: String,
    match_field: CrmField,
    mappings: Vec<Resolved>,
}

fn find<'a>(describe: &'a [CrmField], name: &str) -> Option<&'a CrmField> {
    describe.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

impl Mapper {
    /// # Errors
    /// A field the config names is missing from the describe, or a constant no longer fits its field.
    pub fn new(config: &SyncConfig, describe: &[CrmField]) -> Result<Self, MappingError> {
        let object = config.object.api_name();
        let field = |name: &str| {
            find(describe, name).ok_or_else(|| MappingError::NoSuchField {
                object,
                field: name.to_owned(),
            })
        };
        let match_field = field(&config.match_pair.crm_field)?.clone();
        let mappings = config
            .mappings
            .iter()
            .map(|mapping| resolve(mapping, field(&mapping.crm_field)?))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            object,
            match_source: config.match_pair.komo_field.clone(),
            match_field,
            mappings,
        })
    }

    /// The object's API name.
    pub fn object(&self) -> &'static str {
        self.object
    }

    pub fn match_field(&self) -> &CrmField {
        &self.match_field
    }

    /// The mapped CRM fields, in mapping order.
    pub fn fields(&self) -> impl Iterator<Item = &CrmField> {
        self.mappings.iter().map(|m| &m.field)
    }

    /// Whether any mapping needs the record's current value to decide (a rule other than "always").
    pub fn has_conditional_rules(&self) -> bool {
        self.mappings
            .iter()
            .any(|m| m.overwrite != Overwrite::Always)
    }

    /// # Errors
    /// Every value Salesforce would refuse, and a blank match value (it could match nothing).
    pub fn map(&self, contact: &Contact) -> Result<MappedContact, Invalid> {
        let mut faults: Vec<Fault> = Vec::new();
        let mut matched = None;
        match coerce(&value_of(contact, &self.match_source), &self.match_field) {
            Ok(value) => match value.and_then(|v| MatchKey::of(&v).map(|key| (v, key))) {
                Some(pair) => matched = Some(pair),
                None => faults.push(Fault::no_match_value(&self.match_field, &self.match_source)),
            },
            Err(refusal) => faults.push(Fault::refused(
                &self.match_field,
                &self.match_source,
                &refusal,
            )),
        }
        let mut values = Vec::new();
        let mut missing: Vec<(&CrmField, &str)> = Vec::new();
        for mapping in &self.mappings {
            let value = match &mapping.source {
                Source::Constant(value) => Some(value.clone()),
                Source::Field(key) => match coerce(&value_of(contact, key), &mapping.field) {
                    Ok(value) => value,
                    Err(refusal) => {
                        faults.push(Fault::refused(&mapping.field, key, &refusal));
                        continue;
                    }
                },
            };
            match value {
                Some(value) => values.push(MappedValue {
                    field: mapping.field.name.clone(),
                    value,
                    overwrite: mapping.overwrite,
                    compare: Compare::for_type(&mapping.field.field_type),
                }),
                None if mapping.field.required => {
                    if let Source::Field(key) = &mapping.source {
                        missing.push((&mapping.field, key));
                    }
                }
                None => {}
            }
        }
        match matched {
            Some((match_value, match_key)) if faults.is_empty() => Ok(MappedContact {
                contact_id: contact.id,
                match_key,
                match_value,
                values,
                refused_on_insert: required_missing(self.object, &missing),
            }),
            _ => Err(Fault::combine(faults)),
        }
    }
}

fn resolve(mapping: &FieldMapping, field: &CrmField) -> Result<Resolved, MappingError> {
    let source = match &mapping.source {
        MappingSource::Field(key) => Source::Field(key.clone()),
        MappingSource::Constant(constant) => match coerce(&KomoValue::text(constant), field) {
            Ok(Some(value)) => Source::Constant(value),
            // Save refuses a blank constant; one that slipped through would silently write nothing.
            Ok(None) => {
                return Err(MappingError::BlankConstant {
                    label: field.label.clone(),
                    field: field.name.clone(),
                })
            }
            Err(refusal) => {
                return Err(MappingError::Constant {
                    label: field.label.clone(),
                    field: field.name.clone(),
                    constant: constant.clone(),
                    refusal,
                })
            }
        },
    };
    Ok(Resolved {
        field: field.clone(),
        source,
        overwrite: mapping.overwrite,
    })
}

/// One problem with one field, on its way into [`Invalid`].
struct Fault {
    field: String,
    sentence: String,
    code: Option<&'static str>,
}

impl Fault {
    fn refused(field: &CrmField, source: &str, refusal: &Refusal) -> Self {
        Self {
            field: field.name.clone(),
            sentence: format!("{} ({}) from {source}: {refusal}", field.label, field.name),
            code: refusal.code(),
        }
    }

    fn no_match_value(field: &CrmField, source: &str) -> Self {
        Self {
            field: field.name.clone(),
            sentence: format!(
                "{} ({}) is what this sync matches on, but {source} is empty",
                field.label, field.name
            ),
            code: None,
        }
    }

    fn combine(faults: Vec<Fault>) -> Invalid {
        let field = faults.first().map(|p| p.field.clone()).unwrap_or_default();
        let code = faults.first().and_then(|p| p.code);
        let reason = faults
            .into_iter()
            .map(|p| p.sentence)
            .collect::<Vec<_>>()
            .join("; ");
        Invalid {
            field,
            reason,
            code,
        }
    }
}

fn required_missing(object: &str, missing: &[(&CrmField, &str)]) -> Option<Invalid> {
    let (first, _) = missing.first()?;
    let fields: Vec<String> = missing
        .iter()
        .map(|(f, key)| format!("{} ({}) from {key}", f.label, f.name))
        .collect();
    Some(Invalid {
        field: first.name.clone(),
        reason: format!(
            "{object} requires {} to create a record, but this contact leaves {} empty",
            fields.join(", "),
            if missing.len() == 1 { "it" } else { "them" }
        ),
        code: Some("REQUIRED_FIELD_MISSING"),
    })
}

#[cfg(test)]
mod tests;
