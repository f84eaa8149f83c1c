//! Record writes shared by REST, Collections and Bulk, with the checks that
//! need the org's state: required fields after defaults, duplicate rule,
//! unique fields, lock faults, deleted ids.

use super::Org;
use crate::error::RecordError;
use crate::ids::{parse_id, IdError};
use crate::schema::FieldType;
use crate::store::{Row, Undo};
use crate::validate::Changes;

/// Per-request write settings.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// `Sforce-Duplicate-Rule-Header: allowSave=true` (doc §5.4).
    pub allow_duplicate_save: bool,
    /// The run-as user of the calling token; owns new records.
    pub user_id: String,
}

impl Org {
    /// Resolves a record id for a write.
    pub fn resolve_id(&self, obj: usize, id: &str) -> Result<u32, RecordError> {
        let o = &self.objects[obj];
        let row = match parse_id(&o.schema.key_prefix, id) {
            Ok(row) => row,
            // Wording [unverified] (doc §7).
            Err(IdError::Malformed) | Err(IdError::Unknown)
                if !id.starts_with(&o.schema.key_prefix) || id.len() < 15 =>
            {
                return Err(RecordError::new(
                    "MALFORMED_ID",
                    format!("{} ID: id value of incorrect type: {id}", o.schema.name),
                    &["Id"],
                ))
            }
            Err(_) => {
                return Err(RecordError::new(
                    "INVALID_CROSS_REFERENCE_KEY",
                    "invalid cross reference id",
                    &[],
                ))
            }
        };
        match o.table.row(row as u32) {
            None => Err(RecordError::new(
                "INVALID_CROSS_REFERENCE_KEY",
                "invalid cross reference id",
                &[],
            )),
            Some(r) if r.deleted => Err(RecordError::new(
                "ENTITY_IS_DELETED",
                "entity is deleted",
                &[],
            )),
            Some(_) => Ok(row as u32),
        }
    }

    /// Live rows whose upsert key `field` equals `key` (case-insensitively).
    pub fn matches(&self, obj: usize, field: usize, key: &str) -> Vec<u32> {
        let o = &self.objects[obj];
        if o.schema.fields[field].name == "Id" {
            return self
                .resolve_id(obj, key)
                .map(|r| vec![r])
                .unwrap_or_default();
        }
        match o.table.lookup(field, key) {
            Some(rows) => rows.to_vec(),
            // Not indexed: not an upsert key, so callers never get here; scan to stay correct.
            None => o
                .table
                .rows()
                .filter(|(_, r)| {
                    !r.deleted
                        && r.get(field)
                            .is_some_and(|v| v.index_key().as_ref() == key.to_lowercase())
                })
                .map(|(i, _)| i)
                .collect(),
        }
    }

    fn lock_check(&mut self, id: Option<&str>) -> Result<(), RecordError> {
        if self.faults.take_lock(id) {
            // Wording [unverified] (doc §11).
            let message = match id {
                Some(id) => {
                    format!("unable to obtain exclusive access to this record or 1 records: {id}")
                }
                None => "unable to obtain exclusive access to this record".to_owned(),
            };
            return Err(RecordError::new("UNABLE_TO_LOCK_ROW", message, &[]));
        }
        Ok(())
    }

    pub fn insert(
        &mut self,
        obj: usize,
        changes: Changes,
        opts: &WriteOptions,
        undo: &mut Vec<Undo>,
    ) -> Result<u32, RecordError> {
        self.lock_check(None)?;
        let now = self.now_ms();
        let o = &self.objects[obj];
        let mut row = Row {
            created_ms: now,
            modified_ms: now,
            ..Row::default()
        };
        // Defaults of non-nillable fields (booleans, Lead Status) and the
        // owner are not stored: `field_val` derives them, saving memory per row.
        row.creator = self
            .users
            .iter()
            .position(|u| u.id == opts.user_id)
            .unwrap_or(0) as u16;
        for (i, v) in changes {
            row.set(i, v);
        }
        row.fields.shrink_to_fit();
        let missing: Vec<&str> = o
            .schema
            .fields
            .iter()
            .enumerate()
            .filter(|(i, f)| f.required_on_create() && row.get(*i).is_none())
            .map(|(_, f)| f.name.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(RecordError::new(
                "REQUIRED_FIELD_MISSING",
                format!("Required fields are missing: [{}]", missing.join(", ")),
                &missing,
            ));
        }
        self.conflict_checks(obj, None, &row, opts)?;
        let idx = self.objects[obj].table.insert(row);
        undo.push(Undo::Inserted(idx));
        Ok(idx)
    }

    pub fn update(
        &mut self,
        obj: usize,
        idx: u32,
        changes: Changes,
        opts: &WriteOptions,
        undo: &mut Vec<Undo>,
    ) -> Result<(), RecordError> {
        let id = crate::ids::make_id(&self.objects[obj].schema.key_prefix, idx as u64);
        self.lock_check(Some(&id))?;
        let now = self.now_ms();
        let o = &self.objects[obj];
        let Some(old) = o.table.row(idx) else {
            return Err(RecordError::new(
                "INVALID_CROSS_REFERENCE_KEY",
                "invalid cross reference id",
                &[],
            ));
        };
        if old.deleted {
            return Err(RecordError::new(
                "ENTITY_IS_DELETED",
                "entity is deleted",
                &[],
            ));
        }
        let mut row = old.clone();
        let mut cleared_required = Vec::new();
        for (i, v) in changes {
            let f = &o.schema.fields[i];
            if v.is_none() && !f.nillable && f.ftype != FieldType::Boolean {
                cleared_required.push(f.name.as_str());
            }
            row.set(i, v);
        }
        if !cleared_required.is_empty() {
            return Err(RecordError::new(
                "REQUIRED_FIELD_MISSING",
                format!(
                    "Required fields are missing: [{}]",
                    cleared_required.join(", ")
                ),
                &cleared_required,
            ));
        }
        row.modified_ms = now;
        self.conflict_checks(obj, Some(idx), &row, opts)?;
        if let Some(old) = self.objects[obj].table.replace(idx, row) {
            undo.push(Undo::Updated(idx, old));
        }
        Ok(())
    }

    /// Upsert on `field`: insert when nothing matches (setting the key), update
    /// on one match, fail on several. Returns the row and whether it was created.
    pub fn upsert(
        &mut self,
        obj: usize,
        field: usize,
        key: Option<&str>,
        mut changes: Changes,
        opts: &WriteOptions,
        undo: &mut Vec<Undo>,
    ) -> Result<(u32, bool), RecordError> {
        let is_id = self.objects[obj].schema.fields[field].name == "Id";
        let found = match key {
            None | Some("") => Vec::new(),
            Some(k) if is_id => vec![self.resolve_id(obj, k)?],
            Some(k) => self.matches(obj, field, k),
        };
        match found.as_slice() {
            [] => {
                if let (Some(k), false) = (key, is_id) {
                    if !changes.iter().any(|(i, _)| *i == field) {
                        let f = &self.objects[obj].schema.fields[field];
                        changes.push((field, crate::validate::text_value(f, k)?));
                    }
                }
                self.insert(obj, changes, opts, undo).map(|i| (i, true))
            }
            [one] => self
                .update(obj, *one, changes, opts, undo)
                .map(|_| (*one, false)),
            many => {
                let o = &self.objects[obj];
                let ids: Vec<String> = many
                    .iter()
                    .map(|r| crate::ids::make_id(&o.schema.key_prefix, *r as u64))
                    .collect();
                let f = &o.schema.fields[field];
                Err(RecordError::new(
                    &self.config.multiple_match_status_code,
                    format!(
                        "{}: more than one record found for external id field: [{}]",
                        f.name,
                        ids.join(", ")
                    ),
                    &[&f.name],
                ))
            }
        }
    }

    pub fn delete(
        &mut self,
        obj: usize,
        idx: u32,
        undo: &mut Vec<Undo>,
    ) -> Result<(), RecordError> {
        let id = crate::ids::make_id(&self.objects[obj].schema.key_prefix, idx as u64);
        self.lock_check(Some(&id))?;
        let now = self.now_ms();
        let Some(mut row) = self.objects[obj].table.row(idx).cloned() else {
            return Err(RecordError::new(
                "INVALID_CROSS_REFERENCE_KEY",
                "invalid cross reference id",
                &[],
            ));
        };
        if row.deleted {
            return Err(RecordError::new(
                "ENTITY_IS_DELETED",
                "entity is deleted",
                &[],
            ));
        }
        row.deleted = true;
        row.modified_ms = now;
        if let Some(old) = self.objects[obj].table.replace(idx, row) {
            undo.push(Undo::Updated(idx, old));
        }
        Ok(())
    }
}
