//! "What changed" between two saved versions of a sync's configuration, in sentences for the version
//! history. Field names are shown as stored (Komo keys, Salesforce API names): they are what the mapping
//! dialog shows beside each label, and they stay meaningful after a label is renamed.

use super::config::{FieldMapping, MappingSource, Overwrite, SyncConfig};
use super::filter::{Combine, Filter};

/// Sentences describing how `new` differs from `old`; `old` is `None` for the first save.
pub fn describe_changes(old: Option<&SyncConfig>, new: &SyncConfig) -> Vec<String> {
    let Some(old) = old else {
        return vec!["First version".to_owned()];
    };
    let mut changes = Vec::new();
    if old.object != new.object {
        changes.push(format!(
            "Data source: {} → {}",
            old.object.api_name(),
            new.object.api_name()
        ));
    }
    if old.match_pair != new.match_pair {
        changes.push(format!(
            "Match: {} ↔ {} → {} ↔ {}",
            old.match_pair.komo_field,
            old.match_pair.crm_field,
            new.match_pair.komo_field,
            new.match_pair.crm_field
        ));
    }
    if old.on_match != new.on_match {
        changes.push(format!(
            "When a contact matches: {} → {}",
            old.on_match.label(),
            new.on_match.label()
        ));
    }
    if old.on_no_match != new.on_no_match {
        changes.push(format!(
            "When a contact does not match: {} → {}",
            old.on_no_match.label(),
            new.on_no_match.label()
        ));
    }
    if old.duplicates != new.duplicates {
        changes.push(format!(
            "Several matches: {} → {}",
            old.duplicates.label(),
            new.duplicates.label()
        ));
    }
    if old.filter != new.filter {
        changes.push(filter_change(&old.filter, &new.filter));
    }
    mapping_changes(&old.mappings, &new.mappings, &mut changes);
    if changes.is_empty() {
        changes.push("Saved without changes".to_owned());
    }
    changes
}

fn filter_change(old: &Filter, new: &Filter) -> String {
    let rules = |f: &Filter| match f.rules.len() {
        0 => "no filter".to_owned(),
        1 => "1 rule".to_owned(),
        n => format!(
            "{n} rules, {}",
            match f.combine {
                Combine::All => "all must hold",
                Combine::Any => "any may hold",
            }
        ),
    };
    format!("Filters: {} → {}", rules(old), rules(new))
}

fn source_text(mapping: &FieldMapping) -> String {
    match &mapping.source {
        MappingSource::Field(key) => key.clone(),
        MappingSource::Constant(value) => format!("\"{value}\""),
    }
}

fn overwrite_text(rule: Overwrite) -> &'static str {
    match rule {
        Overwrite::Always => "always",
        Overwrite::OnlyWhenEmpty => "only when empty",
        Overwrite::NeverOnUpdate => "never on update",
    }
}

fn mapping_changes(old: &[FieldMapping], new: &[FieldMapping], changes: &mut Vec<String>) {
    let find = |list: &[FieldMapping], crm: &str| {
        list.iter()
            .find(|m| m.crm_field.eq_ignore_ascii_case(crm))
            .cloned()
    };
    for mapping in new {
        match find(old, &mapping.crm_field) {
            None => changes.push(format!(
                "Mapped {} → {}",
                source_text(mapping),
                mapping.crm_field
            )),
            Some(before) if before != *mapping => changes.push(format!(
                "{}: {} ({}) → {} ({})",
                mapping.crm_field,
                source_text(&before),
                overwrite_text(before.overwrite),
                source_text(mapping),
                overwrite_text(mapping.overwrite)
            )),
            Some(_) => {}
        }
    }
    for mapping in old {
        if find(new, &mapping.crm_field).is_none() {
            changes.push(format!("Unmapped {}", mapping.crm_field));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::config::MatchAction;

    fn mapping(key: &str, crm: &str) -> FieldMapping {
        FieldMapping {
            source: MappingSource::Field(key.into()),
            crm_field: crm.into(),
            overwrite: Overwrite::Always,
        }
    }

    #[test]
    fn the_first_save_is_the_first_version() {
        assert_eq!(
            describe_changes(None, &SyncConfig::default()),
            ["First version"]
        );
    }

    #[test]
    fn each_kind_of_change_gets_a_sentence() {
        let old = SyncConfig {
            mappings: vec![
                mapping("first_name", "FirstName"),
                mapping("city", "MailingCity"),
            ],
            ..SyncConfig::default()
        };
        let mut new = old.clone();
        new.on_match = MatchAction::DoNothing;
        new.mappings.remove(1);
        new.mappings[0].overwrite = Overwrite::OnlyWhenEmpty;
        new.mappings.push(FieldMapping {
            source: MappingSource::Constant("Komo".into()),
            crm_field: "LeadSource".into(),
            overwrite: Overwrite::Always,
        });
        let changes = describe_changes(Some(&old), &new);
        assert_eq!(
            changes,
            [
                "When a contact matches: Update the CRM record → Do nothing",
                "FirstName: first_name (always) → first_name (only when empty)",
                "Mapped \"Komo\" → LeadSource",
                "Unmapped MailingCity",
            ]
        );
    }

    #[test]
    fn an_identical_save_says_so() {
        let config = SyncConfig::default();
        assert_eq!(
            describe_changes(Some(&config), &config),
            ["Saved without changes"]
        );
    }
}
