//! Sync filters: which contacts a sync pushes. A filter is a list of rules combined with all / any; each rule
//! is a field from the catalog, an operator that fits the field's type, and a value. Parsing checks all of
//! that against the catalog and yields [`CheckedRule`]s, which the server translates to SQL (never filtering
//! in memory).

use crate::contact::date::CalendarDate;
use crate::contact::fields::{FieldCatalog, FieldType, StandardField};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// Every rule must hold.
    #[default]
    All,
    /// At least one rule must hold.
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    Equals,
    NotEquals,
    Contains,
    DoesNotContain,
    StartsWith,
    IsEmpty,
    IsNotEmpty,
    GreaterThan,
    LessThan,
    Before,
    After,
    WithinLastDays,
    IsTrue,
    IsFalse,
    IsAnyOf,
}

impl Operator {
    pub fn label(self) -> &'static str {
        match self {
            Operator::Equals => "equals",
            Operator::NotEquals => "does not equal",
            Operator::Contains => "contains",
            Operator::DoesNotContain => "does not contain",
            Operator::StartsWith => "starts with",
            Operator::IsEmpty => "is empty",
            Operator::IsNotEmpty => "is not empty",
            Operator::GreaterThan => "is greater than",
            Operator::LessThan => "is less than",
            Operator::Before => "is before",
            Operator::After => "is after",
            Operator::WithinLastDays => "is within the last N days",
            Operator::IsTrue => "is true",
            Operator::IsFalse => "is false",
            Operator::IsAnyOf => "is any of",
        }
    }

    /// Whether the rule needs a value typed beside the operator.
    pub fn takes_value(self) -> bool {
        !matches!(
            self,
            Operator::IsEmpty | Operator::IsNotEmpty | Operator::IsTrue | Operator::IsFalse
        )
    }
}

/// The operators that make sense for a field type, in the order the editor offers them.
pub fn operators_for(field_type: FieldType) -> &'static [Operator] {
    use Operator::*;
    match field_type {
        FieldType::Text | FieldType::Email | FieldType::Phone => &[
            Equals,
            NotEquals,
            Contains,
            DoesNotContain,
            StartsWith,
            IsEmpty,
            IsNotEmpty,
            IsAnyOf,
        ],
        FieldType::SingleChoice => &[Equals, NotEquals, IsAnyOf, IsEmpty, IsNotEmpty],
        FieldType::Number => &[
            Equals,
            NotEquals,
            GreaterThan,
            LessThan,
            IsEmpty,
            IsNotEmpty,
        ],
        FieldType::Date => &[Equals, Before, After, IsEmpty, IsNotEmpty],
        FieldType::Timestamp => &[Before, After, WithinLastDays, IsEmpty, IsNotEmpty],
        FieldType::Boolean => &[IsTrue, IsFalse],
        FieldType::Tags => &[Contains, DoesNotContain, IsEmpty, IsNotEmpty],
    }
}

/// One row of the filter editor, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterRule {
    pub field: String,
    pub operator: Operator,
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Filter {
    pub combine: Combine,
    pub rules: Vec<FilterRule>,
}

/// Where a rule's value lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    Standard(StandardField),
    /// A custom property, by name, with its type.
    Custom {
        name: String,
        field_type: FieldType,
    },
}

/// A rule's value, parsed for its field's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    None,
    Text(String),
    Number(f64),
    Date(CalendarDate),
    Days(u32),
    List(Vec<String>),
}

/// A rule that passed every check: the server translates these to SQL.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedRule {
    pub column: Column,
    pub field_type: FieldType,
    pub operator: Operator,
    pub operand: Operand,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("\"{0}\" is not a contact field")]
    UnknownField(String),
    #[error("{field}: \"{operator}\" does not apply to this kind of field")]
    OperatorNotFor {
        field: String,
        operator: &'static str,
    },
    #[error("{field}: enter a value")]
    MissingValue { field: String },
    #[error("{field}: {reason}")]
    BadValue { field: String, reason: String },
}

/// The longest "within the last N days" we accept: 100 years.
pub const MAX_DAYS: u32 = 36_500;

impl Filter {
    /// Checks every rule against the catalog.
    ///
    /// # Errors
    /// The first bad rule, with its position (0-based) so the editor can mark that row.
    pub fn check(&self, catalog: &FieldCatalog) -> Result<Vec<CheckedRule>, (usize, FilterError)> {
        self.rules
            .iter()
            .enumerate()
            .map(|(i, rule)| rule.check(catalog).map_err(|e| (i, e)))
            .collect()
    }
}

impl FilterRule {
    /// # Errors
    /// A [`FilterError`] naming the field and what is wrong.
    pub fn check(&self, catalog: &FieldCatalog) -> Result<CheckedRule, FilterError> {
        let def = catalog
            .find(&self.field)
            .ok_or_else(|| FilterError::UnknownField(self.field.clone()))?;
        let label = def.label.clone();
        if !operators_for(def.field_type).contains(&self.operator) {
            return Err(FilterError::OperatorNotFor {
                field: label,
                operator: self.operator.label(),
            });
        }
        let column = if def.custom {
            Column::Custom {
                name: def.key.clone(),
                field_type: def.field_type,
            }
        } else {
            StandardField::from_key(&def.key)
                .map(Column::Standard)
                .ok_or_else(|| FilterError::UnknownField(self.field.clone()))?
        };
        let raw = self.value.trim();
        if self.operator.takes_value() && raw.is_empty() {
            return Err(FilterError::MissingValue { field: label });
        }
        let bad = |reason: &str| FilterError::BadValue {
            field: label.clone(),
            reason: reason.to_owned(),
        };
        let operand = match (self.operator, def.field_type) {
            (op, _) if !op.takes_value() => Operand::None,
            (Operator::WithinLastDays, _) => match raw.parse::<u32>() {
                Ok(days) if (1..=MAX_DAYS).contains(&days) => Operand::Days(days),
                _ => return Err(bad("enter a whole number of days from 1 to 36500")),
            },
            (Operator::IsAnyOf, _) => {
                let items: Vec<String> = raw
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
                if items.is_empty() {
                    return Err(bad("enter one or more values separated by commas"));
                }
                Operand::List(items)
            }
            (_, FieldType::Number) => match raw.parse::<f64>() {
                Ok(n) if n.is_finite() => Operand::Number(n),
                _ => return Err(bad("enter a number")),
            },
            (_, FieldType::Date | FieldType::Timestamp) => Operand::Date(
                CalendarDate::parse(raw).map_err(|_| bad("enter a date as YYYY-MM-DD"))?,
            ),
            (_, FieldType::SingleChoice) if !def.choices.iter().any(|c| c == raw) => {
                return Err(bad(&format!("choose one of: {}", def.choices.join(", "))));
            }
            _ => Operand::Text(raw.to_owned()),
        };
        Ok(CheckedRule {
            column,
            field_type: def.field_type,
            operator: self.operator,
            operand,
        })
    }
}

#[cfg(test)]
mod tests;
