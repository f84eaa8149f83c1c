//! A sync's configuration and the rules Save enforces. The same function runs in the browser (problems shown
//! beside their fields as the user types) and on the server (nothing invalid is stored). The rules are
//! [`SyncConfig::check`], in `config/check.rs`.

mod check;
#[cfg(test)]
mod tests;

use super::crm::{CrmField, CrmObject};
use super::filter::Filter;
use crate::contact::fields::FieldType;
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
