//! The decision per contact: insert, update, upsert, skip, unchanged, invalid or a duplicate-match error.
//! Pure: the run hands in the contact, the previous push hash and what the lookup found, and sends what comes
//! out.
//!
//! A run goes: [`Planner::new`] once → [`Planner::prepare`] per contact, which settles invalid, unchanged
//! and upsert contacts without any lookup → one lookup (SOQL on [`Planner::lookup_fields`]) for the match
//! keys of the rest → [`Planner::decide`] for each of those with its matches.
//!
//! Upsert by External ID (one call, no lookup) is used when the sync inserts and updates and matches on an
//! External ID, **unless a mapping's overwrite rule is "only when empty" or "never on update"**: those need
//! the record's current values, which an upsert never sees, so such a sync looks up and then inserts or
//! updates instead. Correct first, one query cheaper second.

use super::decision::{Decision, Planned, RecordWrite, Skip, Unchanged, Values};
use super::hash::PushHash;
use super::index::{CrmIndex, CrmRecord, MatchKey};
use super::mapping::{MappedContact, Mapper, MappingError};
use super::overwrite::should_write;
use serde_json::Value;
use shared::contact::fields::FieldCatalog;
use shared::contact::Contact;
use shared::sync::config::{DuplicatePolicy, MatchAction, NoMatchAction, Problem, SyncConfig};
use shared::sync::crm::CrmField;

/// How the run reaches existing records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Strategy {
    /// Look the match keys up, then insert and update separately.
    Lookup { match_field: String },
    /// Upsert by this External ID field; no lookup.
    Upsert { key_field: String },
}

/// The run cannot start: the sync no longer fits the org. Nothing is pushed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error("the sync no longer fits Salesforce: {}", messages(.0))]
    Config(Vec<Problem>),
    #[error(transparent)]
    Mapping(#[from] MappingError),
}

fn messages(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| p.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// After [`Planner::prepare`]: decided, or waiting for the lookup.
#[derive(Debug, Clone, PartialEq)]
pub enum Prepared {
    Done(Planned),
    Lookup(Pending),
}

/// A contact whose decision needs the CRM records matching its key.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    mapped: MappedContact,
    hash: PushHash,
}

impl Pending {
    pub fn contact_id(&self) -> i64 {
        self.mapped.contact_id
    }

    /// What the lookup's results are indexed by ([`CrmIndex`]).
    pub fn key(&self) -> &MatchKey {
        &self.mapped.match_key
    }

    /// The value to put in the lookup's `IN (…)` list.
    pub fn match_value(&self) -> &Value {
        &self.mapped.match_value
    }
}

/// One run's rules, fixed when it starts.
#[derive(Debug, Clone)]
pub struct Planner {
    mapper: Mapper,
    strategy: Strategy,
    on_match: MatchAction,
    on_no_match: NoMatchAction,
    duplicates: DuplicatePolicy,
    full_resync: bool,
}

impl Planner {
    /// Checks the sync against the live describe again (Save checked it against the describe of its day)
    /// and prepares the mapping. `full_resync` ignores the previous push hashes.
    ///
    /// # Errors
    /// [`PlanError::Config`] with Save's problems; [`PlanError::Mapping`] if a constant no longer fits.
    pub fn new(
        config: &SyncConfig,
        catalog: &FieldCatalog,
        describe: &[CrmField],
        full_resync: bool,
    ) -> Result<Self, PlanError> {
        let checked = config.check(catalog, describe).map_err(PlanError::Config)?;
        let mapper = Mapper::new(config, describe)?;
        let match_field = mapper.match_field().name.clone();
        let strategy = if checked.uses_upsert && !mapper.has_conditional_rules() {
            Strategy::Upsert {
                key_field: match_field,
            }
        } else {
            Strategy::Lookup { match_field }
        };
        Ok(Self {
            mapper,
            strategy,
            on_match: config.on_match,
            on_no_match: config.on_no_match,
            duplicates: config.duplicates,
            full_resync,
        })
    }

    pub fn strategy(&self) -> &Strategy {
        &self.strategy
    }

    /// The match field and the mapped fields, as the describe has them.
    pub fn mapper(&self) -> &Mapper {
        &self.mapper
    }

    /// The object's API name.
    pub fn object(&self) -> &'static str {
        self.mapper.object()
    }

    /// What the lookup selects: `Id`, `LastModifiedDate`, the match field and every mapped field (their
    /// current values let the rules skip values Salesforce already holds), in the describe's spelling.
    pub fn lookup_fields(&self) -> Vec<String> {
        let mut fields: Vec<String> = vec!["Id".into(), "LastModifiedDate".into()];
        let named = std::iter::once(self.mapper.match_field()).chain(self.mapper.fields());
        for field in named {
            if !fields.iter().any(|f| f.eq_ignore_ascii_case(&field.name)) {
                fields.push(field.name.clone());
            }
        }
        fields
    }

    /// Maps the contact and settles what needs no lookup: invalid, unchanged since `previous` (the hash
    /// stored at its last successful push), or an upsert.
    pub fn prepare(&self, contact: &Contact, previous: Option<&PushHash>) -> Prepared {
        let mapped = match self.mapper.map(contact) {
            Ok(mapped) => mapped,
            Err(invalid) => {
                return Prepared::Done(Planned {
                    contact_id: contact.id,
                    key: None,
                    hash: None,
                    decision: Decision::Invalid(invalid),
                })
            }
        };
        let hash = PushHash::of(self.object(), &self.mapper.match_field().name, &mapped);
        let done = |hash, decision| {
            Prepared::Done(Planned {
                contact_id: mapped.contact_id,
                key: Some(mapped.match_key.clone()),
                hash,
                decision,
            })
        };
        if !self.full_resync && previous == Some(&hash) {
            return done(None, Decision::Unchanged(Unchanged::SinceLastPush));
        }
        match &self.strategy {
            // An upsert that inserts may still hit a blank required field (`refused_on_insert`), but it may
            // as well update an existing record, so it is sent and Salesforce's answer is logged.
            Strategy::Upsert { key_field } => {
                let values = self.insert_values(&mapped);
                let decision = Decision::Upsert {
                    key_field: key_field.clone(),
                    values,
                };
                done(Some(hash), decision)
            }
            Strategy::Lookup { .. } => Prepared::Lookup(Pending { mapped, hash }),
        }
    }

    /// Decides a pending contact from the records its key matched (empty: no match).
    pub fn decide(&self, pending: Pending, matches: &[CrmRecord]) -> Planned {
        let Pending { mapped, hash } = pending;
        let decision = self.decide_mapped(&mapped, matches);
        let keeps_hash = decision.writes()
            || matches!(
                decision,
                Decision::Unchanged(Unchanged::AlreadyInCrm { .. })
            );
        Planned {
            contact_id: mapped.contact_id,
            key: Some(mapped.match_key),
            hash: keeps_hash.then_some(hash),
            decision,
        }
    }

    /// [`Self::prepare`] then, if needed, [`Self::decide`] with the records `index` holds for the key.
    pub fn plan(
        &self,
        contact: &Contact,
        previous: Option<&PushHash>,
        index: &CrmIndex,
    ) -> Planned {
        match self.prepare(contact, previous) {
            Prepared::Done(planned) => planned,
            Prepared::Lookup(pending) => {
                let matches = index.matches(pending.key());
                self.decide(pending, matches)
            }
        }
    }

    fn decide_mapped(&self, mapped: &MappedContact, matches: &[CrmRecord]) -> Decision {
        let mut records: Vec<&CrmRecord> = Vec::with_capacity(matches.len());
        for record in matches {
            if !records.iter().any(|r| r.id == record.id) {
                records.push(record);
            }
        }
        let ids = |records: &[&CrmRecord]| records.iter().map(|r| r.id.clone()).collect();
        if records.is_empty() {
            return match (self.on_no_match, &mapped.refused_on_insert) {
                (NoMatchAction::DoNothing, _) => Decision::Skip(Skip::NoMatchAndInsertsOff),
                (NoMatchAction::Insert, Some(invalid)) => Decision::Invalid(invalid.clone()),
                (NoMatchAction::Insert, None) => Decision::Insert {
                    values: self.insert_values(mapped),
                },
            };
        }
        if self.on_match == MatchAction::DoNothing {
            return Decision::Skip(Skip::MatchedButUpdatesOff { ids: ids(&records) });
        }
        if records.len() > 1 {
            match self.duplicates {
                DuplicatePolicy::MarkAsError => {
                    return Decision::DuplicateError { ids: ids(&records) }
                }
                DuplicatePolicy::UpdateAll => {}
                DuplicatePolicy::UpdateMostRecent => {
                    // Ties (same second) go to the greater Id, so the choice never depends on query order.
                    let newest = records
                        .iter()
                        .copied()
                        .max_by(|a, b| (&a.last_modified, &a.id).cmp(&(&b.last_modified, &b.id)));
                    records = newest.into_iter().collect();
                }
            }
        }
        let writes: Vec<RecordWrite> = records
            .iter()
            .map(|record| RecordWrite {
                id: record.id.clone(),
                values: update_values(mapped, record),
            })
            .filter(|write| !write.values.is_empty())
            .collect();
        if writes.is_empty() {
            Decision::Unchanged(Unchanged::AlreadyInCrm { ids: ids(&records) })
        } else {
            Decision::Update { writes }
        }
    }

    /// Everything non-blank, overwrite rules aside (the record is new), led by the match value so that the
    /// next run finds the record. A mapping onto the match field itself gives way to the match value.
    fn insert_values(&self, mapped: &MappedContact) -> Values {
        let match_field = &self.mapper.match_field().name;
        let mut values = Values::default();
        values.push(match_field, mapped.match_value.clone());
        for value in &mapped.values {
            if !value.field.eq_ignore_ascii_case(match_field) {
                values.push(&value.field, value.value.clone());
            }
        }
        values
    }
}

/// What the overwrite rules let through onto `record`, leaving out values it already holds.
fn update_values(mapped: &MappedContact, record: &CrmRecord) -> Values {
    let mut values = Values::default();
    for value in &mapped.values {
        let current = record.value(&value.field);
        if should_write(value.overwrite, value.compare, current, &value.value) {
            values.push(&value.field, value.value.clone());
        }
    }
    values
}

#[cfg(test)]
mod tests;
