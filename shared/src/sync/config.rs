//! A sync's configuration and the rules Save enforces. The same function runs in the browser (problems shown
//! beside their fields as the user types) and on the server (nothing invalid is stored).

use super::crm::{CrmField, CrmObject};
use super::filter::{Filter, FilterError};
use crate::contact::fields::{FieldCatalog, FieldType};
use crate::contact::MAX_TEXT;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum MatchAction {
    #[default]
    Update,
    DoNothing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum NoMatchAction {
    #[default]
    Insert,
    DoNothing,
}

/// What to do when several CRM records match one contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum DuplicatePolicy {
    #[default]
    MarkAsError,
    UpdateAll,
    UpdateMostRecent,
}

/// When a mapped value may replace what the CRM already holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Overwrite {
    #[default]
    Always,
    OnlyWhenEmpty,
    NeverOnUpdate,
}

impl MatchAction {
    pub const ALL: [MatchAction; 2] = [MatchAction::Update, MatchAction::DoNothing];
    pub fn label(self) -> &'static str {
        match self {
            MatchAction::Update => "Update the CRM record",
            MatchAction::DoNothing => "Do nothing",
        }
    }
}

impl NoMatchAction {
    pub const ALL: [NoMatchAction; 2] = [NoMatchAction::Insert, NoMatchAction::DoNothing];
    pub fn label(self) -> &'static str {
        match self {
            NoMatchAction::Insert => "Insert a new CRM record",
            NoMatchAction::DoNothing => "Do nothing",
        }
    }
}

impl DuplicatePolicy {
    pub const ALL: [DuplicatePolicy; 3] = [
        DuplicatePolicy::MarkAsError,
        DuplicatePolicy::UpdateAll,
        DuplicatePolicy::UpdateMostRecent,
    ];
    pub fn label(self) -> &'static str {
        match self {
            DuplicatePolicy::MarkAsError => "Mark the contact as an error",
            DuplicatePolicy::UpdateAll => "Update all matching records",
            DuplicatePolicy::UpdateMostRecent => "Update the most recently modified record",
        }
    }
}

impl Overwrite {
    pub const ALL: [Overwrite; 3] = [
        Overwrite::Always,
        Overwrite::OnlyWhenEmpty,
        Overwrite::NeverOnUpdate,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Overwrite::Always => "Always overwrite",
            Overwrite::OnlyWhenEmpty => "Only when the CRM value is empty",
            Overwrite::NeverOnUpdate => "Never on update (set on insert only)",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MappingSource {
    /// A Komo field, by catalog key.
    Field(String),
    /// The same value for every contact.
    Constant(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldMapping {
    pub source: MappingSource,
    pub crm_field: String,
    #[serde(default)]
    pub overwrite: Overwrite,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchPair {
    pub komo_field: String,
    pub crm_field: String,
}

impl Default for MatchPair {
    /// Email ↔ Email, the pair the builder suggests.
    fn default() -> Self {
        Self {
            komo_field: "email".into(),
            crm_field: "Email".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SyncConfig {
    pub object: CrmObject,
    pub match_pair: MatchPair,
    pub on_match: MatchAction,
    pub on_no_match: NoMatchAction,
    pub duplicates: DuplicatePolicy,
    pub filter: Filter,
    pub mappings: Vec<FieldMapping>,
}

/// Where a problem belongs on the configuration page, so it can be shown beside that control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Place {
    Actions,
    Match,
    Filter(usize),
    Mapping(usize),
    Required,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub place: Place,
    pub message: String,
}

/// What a valid configuration means for the push engine, and what the user should know.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Checked {
    /// The CRM match field is an External ID and both actions are on: one upsert call does insert and update.
    pub uses_upsert: bool,
    /// Not errors: e.g. a value that may be cut to the CRM field's length.
    pub warnings: Vec<Problem>,
}

/// Whether a Komo value of `komo` type can be written to a Salesforce field of `crm` type.
pub fn compatible(komo: FieldType, crm: &str) -> bool {
    use FieldType as T;
    match crm {
        "string" | "textarea" | "phone" | "url" | "combobox" | "encryptedstring" => {
            matches!(
                komo,
                T::Text | T::Email | T::Phone | T::SingleChoice | T::Number | T::Date
            )
        }
        "email" => matches!(komo, T::Email | T::Text),
        "picklist" => matches!(komo, T::Text | T::SingleChoice),
        "multipicklist" => matches!(komo, T::Tags | T::SingleChoice | T::Text),
        "boolean" => komo == T::Boolean,
        "double" | "int" | "long" | "currency" | "percent" => komo == T::Number,
        "date" => komo == T::Date,
        "datetime" => matches!(komo, T::Timestamp | T::Date),
        _ => false,
    }
}

impl SyncConfig {
    /// Checks everything Save needs against the contact catalog and the CRM object's fields.
    ///
    /// # Errors
    /// Every problem found, each with its place, so the page can show them all at once.
    pub fn check(
        &self,
        catalog: &FieldCatalog,
        crm_fields: &[CrmField],
    ) -> Result<Checked, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut warnings = Vec::new();
        let crm = |name: &str| {
            crm_fields
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(name))
        };
        let object = self.object.api_name();
        let inserts = self.on_no_match == NoMatchAction::Insert;
        let updates = self.on_match == MatchAction::Update;
        if !inserts && !updates {
            problems.push(Problem {
                place: Place::Actions,
                message: "With \"do nothing\" both when a contact matches and when it does not, the sync would never \
                          change anything: choose Update or Insert."
                    .into(),
            });
        }

        let match_crm = crm(&self.match_pair.crm_field);
        match (catalog.find(&self.match_pair.komo_field), match_crm) {
            (None, _) => problems.push(Problem {
                place: Place::Match,
                message: format!(
                    "Match: \"{}\" is not a Komo contact field",
                    self.match_pair.komo_field
                ),
            }),
            (_, None) => problems.push(Problem {
                place: Place::Match,
                message: format!(
                    "Match: {object} has no field \"{}\"",
                    self.match_pair.crm_field
                ),
            }),
            (Some(komo), Some(field)) if !compatible(komo.field_type, &field.field_type) => {
                problems.push(Problem {
                    place: Place::Match,
                    message: format!(
                        "Match: {} cannot be compared with {} ({})",
                        komo.label, field.label, field.field_type
                    ),
                })
            }
            _ => {}
        }
        let uses_upsert = inserts && updates && match_crm.is_some_and(|f| f.external_id);

        if let Err((index, error)) = self.filter.check(catalog) {
            problems.push(Problem {
                place: Place::Filter(index),
                message: filter_message(&error),
            });
        }

        let mut mapped: Vec<&str> = Vec::new();
        for (index, mapping) in self.mappings.iter().enumerate() {
            let place = || Place::Mapping(index);
            let Some(field) = crm(&mapping.crm_field) else {
                problems.push(Problem {
                    place: place(),
                    message: format!("{object} has no field \"{}\"", mapping.crm_field),
                });
                continue;
            };
            if mapped.iter().any(|m| m.eq_ignore_ascii_case(&field.name)) {
                problems.push(Problem {
                    place: place(),
                    message: format!("{} is mapped twice", field.label),
                });
            }
            mapped.push(&field.name);
            if !(inserts && field.createable || updates && field.updateable) {
                problems.push(Problem {
                    place: place(),
                    message: format!(
                        "{} cannot be written by this sync (Salesforce marks it read-only)",
                        field.label
                    ),
                });
            }
            match &mapping.source {
                MappingSource::Field(key) => match catalog.find(key) {
                    None => problems.push(Problem {
                        place: place(),
                        message: format!("\"{key}\" is not a Komo contact field"),
                    }),
                    Some(komo) if !compatible(komo.field_type, &field.field_type) => {
                        problems.push(Problem {
                            place: place(),
                            message: format!(
                                "{} cannot be written to {} ({})",
                                komo.label, field.label, field.field_type
                            ),
                        })
                    }
                    Some(komo) => {
                        let longest = if matches!(komo.field_type, FieldType::Tags) {
                            usize::MAX
                        } else {
                            MAX_TEXT
                        };
                        let limit = usize::try_from(field.length).unwrap_or(usize::MAX);
                        if limit > 0 && limit < longest && field.field_type != "picklist" {
                            warnings.push(Problem {
                                place: place(),
                                message: format!(
                                    "{} holds up to {} characters: a contact with a longer {} is reported as invalid and not sent",
                                    field.label, field.length, komo.label
                                ),
                            });
                        }
                    }
                },
                MappingSource::Constant(value) => {
                    if let Err(reason) = constant_fits(value, field) {
                        problems.push(Problem {
                            place: place(),
                            message: format!("{}: {reason}", field.label),
                        });
                    }
                }
            }
        }

        if inserts {
            let missing: Vec<&str> = crm_fields
                .iter()
                .filter(|f| f.required)
                .filter(|f| !f.name.eq_ignore_ascii_case(&self.match_pair.crm_field))
                .filter(|f| !mapped.iter().any(|m| m.eq_ignore_ascii_case(&f.name)))
                .map(|f| f.label.as_str())
                .collect();
            if !missing.is_empty() {
                problems.push(Problem {
                    place: Place::Required,
                    message: format!(
                        "{object} requires {} on insert: map a Komo field or a constant to {}",
                        missing.join(", "),
                        if missing.len() == 1 { "it" } else { "each" }
                    ),
                });
            }
        }

        if problems.is_empty() {
            Ok(Checked {
                uses_upsert,
                warnings,
            })
        } else {
            Err(problems)
        }
    }
}

fn filter_message(error: &FilterError) -> String {
    format!("Filter: {error}")
}

/// A constant must be a value the CRM field accepts.
fn constant_fits(value: &str, field: &CrmField) -> Result<(), String> {
    let value = value.trim();
    if value.is_empty() {
        return Err("enter the constant value".into());
    }
    let fits_length = field.length == 0
        || value.chars().count() <= usize::try_from(field.length).unwrap_or(usize::MAX);
    match field.field_type.as_str() {
        "boolean" if !matches!(value, "true" | "false") => Err("enter true or false".into()),
        "double" | "int" | "long" | "currency" | "percent" if value.parse::<f64>().is_err() => {
            Err("enter a number".into())
        }
        "picklist"
            if field.restricted_picklist && !field.picklist_values.iter().any(|v| v == value) =>
        {
            Err(format!(
                "choose one of: {}",
                field.picklist_values.join(", ")
            ))
        }
        "reference" | "id" => Err("cannot be set to a constant".into()),
        _ if !fits_length => Err(format!("at most {} characters", field.length)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
