//! Binding: names checked against the schema (unknown → INVALID_FIELD /
//! INVALID_TYPE), literals converted to the field's type (wrong type →
//! INVALID_QUERY_FILTER_OPERATOR), conditions compiled to [`Pred`].

use super::ast::{CmpOp, Cond, Literal, Name};
use super::lexer::{decode_like, decode_plain, Piece};
use super::SoqlError;
use crate::org::Org;
use crate::schema::{FieldInfo, FieldType};

/// A literal converted to the field's type.
#[derive(Debug, Clone)]
pub(super) enum CVal {
    /// Lower-cased; compared case-insensitively (doc §4.3).
    Text(String),
    /// The 15-character case-sensitive head of an id.
    IdHead(String),
    Num(f64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone)]
pub(super) enum Pred {
    And(Vec<Pred>),
    Or(Vec<Pred>),
    Not(Box<Pred>),
    In {
        field: usize,
        values: Vec<CVal>,
        negated: bool,
    },
    Like {
        field: usize,
        pattern: Vec<Piece>,
    },
}

pub(super) struct Binder<'a> {
    pub org: &'a Org,
    pub obj: usize,
}

impl Binder<'_> {
    fn info(&self, f: usize) -> &FieldInfo {
        &self.org.objects[self.obj].schema.fields[f]
    }

    pub fn field(&self, n: &Name) -> Result<usize, SoqlError> {
        let schema = &self.org.objects[self.obj].schema;
        if let Some((rel, _)) = n.text.split_once('.') {
            return Err(SoqlError::new("INVALID_FIELD", format!("Didn't understand relationship '{rel}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."), Some(n.pos)));
        }
        let Some(f) = schema.field_index(&n.text) else {
            return Err(SoqlError::new("INVALID_FIELD", format!("No such column '{}' on entity '{}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.", n.text, schema.name), Some(n.pos)));
        };
        if schema.fields[f].ftype == FieldType::Compound {
            return Err(SoqlError::malformed(
                format!(
                    "salesforce-sim does not support compound field '{}'",
                    n.text
                ),
                Some(n.pos),
            ));
        }
        Ok(f)
    }

    fn filter_field(&self, n: &Name) -> Result<usize, SoqlError> {
        let f = self.field(n)?;
        if !self.info(f).filterable {
            return Err(SoqlError::new(
                "INVALID_FIELD",
                format!("field '{}' can not be filtered in a query call", n.text),
                Some(n.pos),
            ));
        }
        Ok(f)
    }

    fn value(&self, f: usize, lit: &Literal, pos: usize) -> Result<CVal, SoqlError> {
        let info = self.info(f);
        let type_error = |want: &str, quoted: bool| {
            SoqlError::new(
                "INVALID_QUERY_FILTER_OPERATOR",
                format!("value of filter criterion for field '{}' must be of type {want} and should {}be enclosed in quotes", info.name, if quoted { "" } else { "not " }),
                Some(pos),
            )
        };
        match (info.ftype, lit) {
            (_, Literal::Null) => Ok(CVal::Null),
            (FieldType::Id | FieldType::Reference, Literal::Str(raw)) => {
                let s = decode_plain(raw).map_err(|m| SoqlError::malformed(m, Some(pos)))?;
                if !(matches!(s.len(), 15 | 18) && s.bytes().all(|b| b.is_ascii_alphanumeric())) {
                    return Err(SoqlError::new(
                        "INVALID_QUERY_FILTER_OPERATOR",
                        format!("invalid ID field: {s}"),
                        Some(pos),
                    ));
                }
                Ok(CVal::IdHead(s[..15].to_owned()))
            }
            (FieldType::Date | FieldType::DateTime, _) => Err(SoqlError::malformed(
                format!(
                    "salesforce-sim does not support date filters on '{}'",
                    info.name
                ),
                Some(pos),
            )),
            (t, Literal::Str(raw)) if t.is_textual() => {
                let s = decode_plain(raw).map_err(|m| SoqlError::malformed(m, Some(pos)))?;
                Ok(CVal::Text(s.to_lowercase()))
            }
            (t, _) if t.is_textual() => Err(type_error("string", true)),
            (FieldType::Boolean, Literal::Bool(b)) => Ok(CVal::Bool(*b)),
            (FieldType::Boolean, _) => Err(type_error("boolean", false)),
            (FieldType::Int | FieldType::Double, Literal::Num(n)) => Ok(CVal::Num(*n)),
            (FieldType::Int | FieldType::Double, _) => Err(type_error("number", false)),
            _ => Err(SoqlError::malformed(
                format!("salesforce-sim cannot filter on '{}'", info.name),
                Some(pos),
            )),
        }
    }

    pub fn cond(&self, c: &Cond) -> Result<Pred, SoqlError> {
        Ok(match c {
            Cond::And(parts) => Pred::And(
                parts
                    .iter()
                    .map(|p| self.cond(p))
                    .collect::<Result<_, _>>()?,
            ),
            Cond::Or(parts) => Pred::Or(
                parts
                    .iter()
                    .map(|p| self.cond(p))
                    .collect::<Result<_, _>>()?,
            ),
            Cond::Not(inner) => Pred::Not(Box::new(self.cond(inner)?)),
            Cond::Cmp {
                field,
                op,
                value,
                pos,
            } => {
                let f = self.filter_field(field)?;
                Pred::In {
                    field: f,
                    values: vec![self.value(f, value, *pos)?],
                    negated: *op == CmpOp::Ne,
                }
            }
            Cond::In {
                field,
                negated,
                values,
                pos,
            } => {
                let f = self.filter_field(field)?;
                let values = values
                    .iter()
                    .map(|v| self.value(f, v, *pos))
                    .collect::<Result<_, _>>()?;
                Pred::In {
                    field: f,
                    values,
                    negated: *negated,
                }
            }
            Cond::Like {
                field,
                pattern,
                pos,
            } => {
                let f = self.filter_field(field)?;
                if !self.info(f).ftype.is_textual()
                    || matches!(self.info(f).ftype, FieldType::Date | FieldType::DateTime)
                {
                    return Err(SoqlError::new(
                        "INVALID_QUERY_FILTER_OPERATOR",
                        format!("invalid operator on {} field: LIKE", self.info(f).name),
                        Some(*pos),
                    ));
                }
                let pieces =
                    decode_like(pattern).map_err(|m| SoqlError::malformed(m, Some(*pos)))?;
                let pattern = pieces
                    .into_iter()
                    .flat_map(|p| match p {
                        Piece::Char(c) => c.to_lowercase().map(Piece::Char).collect::<Vec<_>>(),
                        other => vec![other],
                    })
                    .collect();
                Pred::Like { field: f, pattern }
            }
        })
    }
}
