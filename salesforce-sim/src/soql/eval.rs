//! Runs a bound query: filters, sorts and limits rows. Equality on an indexed field (Email,
//! External IDs) uses the index instead of a scan.

use super::ast::Select;
use super::bind::{Binder, CVal, Pred};
use super::lexer::Piece;
use super::parser::parse;
use super::SoqlError;
use crate::org::Org;
use crate::store::{Row, Val};
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq)]
pub enum QueryResult {
    Count(usize),
    Rows {
        object: usize,
        fields: Vec<usize>,
        rows: Vec<u32>,
    },
}

/// Runs `soql`. `include_deleted` is `queryAll`; `bulk` applies Bulk 2.0's
/// restrictions (no `COUNT()`, doc §6.3).
pub fn run_query(
    org: &Org,
    soql: &str,
    include_deleted: bool,
    bulk: bool,
) -> Result<QueryResult, SoqlError> {
    let q = parse(soql)?;
    let Some(obj) = org.object_index(&q.from.text) else {
        return Err(SoqlError::new(
            "INVALID_TYPE",
            format!("sObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.", q.from.text),
            Some(q.from.pos),
        ));
    };
    let binder = Binder { org, obj };
    let fields = match &q.select {
        Select::Count if bulk => {
            return Err(SoqlError::new(
                "INVALIDJOB",
                "Aggregate queries are not supported by Bulk API 2.0",
                None,
            ));
        }
        Select::Count => None,
        Select::Fields(names) => {
            let mut out = Vec::with_capacity(names.len());
            for n in names {
                let f = binder.field(n)?;
                if out.contains(&f) {
                    return Err(SoqlError::malformed(
                        format!("duplicate field selected: {}", n.text),
                        Some(n.pos),
                    ));
                }
                out.push(f);
            }
            Some(out)
        }
    };
    let pred = q.filter.as_ref().map(|c| binder.cond(c)).transpose()?;
    if q.offset.is_some_and(|o| o > 2000) {
        return Err(SoqlError::new(
            "NUMBER_OUTSIDE_VALID_RANGE",
            "Maximum SOQL offset allowed is 2000",
            None,
        ));
    }
    let mut order = Vec::with_capacity(q.order_by.len());
    for item in &q.order_by {
        let f = binder.field(&item.field)?;
        if !org.objects[obj].schema.fields[f].sortable {
            return Err(SoqlError::new(
                "INVALID_FIELD",
                format!(
                    "field '{}' can not be sorted in a query call",
                    item.field.text
                ),
                Some(item.field.pos),
            ));
        }
        order.push((f, item.descending, item.nulls_last));
    }
    let table = &org.objects[obj].table;
    let candidates: Box<dyn Iterator<Item = (u32, &Row)>> = match pred
        .as_ref()
        .and_then(|p| index_candidates(org, obj, p, include_deleted))
    {
        Some(rows) => Box::new(
            rows.into_iter()
                .filter_map(|i| table.row(i).map(|r| (i, r))),
        ),
        None => Box::new(table.rows()),
    };
    let mut rows: Vec<u32> = candidates
        .filter(|(_, r)| include_deleted || !r.deleted)
        .filter(|(i, r)| pred.as_ref().is_none_or(|p| eval(org, obj, *i, r, p)))
        .map(|(i, _)| i)
        .collect();
    if !order.is_empty() {
        sort_rows(org, obj, &mut rows, &order);
    }
    let offset = q.offset.unwrap_or(0).min(rows.len());
    rows.drain(..offset);
    if let Some(limit) = q.limit {
        rows.truncate(limit);
    }
    Ok(match fields {
        None => QueryResult::Count(rows.len()),
        Some(fields) => QueryResult::Rows {
            object: obj,
            fields,
            rows,
        },
    })
}

fn ci_eq(stored: &str, lowered: &str) -> bool {
    if stored.is_ascii() && lowered.is_ascii() {
        stored.eq_ignore_ascii_case(lowered)
    } else {
        stored.to_lowercase() == lowered
    }
}

fn matches_value(v: Option<&Val>, c: &CVal) -> bool {
    match (v, c) {
        (None, CVal::Null) => true,
        (None, _) | (_, CVal::Null) => false,
        (Some(Val::Text(s)), CVal::Text(t)) => ci_eq(s, t),
        (Some(Val::Text(s)), CVal::IdHead(h)) => s.get(..15) == Some(h.as_str()),
        (Some(Val::Int(i)), CVal::Num(n)) => (*i as f64) == *n,
        (Some(Val::Num(x)), CVal::Num(n)) => x == n,
        (Some(Val::Bool(b)), CVal::Bool(c)) => b == c,
        _ => false,
    }
}

fn like(text: &[char], pattern: &[Piece]) -> bool {
    // Classic wildcard matching with one backtrack point for the last `%`.
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(Piece::AnyMany) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Piece::AnyOne) => {
                t += 1;
                p += 1;
            }
            Some(Piece::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|x| *x == Piece::AnyMany)
}

fn eval(org: &Org, obj: usize, idx: u32, row: &Row, p: &Pred) -> bool {
    match p {
        Pred::And(parts) => parts.iter().all(|x| eval(org, obj, idx, row, x)),
        Pred::Or(parts) => parts.iter().any(|x| eval(org, obj, idx, row, x)),
        Pred::Not(inner) => !eval(org, obj, idx, row, inner),
        Pred::In {
            field,
            values,
            negated,
        } => {
            let v = org.field_val(obj, idx, row, *field);
            values.iter().any(|c| matches_value(v.as_deref(), c)) != *negated
        }
        Pred::Like { field, pattern } => match org.field_val(obj, idx, row, *field).as_deref() {
            Some(Val::Text(s)) => {
                let text: Vec<char> = s.chars().flat_map(char::to_lowercase).collect();
                like(&text, pattern)
            }
            _ => false,
        },
    }
}

/// Rows for an equality or `IN` on an indexed field, when the filter requires one.
fn index_candidates(org: &Org, obj: usize, p: &Pred, include_deleted: bool) -> Option<Vec<u32>> {
    if include_deleted {
        return None; // deleted rows are not indexed
    }
    match p {
        // Ids encode their row: `Id = …` / `Id IN (…)` needs no scan.
        Pred::In {
            field,
            values,
            negated: false,
        } if org.objects[obj].schema.fields[*field].name == "Id" => {
            let prefix = &org.objects[obj].schema.key_prefix;
            let mut rows: Vec<u32> = values
                .iter()
                .filter_map(|v| match v {
                    CVal::IdHead(h) => crate::ids::parse_id(prefix, h).ok(),
                    _ => None,
                })
                .filter_map(|r| u32::try_from(r).ok())
                .filter(|&r| (r as usize) < org.objects[obj].table.len())
                .collect();
            rows.sort_unstable();
            rows.dedup();
            Some(rows)
        }
        Pred::In {
            field,
            values,
            negated: false,
        } if org.objects[obj].table.is_indexed(*field) => {
            let mut rows = Vec::new();
            for v in values {
                let CVal::Text(t) = v else { return None };
                rows.extend_from_slice(org.objects[obj].table.lookup(*field, t)?);
            }
            rows.sort_unstable();
            rows.dedup();
            Some(rows)
        }
        Pred::And(parts) => parts
            .iter()
            .find_map(|x| index_candidates(org, obj, x, include_deleted)),
        _ => None,
    }
}

#[derive(Debug, PartialEq, PartialOrd)]
enum SortKey {
    Text(String),
    Num(f64),
    Bool(bool),
}

fn sort_rows(org: &Org, obj: usize, rows: &mut [u32], order: &[(usize, bool, bool)]) {
    let table = &org.objects[obj].table;
    let key = |idx: u32| -> Vec<Option<SortKey>> {
        let Some(row) = table.row(idx) else {
            return Vec::new();
        };
        order
            .iter()
            .map(|(f, _, _)| {
                org.field_val(obj, idx, row, *f).map(|v| match v.as_ref() {
                    Val::Text(s) => SortKey::Text(s.to_lowercase()),
                    Val::Int(i) => SortKey::Num(*i as f64),
                    Val::Num(n) => SortKey::Num(*n),
                    Val::Bool(b) => SortKey::Bool(*b),
                })
            })
            .collect()
    };
    let mut keyed: Vec<(Vec<Option<SortKey>>, u32)> = rows.iter().map(|&i| (key(i), i)).collect();
    keyed.sort_by(|(a, _), (b, _)| {
        for (k, (_, desc, nulls_last)) in order.iter().enumerate() {
            let ord = match (
                a.get(k).and_then(Option::as_ref),
                b.get(k).and_then(Option::as_ref),
            ) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => {
                    if *nulls_last {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    }
                }
                (Some(_), None) => {
                    if *nulls_last {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    }
                }
                (Some(x), Some(y)) => {
                    let o = x.partial_cmp(y).unwrap_or(Ordering::Equal);
                    if *desc {
                        o.reverse()
                    } else {
                        o
                    }
                }
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    });
    for (slot, (_, idx)) in rows.iter_mut().zip(keyed) {
        *slot = idx;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soql::lexer::decode_like;

    fn pieces(p: &str) -> Vec<Piece> {
        decode_like(p).expect("valid pattern")
    }

    #[test]
    fn like_handles_wildcards_and_escaped_wildcards() {
        let t = |s: &str| s.chars().collect::<Vec<_>>();
        assert!(like(&t("smith"), &pieces("sm%")));
        assert!(like(&t("smith"), &pieces("%i_h")));
        assert!(!like(&t("smith"), &pieces("%x%")));
        assert!(like(&t("50%"), &pieces(r"50\%")));
        assert!(!like(&t("500"), &pieces(r"50\%")));
        assert!(like(&t(""), &pieces("%")));
    }
}
