//! Sync filters as SQL: a pure translation of checked rules into a `where` fragment with `$n` parameters,
//! for SQLite or PostgreSQL, so selecting a sync's contacts never loads contacts into memory.
//!
//! Text comparisons are case-insensitive (`lower()` on both sides; SQLite's `lower` folds ASCII only).
//! Blank and missing values are the same thing to a person, so "is empty" matches both. Custom properties
//! live in the `custom` JSON column; their names are bound as parameters, never spliced into the SQL.

use crate::storage::binds::{Bind, Binds, Dialect};
use shared::contact::fields::{FieldType, StandardField};
use shared::sync::filter::{CheckedRule, Column, Combine, Operand, Operator};

/// Translates `rules`, combined by `combine`, into a `where` fragment whose values go into `binds`. No rules
/// selects every contact. `now_unix` anchors "within the last N days", so the function stays pure.
pub fn filter_sql(
    rules: &[CheckedRule],
    combine: Combine,
    dialect: Dialect,
    binds: &mut Binds,
    now_unix: i64,
) -> String {
    let mut builder = Builder {
        dialect,
        now_unix,
        binds,
    };
    let parts: Vec<String> = rules
        .iter()
        .map(|rule| format!("({})", builder.rule(rule)))
        .collect();
    if parts.is_empty() {
        "1 = 1".to_owned()
    } else {
        parts.join(match combine {
            Combine::All => " and ",
            Combine::Any => " or ",
        })
    }
}

struct Builder<'b> {
    dialect: Dialect,
    now_unix: i64,
    binds: &'b mut Binds,
}

impl Builder<'_> {
    fn bind(&mut self, value: Bind) -> String {
        self.binds.bind(value)
    }

    /// The column as text, '' when missing.
    fn text(&mut self, column: &Column) -> String {
        match column {
            Column::Standard(field) => format!("coalesce({}, '')", standard_column(*field)),
            Column::Custom { name, .. } => {
                let raw = self.custom_raw(name);
                format!("coalesce({raw}, '')")
            }
        }
    }

    /// A custom property's value: text on PostgreSQL (`->>`), the JSON scalar on SQLite.
    fn custom_raw(&mut self, name: &str) -> String {
        match self.dialect {
            Dialect::Sqlite => {
                // A JSON path with the name quoted: `$."name".value`. Names are validated identifiers, but
                // quoting keeps any character literal all the same.
                let path = format!("$.\"{}\".value", name.replace('"', "\\\""));
                let p = self.bind(Bind::Text(path));
                format!("json_extract(custom, {p})")
            }
            Dialect::Postgres => {
                let p = self.bind(Bind::Text(name.to_owned()));
                format!("(custom::jsonb -> ({p})::text ->> 'value')")
            }
        }
    }

    fn number(&mut self, column: &Column) -> String {
        match column {
            Column::Standard(field) => standard_column(*field).to_owned(),
            Column::Custom { name, .. } => {
                let raw = self.custom_raw(name);
                match self.dialect {
                    Dialect::Sqlite => raw,
                    Dialect::Postgres => format!("({raw})::float8"),
                }
            }
        }
    }

    fn boolean(&mut self, column: &Column) -> String {
        match column {
            Column::Standard(field) => standard_column(*field).to_owned(),
            Column::Custom { name, .. } => {
                let raw = self.custom_raw(name);
                match self.dialect {
                    Dialect::Sqlite => raw,
                    Dialect::Postgres => format!("({raw})::boolean"),
                }
            }
        }
    }

    fn rule(&mut self, rule: &CheckedRule) -> String {
        match rule.field_type {
            FieldType::Text | FieldType::Email | FieldType::Phone | FieldType::SingleChoice => {
                self.text_rule(rule)
            }
            FieldType::Tags => self.tags_rule(rule),
            FieldType::Number => self.number_rule(rule),
            FieldType::Date => self.date_rule(rule),
            FieldType::Timestamp => self.timestamp_rule(rule),
            FieldType::Boolean => self.boolean_rule(rule),
        }
    }

    fn text_rule(&mut self, rule: &CheckedRule) -> String {
        let value = self.text(&rule.column);
        let lowered = format!("lower({value})");
        let text = match &rule.operand {
            Operand::Text(t) => t.to_lowercase(),
            _ => String::new(),
        };
        match rule.operator {
            Operator::Equals => format!("{lowered} = {}", self.bind(Bind::Text(text))),
            Operator::NotEquals => format!("{lowered} <> {}", self.bind(Bind::Text(text))),
            Operator::Contains => format!(
                "{lowered} like {} escape '\\'",
                self.bind(Bind::Text(format!("%{}%", like_escape(&text))))
            ),
            Operator::DoesNotContain => {
                format!(
                    "{lowered} not like {} escape '\\'",
                    self.bind(Bind::Text(format!("%{}%", like_escape(&text))))
                )
            }
            Operator::StartsWith => format!(
                "{lowered} like {} escape '\\'",
                self.bind(Bind::Text(format!("{}%", like_escape(&text))))
            ),
            Operator::IsEmpty => format!("{value} = ''"),
            Operator::IsNotEmpty => format!("{value} <> ''"),
            Operator::IsAnyOf => {
                let items = match &rule.operand {
                    Operand::List(items) => items.clone(),
                    _ => Vec::new(),
                };
                let placeholders: Vec<String> = items
                    .iter()
                    .map(|item| self.bind(Bind::Text(item.to_lowercase())))
                    .collect();
                if placeholders.is_empty() {
                    "1 = 0".to_owned()
                } else {
                    format!("{lowered} in ({})", placeholders.join(", "))
                }
            }
            // `check` only lets through operators that fit the type; anything else matches nothing.
            _ => "1 = 0".to_owned(),
        }
    }

    /// Tags are a JSON array of strings in a text column; a tag is found by its JSON-quoted form.
    fn tags_rule(&mut self, rule: &CheckedRule) -> String {
        let value = self.text(&rule.column);
        let lowered = format!("lower({value})");
        let quoted = match &rule.operand {
            Operand::Text(t) => serde_json::to_string(&t.to_lowercase()).unwrap_or_default(),
            _ => String::new(),
        };
        match rule.operator {
            Operator::Contains => format!(
                "{lowered} like {} escape '\\'",
                self.bind(Bind::Text(format!("%{}%", like_escape(&quoted))))
            ),
            Operator::DoesNotContain => {
                format!(
                    "{lowered} not like {} escape '\\'",
                    self.bind(Bind::Text(format!("%{}%", like_escape(&quoted))))
                )
            }
            Operator::IsEmpty => format!("{value} in ('', '[]')"),
            Operator::IsNotEmpty => format!("{value} not in ('', '[]')"),
            _ => "1 = 0".to_owned(),
        }
    }

    fn number_rule(&mut self, rule: &CheckedRule) -> String {
        let value = self.number(&rule.column);
        let n = match rule.operand {
            Operand::Number(n) => n,
            _ => 0.0,
        };
        match rule.operator {
            Operator::Equals => format!("{value} = {}", self.bind(Bind::Float(n))),
            Operator::NotEquals => format!(
                "({value} is null or {value} <> {})",
                self.bind(Bind::Float(n))
            ),
            Operator::GreaterThan => format!("{value} > {}", self.bind(Bind::Float(n))),
            Operator::LessThan => format!("{value} < {}", self.bind(Bind::Float(n))),
            Operator::IsEmpty => format!("{value} is null"),
            Operator::IsNotEmpty => format!("{value} is not null"),
            _ => "1 = 0".to_owned(),
        }
    }

    /// Dates are stored as `YYYY-MM-DD` text ('' for none), which orders correctly as text.
    fn date_rule(&mut self, rule: &CheckedRule) -> String {
        let value = self.text(&rule.column);
        let day = match &rule.operand {
            Operand::Date(d) => d.to_string(),
            _ => String::new(),
        };
        match rule.operator {
            Operator::Equals => format!("{value} = {}", self.bind(Bind::Text(day))),
            Operator::Before => format!(
                "({value} <> '' and {value} < {})",
                self.bind(Bind::Text(day))
            ),
            Operator::After => format!("{value} > {}", self.bind(Bind::Text(day))),
            Operator::IsEmpty => format!("{value} = ''"),
            Operator::IsNotEmpty => format!("{value} <> ''"),
            _ => "1 = 0".to_owned(),
        }
    }

    /// Timestamps are Unix seconds; dates given for them mean whole UTC days.
    fn timestamp_rule(&mut self, rule: &CheckedRule) -> String {
        let value = self.number(&rule.column);
        match (&rule.operand, rule.operator) {
            (Operand::Date(d), Operator::Before) => {
                format!("{value} < {}", self.bind(Bind::Int(d.unix_midnight())))
            }
            (Operand::Date(d), Operator::After) => {
                format!(
                    "{value} >= {}",
                    self.bind(Bind::Int(d.unix_midnight() + 86_400))
                )
            }
            (Operand::Days(days), Operator::WithinLastDays) => {
                let since = self.now_unix - i64::from(*days) * 86_400;
                format!("{value} >= {}", self.bind(Bind::Int(since)))
            }
            (_, Operator::IsEmpty) => format!("{value} is null"),
            (_, Operator::IsNotEmpty) => format!("{value} is not null"),
            _ => "1 = 0".to_owned(),
        }
    }

    fn boolean_rule(&mut self, rule: &CheckedRule) -> String {
        let value = self.boolean(&rule.column);
        match rule.operator {
            Operator::IsTrue => format!("{value} = {}", self.bind(Bind::Bool(true))),
            Operator::IsFalse => format!(
                "({value} is null or {value} = {})",
                self.bind(Bind::Bool(false))
            ),
            _ => "1 = 0".to_owned(),
        }
    }
}

/// Escapes `%`, `_` and the escape character itself for a `like ... escape '\'` pattern.
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn standard_column(field: StandardField) -> &'static str {
    // The column names equal the catalog keys; matching here keeps the SQL free of anything user-typed.
    match field {
        StandardField::Email => "email",
        StandardField::FirstName => "first_name",
        StandardField::LastName => "last_name",
        StandardField::Phone => "phone",
        StandardField::Mobile => "mobile",
        StandardField::Company => "company",
        StandardField::JobTitle => "job_title",
        StandardField::Street => "street",
        StandardField::City => "city",
        StandardField::Region => "region",
        StandardField::Postcode => "postcode",
        StandardField::Country => "country",
        StandardField::DateOfBirth => "date_of_birth",
        StandardField::MarketingOptIn => "marketing_opt_in",
        StandardField::MarketingOptInAt => "marketing_opt_in_at",
        StandardField::SourceHub => "source_hub",
        StandardField::SourceCampaign => "source_campaign",
        StandardField::Tags => "tags",
        StandardField::CreatedAt => "created_at",
        StandardField::UpdatedAt => "updated_at",
    }
}
