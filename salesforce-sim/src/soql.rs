//! The SOQL subset clients of a contact sync send (doc §4): field lists and
//! `COUNT()`, `WHERE` with `=`, `!=`/`<>`, `IN`/`NOT IN`, `LIKE`, `AND`/`OR`/`NOT`
//! and parentheses, `ORDER BY`, `LIMIT`, `OFFSET`. Everything else is refused
//! with `MALFORMED_QUERY` or `INVALID_FIELD`: never a wrong answer.
//!
//! Reading order: [`lexer`] → [`parser`] (recursive descent into [`ast`]) →
//! `bind` (names and literals checked against the schema) → [`eval`] (filter, sort, limit).

pub mod ast;
mod bind;
pub mod eval;
pub mod lexer;
pub mod parser;

pub use eval::{run_query, QueryResult};

use crate::error::ApiError;

/// A SOQL failure, with the character offset it refers to (if any) so the
/// message can carry Salesforce's `ERROR at Row:1:Column:N` block.
#[derive(Debug, Clone, PartialEq)]
pub struct SoqlError {
    pub code: &'static str,
    pub message: String,
    pub pos: Option<usize>,
}

impl SoqlError {
    pub fn malformed(message: impl Into<String>, pos: Option<usize>) -> Self {
        Self {
            code: "MALFORMED_QUERY",
            message: message.into(),
            pos,
        }
    }

    pub fn new(code: &'static str, message: impl Into<String>, pos: Option<usize>) -> Self {
        Self {
            code,
            message: message.into(),
            pos,
        }
    }

    /// The REST error, formatted like the recorded INVALID_TYPE body:
    /// `\n{query}\n{caret}\nERROR at Row:R:Column:C\n{message}`.
    pub fn into_api_error(self, query: &str) -> ApiError {
        let message = match self.pos {
            Some(pos) => {
                let before = &query[..pos.min(query.len())];
                let row = before.matches('\n').count() + 1;
                let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
                let col = before[line_start..].chars().count() + 1;
                let line = query[line_start..].lines().next().unwrap_or("");
                format!(
                    "\n{line}\n{}^\nERROR at Row:{row}:Column:{col}\n{}",
                    " ".repeat(col - 1),
                    self.message
                )
            }
            None => self.message,
        };
        ApiError::bad_request(self.code, message)
    }
}
