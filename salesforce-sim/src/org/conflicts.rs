//! Checks against other records: unique fields (`DUPLICATE_VALUE`) and the
//! optional Email duplicate rule (`DUPLICATES_DETECTED`, doc §5.4).

use super::{Org, WriteOptions};
use crate::error::RecordError;
use crate::store::Row;
use serde_json::json;

impl Org {
    /// Unique fields and the optional Email duplicate rule.
    pub(super) fn conflict_checks(
        &self,
        obj: usize,
        this: Option<u32>,
        row: &Row,
        opts: &WriteOptions,
    ) -> Result<(), RecordError> {
        let o = &self.objects[obj];
        for (i, f) in o.schema.fields.iter().enumerate() {
            if !f.unique {
                continue;
            }
            if let Some(v) = row.get(i) {
                let others = self.matches(obj, i, &v.index_key());
                if let Some(other) = others.iter().find(|r| Some(**r) != this) {
                    let id = crate::ids::make_id(&o.schema.key_prefix, *other as u64);
                    return Err(RecordError::new(
                        "DUPLICATE_VALUE",
                        format!(
                            "duplicate value found: {} duplicates value on record with id: {id}",
                            f.name
                        ),
                        &[],
                    ));
                }
            }
        }
        if !self.faults.duplicate_rule_email || opts.allow_duplicate_save {
            return Ok(());
        }
        let Some(email_field) = o.schema.field_index("Email") else {
            return Ok(());
        };
        let Some(email) = row.get(email_field) else {
            return Ok(());
        };
        let dupes: Vec<u32> = self
            .matches(obj, email_field, &email.index_key())
            .into_iter()
            .filter(|r| Some(*r) != this)
            .collect();
        if dupes.is_empty() {
            return Ok(());
        }
        let name = &o.schema.name;
        let message = "Use one of these records?";
        let match_records: Vec<_> = dupes
            .iter()
            .map(|r| {
                let id = crate::ids::make_id(&o.schema.key_prefix, *r as u64);
                json!({"additionalInformation": [], "fieldDiffs": [], "matchConfidence": 100.0,
                       "record": {"attributes": {"type": name, "url": format!("/services/data/v{}.0/sobjects/{name}/{id}", self.config.latest_version)}, "Id": id}})
            })
            .collect();
        let mut err = RecordError::new("DUPLICATES_DETECTED", message, &[]);
        err.duplicate_result = Some(Box::new(json!({
            "allowSave": true,
            "duplicateRule": format!("Standard_{name}_Duplicate_Rule"),
            "duplicateRuleEntityType": name,
            "errorMessage": message,
            "matchResults": [{"entityType": name, "errors": [], "matchEngine": "ExactMatchEngine",
                              "matchRecords": match_records, "rule": format!("Standard_{name}_Match_Rule_v1_1"),
                              "size": dupes.len(), "success": true}],
        })));
        Err(err)
    }
}
