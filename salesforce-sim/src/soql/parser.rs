//! Recursive-descent parser for the supported SOQL subset.
//!
//! ```text
//! query   := SELECT (COUNT '(' ')' | name (',' name)*) FROM name
//!            [WHERE cond] [ORDER BY order (',' order)*] [LIMIT int] [OFFSET int]
//! cond    := unary (AND unary)* | unary (OR unary)*   -- mixing needs parentheses, as in SOQL
//! unary   := NOT unary | '(' cond ')' | name op literal | name [NOT] IN '(' literal, … ')' | name LIKE string
//! order   := name [ASC|DESC] [NULLS (FIRST|LAST)]
//! ```

use super::ast::{CmpOp, Cond, Literal, Name, OrderItem, Query, Select};
use super::lexer::{tokenize, Tok, Token};
use super::SoqlError;

pub fn parse(q: &str) -> Result<Query, SoqlError> {
    let tokens = tokenize(q)?;
    let mut p = Parser {
        tokens,
        at: 0,
        end: q.len(),
    };
    let query = p.query()?;
    if let Some(t) = p.peek() {
        return Err(p.unexpected(t.clone()));
    }
    Ok(query)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    end: usize,
}

const RESERVED: &[&str] = &[
    "select", "from", "where", "and", "or", "not", "in", "like", "order", "by", "asc", "desc",
    "nulls", "limit", "offset", "group", "having", "with", "for", "using", "typeof", "includes",
    "excludes", "true", "false", "null",
];

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn unexpected(&self, t: Token) -> SoqlError {
        SoqlError::malformed(format!("unexpected token: '{}'", t.text), Some(t.pos))
    }

    fn eof(&self) -> SoqlError {
        SoqlError::malformed("unexpected token: '<EOF>'", Some(self.end))
    }

    fn is_keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Word(w), .. }) if w.eq_ignore_ascii_case(kw))
    }

    fn keyword(&mut self, kw: &str) -> Result<(), SoqlError> {
        if self.is_keyword(kw) {
            self.at += 1;
            return Ok(());
        }
        Err(match self.peek().cloned() {
            Some(t) => self.unexpected(t),
            None => self.eof(),
        })
    }

    fn expect(&mut self, want: &Tok) -> Result<Token, SoqlError> {
        match self.next() {
            Some(t) if &t.tok == want => Ok(t),
            Some(t) => Err(self.unexpected(t)),
            None => Err(self.eof()),
        }
    }

    fn name(&mut self) -> Result<Name, SoqlError> {
        match self.next() {
            Some(Token {
                tok: Tok::Word(w),
                pos,
                ..
            }) if !RESERVED.contains(&w.to_ascii_lowercase().as_str()) => Ok(Name { text: w, pos }),
            Some(t) => Err(self.unexpected(t)),
            None => Err(self.eof()),
        }
    }

    fn query(&mut self) -> Result<Query, SoqlError> {
        self.keyword("select")?;
        let select = if self.is_keyword("count") {
            self.at += 1;
            self.expect(&Tok::LParen)?;
            // COUNT(field) is an aggregate (AggregateResult rows): not supported.
            self.expect(&Tok::RParen)?;
            Select::Count
        } else {
            let mut fields = vec![self.name()?];
            while matches!(
                self.peek(),
                Some(Token {
                    tok: Tok::Comma,
                    ..
                })
            ) {
                self.at += 1;
                fields.push(self.name()?);
            }
            Select::Fields(fields)
        };
        self.keyword("from")?;
        let from = self.name()?;
        let filter = if self.is_keyword("where") {
            self.at += 1;
            Some(self.cond()?)
        } else {
            None
        };
        let mut order_by = Vec::new();
        if self.is_keyword("order") {
            self.at += 1;
            self.keyword("by")?;
            loop {
                order_by.push(self.order_item()?);
                if !matches!(
                    self.peek(),
                    Some(Token {
                        tok: Tok::Comma,
                        ..
                    })
                ) {
                    break;
                }
                self.at += 1;
            }
        }
        let limit = if self.is_keyword("limit") {
            self.at += 1;
            Some(self.count_literal()?)
        } else {
            None
        };
        let offset = if self.is_keyword("offset") {
            self.at += 1;
            Some(self.count_literal()?)
        } else {
            None
        };
        Ok(Query {
            select,
            from,
            filter,
            order_by,
            limit,
            offset,
        })
    }

    fn count_literal(&mut self) -> Result<usize, SoqlError> {
        match self.next() {
            Some(Token {
                tok: Tok::Num(n), ..
            }) if n >= 0.0 && n.fract() == 0.0 => Ok(n as usize),
            Some(t) => Err(self.unexpected(t)),
            None => Err(self.eof()),
        }
    }

    fn order_item(&mut self) -> Result<OrderItem, SoqlError> {
        let field = self.name()?;
        let mut descending = false;
        if self.is_keyword("asc") {
            self.at += 1;
        } else if self.is_keyword("desc") {
            self.at += 1;
            descending = true;
        }
        let mut nulls_last = descending;
        if self.is_keyword("nulls") {
            self.at += 1;
            if self.is_keyword("first") {
                nulls_last = false;
            } else if self.is_keyword("last") {
                nulls_last = true;
            } else {
                return Err(match self.peek().cloned() {
                    Some(t) => self.unexpected(t),
                    None => self.eof(),
                });
            }
            self.at += 1;
        }
        Ok(OrderItem {
            field,
            descending,
            nulls_last,
        })
    }

    fn cond(&mut self) -> Result<Cond, SoqlError> {
        let first = self.unary()?;
        let joiner = if self.is_keyword("and") {
            "and"
        } else if self.is_keyword("or") {
            "or"
        } else {
            return Ok(first);
        };
        let mut parts = vec![first];
        while self.is_keyword(joiner) {
            self.at += 1;
            parts.push(self.unary()?);
        }
        // `a AND b OR c` is ambiguous and SOQL refuses it; so do we.
        let other = if joiner == "and" { "or" } else { "and" };
        if self.is_keyword(other) {
            if let Some(t) = self.peek().cloned() {
                return Err(self.unexpected(t));
            }
        }
        Ok(if joiner == "and" {
            Cond::And(parts)
        } else {
            Cond::Or(parts)
        })
    }

    fn unary(&mut self) -> Result<Cond, SoqlError> {
        if self.is_keyword("not") {
            self.at += 1;
            return Ok(Cond::Not(Box::new(self.unary()?)));
        }
        if matches!(
            self.peek(),
            Some(Token {
                tok: Tok::LParen,
                ..
            })
        ) {
            self.at += 1;
            let inner = self.cond()?;
            self.expect(&Tok::RParen)?;
            return Ok(inner);
        }
        let field = self.name()?;
        let Some(op) = self.next() else {
            return Err(self.eof());
        };
        let pos = op.pos;
        match &op.tok {
            Tok::Eq | Tok::Ne => {
                let value = self.literal()?;
                let op = if op.tok == Tok::Eq {
                    CmpOp::Eq
                } else {
                    CmpOp::Ne
                };
                Ok(Cond::Cmp {
                    field,
                    op,
                    value,
                    pos,
                })
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("like") => match self.next() {
                Some(Token {
                    tok: Tok::Str(s), ..
                }) => Ok(Cond::Like {
                    field,
                    pattern: s,
                    pos,
                }),
                Some(t) => Err(self.unexpected(t)),
                None => Err(self.eof()),
            },
            Tok::Word(w) if w.eq_ignore_ascii_case("in") => Ok(Cond::In {
                field,
                negated: false,
                values: self.literal_list()?,
                pos,
            }),
            Tok::Word(w) if w.eq_ignore_ascii_case("not") => {
                self.keyword("in")?;
                Ok(Cond::In {
                    field,
                    negated: true,
                    values: self.literal_list()?,
                    pos,
                })
            }
            _ => Err(self.unexpected(op.clone())),
        }
    }

    fn literal_list(&mut self) -> Result<Vec<Literal>, SoqlError> {
        self.expect(&Tok::LParen)?;
        let mut values = vec![self.literal()?];
        while matches!(
            self.peek(),
            Some(Token {
                tok: Tok::Comma,
                ..
            })
        ) {
            self.at += 1;
            values.push(self.literal()?);
        }
        self.expect(&Tok::RParen)?;
        Ok(values)
    }

    fn literal(&mut self) -> Result<Literal, SoqlError> {
        match self.next() {
            Some(Token {
                tok: Tok::Str(s), ..
            }) => Ok(Literal::Str(s)),
            Some(Token {
                tok: Tok::Num(n), ..
            }) => Ok(Literal::Num(n)),
            Some(Token {
                tok: Tok::Word(w), ..
            }) if w.eq_ignore_ascii_case("true") => Ok(Literal::Bool(true)),
            Some(Token {
                tok: Tok::Word(w), ..
            }) if w.eq_ignore_ascii_case("false") => Ok(Literal::Bool(false)),
            Some(Token {
                tok: Tok::Word(w), ..
            }) if w.eq_ignore_ascii_case("null") => Ok(Literal::Null),
            Some(t) => Err(self.unexpected(t)),
            None => Err(self.eof()),
        }
    }
}

#[cfg(test)]
mod tests;
