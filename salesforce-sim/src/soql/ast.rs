//! The parsed query, before names are checked against the schema.

/// A name with its character offset in the query (for error positions).
#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    pub text: String,
    pub pos: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Select {
    /// `SELECT COUNT()`: the count comes back in `totalSize`.
    Count,
    Fields(Vec<Name>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// The raw text between the quotes, escapes still in place: `LIKE` and `=`
    /// decode it differently (`\_` and `\%` are legal only in `LIKE`).
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    Cmp {
        field: Name,
        op: CmpOp,
        value: Literal,
        pos: usize,
    },
    In {
        field: Name,
        negated: bool,
        values: Vec<Literal>,
        pos: usize,
    },
    Like {
        field: Name,
        pattern: String,
        pos: usize,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderItem {
    pub field: Name,
    pub descending: bool,
    /// SOQL's default: nulls first ascending, last descending.
    pub nulls_last: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub select: Select,
    pub from: Name,
    pub filter: Option<Cond>,
    pub order_by: Vec<OrderItem>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}
