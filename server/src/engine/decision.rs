//! What the plan decides for one contact, and how the run log names it (action insert / update / skip /
//! unchanged / invalid, the CRM ids involved, a sentence for the message column).

use super::hash::PushHash;
use super::index::MatchKey;
use super::mapping::Invalid;
use crate::salesforce::query::Record;
use serde_json::Value;

/// CRM field → value for one record write, in mapping order (the match field first on insert and upsert).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Values(Vec<(String, Value)>);

impl Values {
    pub(super) fn push(&mut self, field: &str, value: Value) {
        self.0.push((field.to_owned(), value));
    }

    /// Values read back from a record (a Bulk run's staged write), in the record's order.
    pub(crate) fn from_record(record: Record) -> Self {
        Self(record.into_iter().collect())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(f, v)| (f.as_str(), v))
    }

    /// The value for `field`, matching the API name ignoring case.
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.iter()
            .find(|(f, _)| f.eq_ignore_ascii_case(field))
            .map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields as a Collections record (`attributes` is added when sending).
    pub fn to_record(&self) -> Record {
        self.0.iter().cloned().collect()
    }
}

/// What to write to one existing record.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordWrite {
    pub id: String,
    /// Never empty.
    pub values: Values,
}

impl RecordWrite {
    /// The fields plus `Id`, as a Collections update takes them.
    pub fn to_record(&self) -> Record {
        let mut record = self.values.to_record();
        record.insert("Id".into(), Value::String(self.id.clone()));
        record
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Create a record. The match field is among the values, so the next run finds it.
    Insert {
        values: Values,
    },
    /// Write to each chosen matching record what its overwrite rules let through; never empty.
    Update {
        writes: Vec<RecordWrite>,
    },
    /// Insert or update by the External ID `key_field` in one call, with no lookup; the values hold the key.
    Upsert {
        key_field: String,
        values: Values,
    },
    /// The sync's action for this case is "do nothing".
    Skip(Skip),
    Unchanged(Unchanged),
    /// Salesforce would refuse the contact; nothing is sent.
    Invalid(Invalid),
    /// Several records match and the sync's duplicate policy is "mark as error"; nothing is sent.
    DuplicateError {
        ids: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// Records match, and the sync does nothing when a contact matches.
    MatchedButUpdatesOff { ids: Vec<String> },
    /// Nothing matches, and the sync does nothing then.
    NoMatchAndInsertsOff,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unchanged {
    /// Same values as the last successful push of this sync; not looked up.
    SinceLastPush,
    /// The matching records already hold everything the overwrite rules would write.
    AlreadyInCrm { ids: Vec<String> },
}

/// The run log's action column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunAction {
    Insert,
    Update,
    Skip,
    Unchanged,
    Invalid,
}

impl RunAction {
    pub fn as_str(self) -> &'static str {
        match self {
            RunAction::Insert => "insert",
            RunAction::Update => "update",
            RunAction::Skip => "skip",
            RunAction::Unchanged => "unchanged",
            RunAction::Invalid => "invalid",
        }
    }

    /// An upsert's action is only known from its answer: Salesforce's `created` flag.
    pub fn of_upsert(created: bool) -> Self {
        if created {
            RunAction::Insert
        } else {
            RunAction::Update
        }
    }
}

impl Decision {
    /// `None` for an upsert: see [`RunAction::of_upsert`]. A duplicate-match error is an update that failed
    /// ([`Decision::is_error`]; `updated_failed` in the run's counters): the contact itself is fine, but the
    /// sync treats several matching records as an error, so the run must not read as a clean success.
    pub fn action(&self) -> Option<RunAction> {
        Some(match self {
            Decision::Insert { .. } => RunAction::Insert,
            Decision::Update { .. } | Decision::DuplicateError { .. } => RunAction::Update,
            Decision::Upsert { .. } => return None,
            Decision::Skip(_) => RunAction::Skip,
            Decision::Unchanged(_) => RunAction::Unchanged,
            Decision::Invalid(_) => RunAction::Invalid,
        })
    }

    /// Whether this decision sends anything to Salesforce.
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Decision::Insert { .. } | Decision::Update { .. } | Decision::Upsert { .. }
        )
    }

    /// Decided against pushing for a reason the user must fix.
    pub fn is_error(&self) -> bool {
        matches!(self, Decision::Invalid(_) | Decision::DuplicateError { .. })
    }

    /// The CRM records involved, known before sending (an insert's and an upsert's come with the answer).
    pub fn crm_ids(&self) -> Vec<&str> {
        let ids = match self {
            Decision::Update { writes } => return writes.iter().map(|w| w.id.as_str()).collect(),
            Decision::Skip(Skip::MatchedButUpdatesOff { ids })
            | Decision::Unchanged(Unchanged::AlreadyInCrm { ids })
            | Decision::DuplicateError { ids } => ids,
            _ => return Vec::new(),
        };
        ids.iter().map(String::as_str).collect()
    }

    /// The sentence for the run log's message column; `None` for writes, whose message is Salesforce's.
    pub fn message(&self) -> Option<String> {
        Some(match self {
            Decision::Insert { .. } | Decision::Update { .. } | Decision::Upsert { .. } => {
                return None
            }
            Decision::Skip(Skip::MatchedButUpdatesOff { ids }) => format!(
                "Matches {} in Salesforce; this sync does not update matching records",
                ids.join(", ")
            ),
            Decision::Skip(Skip::NoMatchAndInsertsOff) => {
                "No match in Salesforce; this sync does not create records".into()
            }
            Decision::Unchanged(Unchanged::SinceLastPush) => {
                "Unchanged since this sync last pushed it".into()
            }
            Decision::Unchanged(Unchanged::AlreadyInCrm { .. }) => {
                "Salesforce already holds these values".into()
            }
            Decision::Invalid(invalid) => invalid.reason.clone(),
            Decision::DuplicateError { ids } => format!(
                "{} Salesforce records match ({}); this sync marks duplicates as an error",
                ids.len(),
                ids.join(", ")
            ),
        })
    }
}

/// One contact's plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub contact_id: i64,
    /// The match key (`None` when the contact is invalid), for the run's own bookkeeping, e.g. noticing two
    /// contacts that share one.
    pub key: Option<MatchKey>,
    /// `Some` exactly when there is something to remember: for a write, store it once every write of the
    /// decision succeeded; for `Unchanged::AlreadyInCrm`, store it at once. Never for a skip, an error or an
    /// invalid contact: a later change of action, or a cleaned-up duplicate, must find the contact again.
    pub hash: Option<PushHash>,
    pub decision: Decision,
}
