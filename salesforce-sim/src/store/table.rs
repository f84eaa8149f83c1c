//! One sObject's rows.

use super::Val;
use std::collections::HashMap;

/// One record. `fields` is sparse (only non-null stored values), sorted by
/// field index; computed fields (Id, Name, dates…) are not stored.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub fields: Vec<(u16, Val)>,
    pub created_ms: i64,
    pub modified_ms: i64,
    /// Index of the user who created the row (CreatedById, default OwnerId).
    pub creator: u16,
    pub deleted: bool,
}

impl Row {
    pub fn get(&self, field: usize) -> Option<&Val> {
        self.fields
            .binary_search_by_key(&(field as u16), |(f, _)| *f)
            .ok()
            .map(|i| &self.fields[i].1)
    }

    /// Sets (`Some`) or clears (`None`) a field.
    pub fn set(&mut self, field: usize, value: Option<Val>) {
        let key = field as u16;
        match (self.fields.binary_search_by_key(&key, |(f, _)| *f), value) {
            (Ok(i), Some(v)) => self.fields[i].1 = v,
            (Ok(i), None) => {
                self.fields.remove(i);
            }
            (Err(i), Some(v)) => self.fields.insert(i, (key, v)),
            (Err(_), None) => {}
        }
    }
}

/// How to reverse one write, for `allOrNone` rollbacks.
#[derive(Debug)]
pub enum Undo {
    Inserted(u32),
    Updated(u32, Row),
}

#[derive(Debug, Default)]
pub struct Table {
    rows: Vec<Row>,
    /// field index → lower-cased value → rows holding it (deleted rows excluded).
    indexes: HashMap<usize, HashMap<Box<str>, Vec<u32>>>,
    live: usize,
}

impl Table {
    /// Starts indexing `field` (an upsert key), including existing rows.
    pub fn add_index(&mut self, field: usize) {
        let mut index: HashMap<Box<str>, Vec<u32>> = HashMap::new();
        for (i, row) in self.rows.iter().enumerate() {
            if let (false, Some(v)) = (row.deleted, row.get(field)) {
                index.entry(v.index_key()).or_default().push(i as u32);
            }
        }
        self.indexes.insert(field, index);
    }

    pub fn is_indexed(&self, field: usize) -> bool {
        self.indexes.contains_key(&field)
    }

    /// Live rows whose `field` equals `key` case-insensitively, if `field` is indexed.
    pub fn lookup(&self, field: usize, key: &str) -> Option<&[u32]> {
        let index = self.indexes.get(&field)?;
        Some(
            index
                .get(key.to_lowercase().as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[]),
        )
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn live_count(&self) -> usize {
        self.live
    }

    pub fn row(&self, idx: u32) -> Option<&Row> {
        self.rows.get(idx as usize)
    }

    pub fn rows(&self) -> impl Iterator<Item = (u32, &Row)> {
        self.rows.iter().enumerate().map(|(i, r)| (i as u32, r))
    }

    pub fn insert(&mut self, row: Row) -> u32 {
        let idx = self.rows.len() as u32;
        self.index_row(idx, &row, true);
        if !row.deleted {
            self.live += 1;
        }
        self.rows.push(row);
        idx
    }

    /// Replaces a row, keeping indexes in step; returns the old row.
    pub fn replace(&mut self, idx: u32, row: Row) -> Option<Row> {
        let old = self.rows.get(idx as usize)?.clone();
        self.index_row(idx, &old, false);
        self.index_row(idx, &row, true);
        match (old.deleted, row.deleted) {
            (false, true) => self.live -= 1,
            (true, false) => self.live += 1,
            _ => {}
        }
        self.rows[idx as usize] = row;
        Some(old)
    }

    pub fn undo(&mut self, undo: Undo) {
        match undo {
            Undo::Inserted(idx) => {
                // Rollbacks run newest-first, so an undone insert is always the last row.
                if idx as usize + 1 == self.rows.len() {
                    if let Some(row) = self.rows.pop() {
                        self.index_row(idx, &row, false);
                        if !row.deleted {
                            self.live -= 1;
                        }
                    }
                }
            }
            Undo::Updated(idx, old) => {
                self.replace(idx, old);
            }
        }
    }

    fn index_row(&mut self, idx: u32, row: &Row, add: bool) {
        if row.deleted {
            return;
        }
        for (field, index) in self.indexes.iter_mut() {
            let Some(v) = row.get(*field) else { continue };
            let key = v.index_key();
            if add {
                index.entry(key).or_default().push(idx);
            } else if let Some(list) = index.get_mut(&key) {
                list.retain(|&i| i != idx);
                if list.is_empty() {
                    index.remove(&key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row_with(field: usize, text: &str) -> Row {
        let mut r = Row::default();
        r.set(field, Some(Val::Text(text.into())));
        r
    }

    #[test]
    fn index_lookups_are_case_insensitive_and_follow_updates() {
        let mut t = Table::default();
        t.add_index(3);
        let a = t.insert(row_with(3, "ann@example.com"));
        assert_eq!(t.lookup(3, "ANN@example.com"), Some(&[a][..]));
        t.replace(a, row_with(3, "bob@example.com"));
        assert_eq!(t.lookup(3, "ann@example.com"), Some(&[][..]));
        assert_eq!(t.lookup(3, "bob@example.com"), Some(&[a][..]));
        assert_eq!(t.lookup(4, "bob@example.com"), None);
    }

    #[test]
    fn undo_restores_rows_and_indexes() {
        let mut t = Table::default();
        t.add_index(1);
        let a = t.insert(row_with(1, "x"));
        let old = t.replace(a, row_with(1, "y")).expect("row exists");
        let b = t.insert(row_with(1, "z"));
        t.undo(Undo::Inserted(b));
        t.undo(Undo::Updated(a, old));
        assert_eq!(t.len(), 1);
        assert_eq!(t.lookup(1, "x"), Some(&[a][..]));
        assert_eq!(t.lookup(1, "z"), Some(&[][..]));
        assert_eq!(t.live_count(), 1);
    }
}
