//! [`SyncConfig::check`]: Save's rules, one function per part of the page (actions, match, filter, each
//! mapping, required fields), found in page order so the page can show every problem at once.

use super::{
    compatible, Checked, CrmField, MappingSource, MatchAction, NoMatchAction, Place, Problem,
    SyncConfig,
};
use crate::contact::fields::{FieldCatalog, FieldDef, FieldType};
use crate::contact::MAX_TEXT;
use crate::sync::filter::FilterError;

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
        let mut review = Review {
            config: self,
            catalog,
            crm_fields,
            problems: Vec::new(),
            warnings: Vec::new(),
        };
        review.actions();
        let match_field = review.match_pair();
        review.filter();
        let mapped = review.mappings();
        review.required(&mapped);
        let uses_upsert =
            review.inserts() && review.updates() && match_field.is_some_and(|f| f.external_id);
        if review.problems.is_empty() {
            Ok(Checked {
                uses_upsert,
                warnings: review.warnings,
            })
        } else {
            Err(review.problems)
        }
    }
}

/// One [`SyncConfig::check`]: what it checks against, and what it has found so far (in page order).
struct Review<'a> {
    config: &'a SyncConfig,
    catalog: &'a FieldCatalog,
    crm_fields: &'a [CrmField],
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
}

impl<'a> Review<'a> {
    fn inserts(&self) -> bool {
        self.config.on_no_match == NoMatchAction::Insert
    }

    fn updates(&self) -> bool {
        self.config.on_match == MatchAction::Update
    }

    fn object(&self) -> &'static str {
        self.config.object.api_name()
    }

    /// The CRM field called `name` (Salesforce names are case-insensitive).
    fn crm(&self, name: &str) -> Option<&'a CrmField> {
        self.crm_fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    fn problem(&mut self, place: Place, message: String) {
        self.problems.push(Problem { place, message });
    }

    /// At least one of the two actions must change something.
    fn actions(&mut self) {
        if !self.inserts() && !self.updates() {
            self.problem(
                Place::Actions,
                "With \"do nothing\" both when a contact matches and when it does not, the sync would never \
                 change anything: choose Update or Insert."
                    .into(),
            );
        }
    }

    /// Both sides of the match pair exist and can be compared; the CRM side, if it exists.
    fn match_pair(&mut self) -> Option<&'a CrmField> {
        let pair = &self.config.match_pair;
        let match_crm = self.crm(&pair.crm_field);
        let message = match (self.catalog.find(&pair.komo_field), match_crm) {
            (None, _) => Some(format!(
                "Match: \"{}\" is not a Komo contact field",
                pair.komo_field
            )),
            (_, None) => Some(format!(
                "Match: {} has no field \"{}\"",
                self.object(),
                pair.crm_field
            )),
            (Some(komo), Some(field)) if !compatible(komo.field_type, &field.field_type) => {
                Some(format!(
                    "Match: {} cannot be compared with {} ({})",
                    komo.label, field.label, field.field_type
                ))
            }
            _ => None,
        };
        if let Some(message) = message {
            self.problem(Place::Match, message);
        }
        match_crm
    }

    fn filter(&mut self) {
        if let Err((index, error)) = self.config.filter.check(self.catalog) {
            self.problem(Place::Filter(index), filter_message(&error));
        }
    }

    /// Every mapping in order; the CRM fields mapped, for [`Self::required`].
    fn mappings(&mut self) -> Vec<&'a str> {
        let config = self.config;
        let mut mapped: Vec<&str> = Vec::new();
        for (index, mapping) in config.mappings.iter().enumerate() {
            let Some(field) = self.crm(&mapping.crm_field) else {
                let message = format!("{} has no field \"{}\"", self.object(), mapping.crm_field);
                self.problem(Place::Mapping(index), message);
                continue;
            };
            if mapped.iter().any(|m| m.eq_ignore_ascii_case(&field.name)) {
                self.problem(
                    Place::Mapping(index),
                    format!("{} is mapped twice", field.label),
                );
            }
            mapped.push(&field.name);
            self.writable(index, field);
            match &mapping.source {
                MappingSource::Field(key) => self.field_source(index, key, field),
                MappingSource::Constant(value) => self.constant_source(index, value, field),
            }
        }
        mapped
    }

    /// The sync writes `field` on insert or on update, so Salesforce must let it.
    fn writable(&mut self, index: usize, field: &CrmField) {
        if !(self.inserts() && field.createable || self.updates() && field.updateable) {
            self.problem(
                Place::Mapping(index),
                format!(
                    "{} cannot be written by this sync (Salesforce marks it read-only)",
                    field.label
                ),
            );
        }
    }

    /// A Komo field mapped to `field`: it must exist and fit; a value that may be too long is a warning.
    fn field_source(&mut self, index: usize, key: &str, field: &CrmField) {
        match self.catalog.find(key) {
            None => self.problem(
                Place::Mapping(index),
                format!("\"{key}\" is not a Komo contact field"),
            ),
            Some(komo) if !compatible(komo.field_type, &field.field_type) => self.problem(
                Place::Mapping(index),
                format!(
                    "{} cannot be written to {} ({})",
                    komo.label, field.label, field.field_type
                ),
            ),
            Some(komo) => {
                if let Some(message) = length_warning(komo, field) {
                    self.warnings.push(Problem {
                        place: Place::Mapping(index),
                        message,
                    });
                }
            }
        }
    }

    /// A constant mapped to `field` must be a value it accepts.
    fn constant_source(&mut self, index: usize, value: &str, field: &CrmField) {
        if let Err(reason) = constant_fits(value, field) {
            self.problem(Place::Mapping(index), format!("{}: {reason}", field.label));
        }
    }

    /// An insert must set every field Salesforce requires: mapped, or the match field itself.
    fn required(&mut self, mapped: &[&str]) {
        if !self.inserts() {
            return;
        }
        let match_field = &self.config.match_pair.crm_field;
        let missing: Vec<&str> = self
            .crm_fields
            .iter()
            .filter(|f| f.required)
            .filter(|f| !f.name.eq_ignore_ascii_case(match_field))
            .filter(|f| !mapped.iter().any(|m| m.eq_ignore_ascii_case(&f.name)))
            .map(|f| f.label.as_str())
            .collect();
        if !missing.is_empty() {
            let message = format!(
                "{} requires {} on insert: map a Komo field or a constant to {}",
                self.object(),
                missing.join(", "),
                if missing.len() == 1 { "it" } else { "each" }
            );
            self.problem(Place::Required, message);
        }
    }
}

/// A warning when a Komo value may be longer than `field` holds (picklists are checked by value instead).
fn length_warning(komo: &FieldDef, field: &CrmField) -> Option<String> {
    let longest = if matches!(komo.field_type, FieldType::Tags) {
        usize::MAX
    } else {
        MAX_TEXT
    };
    let limit = usize::try_from(field.length).unwrap_or(usize::MAX);
    (limit > 0 && limit < longest && field.field_type != "picklist").then(|| {
        format!(
            "{} holds up to {} characters: a contact with a longer {} is reported as invalid and not sent",
            field.label, field.length, komo.label
        )
    })
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
