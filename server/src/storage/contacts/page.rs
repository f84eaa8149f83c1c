//! One page of contacts: keyset pages in three orders, and prefix search over email and names, each
//! doing work bounded by the page size rather than by the workspace's size (the budget is 150 ms
//! at a million contacts; `examples/contacts_page_bench.rs` measures it, the README has the figures).
//!
//! Without a search a page is one walk of the sort order's index from the cursor, and the total comes
//! from the trigger-kept `contact_counts` (migration 0007), not from `count(*)`.
//!
//! A search matches a prefix of three keys, each with its own b-tree index: `email`, `name_key`
//! ("first last") and `sort_name` ("last first"). We call each key's matches a branch. One query counts
//! each branch up to [`ContactPage::COUNT_CAP`] + 1 (a range scan of the key's index that stops there),
//! and the union of those capped id lists is the total: exact up to the cap, "10,000+" beyond. The
//! counts then choose, per branch, how to find its first page of matches in the sort order:
//!
//! - **small** (at most the cap): read its matches from the key's index and sort them ("read whole").
//!   At most 10,000 entries, however rare the prefix — walking the sort order instead would read the
//!   whole index for a prefix that matches nobody. Each key's index also holds `updated_at` and `id`
//!   (migration 0010), so by recently updated, the default order, this reads the index alone; by email
//!   or name it fetches each match's row for the sort key.
//! - **big, and its key is the sort key** (`email` when sorting by email, `sort_name` by name): the
//!   prefix is one contiguous stretch of the sort index; seek to it.
//! - **big otherwise**: walk the sort index from the cursor and keep the matching rows. More than 10,000
//!   of the workspace's N contacts match, so if they are spread through the order a page of L turns up
//!   within about L·N/10,000 rows (5,000 at a million). They need not be: a batch imported long ago,
//!   sorted by recently updated, sits at the far end. So the walk goes no further than
//!   [`WALK_BUDGET`] rows (the key that far on, read from the sort index alone, bounds its range), and
//!   if it found fewer than L, the branch is read whole instead, like a small one. By recently updated
//!   that costs an index entry per match: 42–73 ms on SQLite and 61–79 ms on PostgreSQL for the bench's
//!   111,111 bunched matches, its slowest case (a row per match before 0010: 56–100 and 169–199 ms). By
//!   email or name it is still a row per match; the bench has no such case (its broad searches there are
//!   found by seeking or walking), and carrying every sort key in every key's index would double their
//!   size for it.
//!
//! The page is the first L of the (at most three) branch pages merged by id. Each statement is shaped
//! so that the plan we chose is the only one on offer, rather than left to the planner: SQLite has no
//! statistics here (no `analyze`), a PostgreSQL that has not analysed a big import yet guesses too, and
//! a wrong guess costs seconds (2.4 s for a broad search on a fresh PostgreSQL before this). The knobs:
//! `col || ''` and `col + 0` hide a column from its index: the walk's searched key, so that the walk
//! follows the sort index, and a branch read whole's sort keys ([`Keys::Hidden`]), so that it reads the
//! searched key's range rather than walk the order (SQLite is also told the index with `indexed by`);
//! the capped counts `order by` their key so they read its index and stop; and statements are planned
//! afresh each time (see `run!`).

use super::rows::{ContactRow, CONTACT_COLUMNS};
use crate::storage::binds::{bind_all, Binds};
use crate::storage::{on_pool, Storage, StorageError, WorkspaceId};
use shared::contact::query::{ContactCursor, ContactPage, ContactQuery, ContactSort};
use shared::contact::Contact;

/// How far a walk reads before giving up on a branch (see the module docs).
const WALK_BUDGET: i64 = 10_000;

/// A statement's values, starting with the workspace as `$1`: every statement here names it so.
fn binds_for(workspace: WorkspaceId) -> Binds {
    let mut binds = Binds::new();
    binds.int(workspace.0);
    binds
}

/// Runs `$sql` with `$binds` through `$method` (`fetch_one`, `fetch_all`, …).
///
/// Not as a cached prepared statement: after five runs PostgreSQL may switch a cached statement to a
/// generic plan, one made without the values, and the right plans here depend on them (how broad the
/// prefix, where the cursor stands). Planning each time costs a fraction of a millisecond. And the id
/// list in a search's last statement differs every time, so caching it would only churn the cache.
macro_rules! run {
    ($storage:expr, $query:ident($sql:expr), $binds:expr, $method:ident) => {
        on_pool!($storage, pool => {
            bind_all!(sqlx::$query(&$sql).persistent(false), $binds).$method(pool).await
        })
    };
}

/// The column each order pages on, and its direction; each has an index `(workspace_id, column, id)`
/// (email's is the unique `(workspace_id, email)`: emails are unique, so the key alone is the position).
fn sort_key(sort: ContactSort) -> (&'static str, &'static str) {
    match sort {
        ContactSort::RecentlyUpdated => ("updated_at", "desc"),
        ContactSort::Email => ("email", "asc"),
        ContactSort::Name => ("sort_name", "asc"),
    }
}

/// How a statement names the sort columns: as they are, or hidden from their indexes (`+ 0` on integers,
/// `|| ''` on text: the same values in the same order, but no index of the column can walk, seek or
/// sort by it any more, so the planner is left with the plan the statement is written for).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keys {
    Indexed,
    Hidden,
}

impl Keys {
    fn column(self, name: &str) -> String {
        match (self, name) {
            (Keys::Indexed, _) => name.to_owned(),
            (Keys::Hidden, "updated_at" | "id") => format!("{name} + 0"),
            (Keys::Hidden, _) => format!("{name} || ''"),
        }
    }
}

/// A sort order, and the position a page starts after.
struct Order<'a> {
    sort: ContactSort,
    after: Option<&'a ContactCursor>,
}

impl Order<'_> {
    fn by(&self, keys: Keys) -> String {
        let (key, direction) = sort_key(self.sort);
        if self.sort == ContactSort::Email {
            keys.column("email")
        } else {
            let (key, id) = (keys.column(key), keys.column("id"));
            format!("{key} {direction}, {id} {direction}")
        }
    }

    /// ` and …` keeping the rows after the cursor; empty on the first page.
    fn after(&self, keys: Keys, binds: &mut Binds) -> String {
        self.after
            .map(|cursor| self.beyond(cursor, false, keys, binds))
            .unwrap_or_default()
    }

    /// ` and …` keeping the rows after `cursor` (`!inclusive`), or up to and including it (`inclusive`).
    fn beyond(
        &self,
        cursor: &ContactCursor,
        inclusive: bool,
        keys: Keys,
        binds: &mut Binds,
    ) -> String {
        let (key, direction) = sort_key(self.sort);
        // Ascending, "after" is `>` and "up to" is `<=`; descending, the other way round.
        let op = if (direction == "desc") == inclusive {
            ">"
        } else {
            "<"
        };
        let eq = if inclusive { "=" } else { "" };
        if self.sort == ContactSort::Email {
            let email = keys.column("email");
            return format!(" and {email} {op}{eq} {}", binds.text(cursor.key.clone()));
        }
        let k = match self.sort {
            ContactSort::RecentlyUpdated => binds.int(cursor.key.parse().unwrap_or(i64::MAX)),
            _ => binds.text(cursor.key.clone()),
        };
        let id = binds.int(cursor.id);
        let (key, id_column) = (keys.column(key), keys.column("id"));
        format!(" and ({key}, {id_column}) {op}{eq} ({k}, {id})")
    }
}

/// One searched key (column) and the prefix its value must start with.
struct Branch {
    column: &'static str,
    /// The key's index that also holds `updated_at` and `id` (migration 0010), which a branch read whole
    /// reads alone when sorting by recently updated.
    index: &'static str,
    prefix: String,
}

impl Branch {
    /// The three branches of a search: email, "first last", "last first". Emails are stored lower-cased;
    /// the name keys are ASCII-lower-cased, as SQL's `lower()` does on both backends.
    fn all(search: &str) -> [Branch; 3] {
        let name = search.to_ascii_lowercase();
        [
            Branch {
                column: "email",
                index: "contacts_by_email_updated",
                prefix: search.to_lowercase(),
            },
            Branch {
                column: "name_key",
                index: "contacts_by_name_key",
                prefix: name.clone(),
            },
            Branch {
                column: "sort_name",
                index: "contacts_by_name",
                prefix: name,
            },
        ]
    }

    /// `column` starts with the prefix, as a byte-order range `[prefix, prefix + U+10FFFF)` rather than
    /// `like`: a plain b-tree range scan on both backends (SQLite's default order, the "C" collation on
    /// PostgreSQL). `index: false` hides the column from its index (`|| ''`), for the walk.
    fn range(&self, index: bool, binds: &mut Binds) -> String {
        let lo = binds.text(self.prefix.clone());
        let hi = binds.text(format!("{}\u{10FFFF}", self.prefix));
        let column = if index {
            self.column.to_owned()
        } else {
            format!("{} || ''", self.column)
        };
        format!("{column} >= {lo} and {column} < {hi}")
    }
}

impl Storage {
    /// One page in the query's order, after its cursor, with the number of matching contacts (capped for
    /// searches, see [`ContactPage::COUNT_CAP`]).
    ///
    /// # Errors
    /// Database faults or a corrupt row.
    #[tracing::instrument(skip_all, fields(workspace = workspace.0, sort = query.sort.as_str()))]
    pub async fn page_contacts(
        &self,
        workspace: WorkspaceId,
        query: &ContactQuery,
    ) -> Result<ContactPage, StorageError> {
        // One extra row tells whether a next page exists without another count.
        let limit = i64::from(query.limit) + 1;
        let order = Order {
            sort: query.sort,
            after: query.after.as_ref(),
        };
        let mut binds = binds_for(workspace);
        let (total, total_capped, sql) = match &query.search {
            None => {
                let sql = format!(
                    "select {CONTACT_COLUMNS} from contacts where workspace_id = $1{after} \
                     order by {by} limit {limit}",
                    after = order.after(Keys::Indexed, &mut binds),
                    by = order.by(Keys::Indexed),
                );
                (self.count_contacts(workspace).await?, false, sql)
            }
            Some(search) => {
                let branches = Branch::all(search);
                let counts = self.count_matches(workspace, &branches).await?;
                let total = counts.all.min(ContactPage::COUNT_CAP);
                let capped = counts.all > ContactPage::COUNT_CAP;
                let mut ids = Vec::new();
                for (branch, count) in branches.iter().zip(counts.each) {
                    if count > 0 {
                        let page = BranchPage {
                            workspace,
                            branch,
                            count,
                            order: &order,
                            limit,
                        };
                        ids.extend(self.branch_page(&page).await?);
                    }
                }
                if ids.is_empty() {
                    return Ok(ContactPage {
                        contacts: Vec::new(),
                        total,
                        total_capped: capped,
                        next: None,
                    });
                }
                ids.sort_unstable();
                ids.dedup();
                let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
                // `+workspace_id` keeps SQLite off the workspace's sort index: it would walk that in
                // order and test every row against the list, instead of looking up the few ids.
                let sql = format!(
                    "select {CONTACT_COLUMNS} from contacts where id in ({ids}) \
                     and +workspace_id = $1 order by {by} limit {limit}",
                    ids = ids.join(", "),
                    by = order.by(Keys::Indexed),
                );
                (total, capped, sql)
            }
        };
        let rows: Vec<ContactRow> = run!(self, query_as(sql), binds, fetch_all)?;
        let more = rows.len() > query.limit as usize;
        let cursors: Vec<ContactCursor> = rows.iter().map(|r| r.cursor(query.sort)).collect();
        let mut contacts = rows
            .into_iter()
            .map(Contact::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        contacts.truncate(query.limit as usize);
        let next = more
            .then(|| cursors.get(contacts.len().saturating_sub(1)).cloned())
            .flatten();
        Ok(ContactPage {
            contacts,
            total,
            total_capped,
            next,
        })
    }

    /// Each branch's matches and their union, counted up to one past the cap: range scans of the keys'
    /// indexes, of at most 10,001 entries each however broad the prefix.
    async fn count_matches(
        &self,
        workspace: WorkspaceId,
        branches: &[Branch; 3],
    ) -> Result<Counts, StorageError> {
        let mut binds = binds_for(workspace);
        // `order by` the key so that PostgreSQL reads its index and stops at the cap: it may otherwise
        // pick a sequential scan for a broad prefix, and stop at the cap only after reading as far as
        // the matches happen to lie (200 ms at a million, now and then).
        let ids = branches.each_ref().map(|b| {
            format!(
                "select id from contacts where workspace_id = $1 and {} order by {} limit {}",
                b.range(true, &mut binds),
                b.column,
                ContactPage::COUNT_CAP + 1
            )
        });
        let [e, k, s] = &ids;
        let sql = format!(
            "select (select count(*) from ({e}) a), (select count(*) from ({k}) b), \
               (select count(*) from ({s}) c), \
               (select count(*) from (select id from ({e}) d union select id from ({k}) e \
                 union select id from ({s}) f) u)"
        );
        let (e, k, s, all): (i64, i64, i64, i64) = run!(self, query_as(sql), binds, fetch_one)?;
        Ok(Counts {
            each: [e, k, s],
            all,
        })
    }

    /// The ids of one branch's first `limit` matches after the cursor, in the sort order (the module docs
    /// explain the three plans).
    async fn branch_page(&self, page: &BranchPage<'_>) -> Result<Vec<i64>, StorageError> {
        let BranchPage {
            workspace,
            branch,
            count,
            order,
            limit,
        } = *page;
        let (key, _) = sort_key(order.sort);
        let small = count <= ContactPage::COUNT_CAP;
        if small || branch.column == key {
            let mut binds = binds_for(workspace);
            let sql = if small {
                self.read_whole(page, &mut binds)
            } else {
                // The prefix is one stretch of the sort index: seek to it.
                format!(
                    "select id from contacts where workspace_id = $1 and {range}{after} \
                     order by {by} limit {limit}",
                    range = branch.range(true, &mut binds),
                    after = order.after(Keys::Indexed, &mut binds),
                    by = order.by(Keys::Indexed),
                )
            };
            return Ok(run!(self, query_scalar(sql), binds, fetch_all)?);
        }
        // Walk the sort index, but no further than the row WALK_BUDGET rows after the cursor.
        let bound = self.walk_bound(page).await?;
        let mut binds = binds_for(workspace);
        let sql = format!(
            "select id from contacts where workspace_id = $1 and {range}{after}{until} \
             order by {by} limit {limit}",
            range = branch.range(false, &mut binds),
            after = order.after(Keys::Indexed, &mut binds),
            until = bound
                .as_ref()
                .map(|b| order.beyond(b, true, Keys::Indexed, &mut binds))
                .unwrap_or_default(),
            by = order.by(Keys::Indexed),
        );
        let ids: Vec<i64> = run!(self, query_scalar(sql), binds, fetch_all)?;
        if ids.len() as i64 == limit || bound.is_none() {
            return Ok(ids);
        }
        // Too few matches this close to the cursor: they bunch up elsewhere in the order (a batch
        // imported long ago, sorted by recently updated). Read the branch whole instead.
        let mut binds = binds_for(workspace);
        let sql = self.read_whole(page, &mut binds);
        Ok(run!(self, query_scalar(sql), binds, fetch_all)?)
    }

    /// The select of a branch's first page that reads all its matches from the key's index and keeps the
    /// first `limit` in the sort order. By recently updated that is the index alone (an entry per match,
    /// no row); by email or name it also fetches each match's row for the sort key.
    ///
    /// The sort key is hidden from its own index ([`Keys::Hidden`]), so walking the order is not on offer,
    /// only the key's range; SQLite, which has no statistics here, is also told which index to read.
    fn read_whole(&self, page: &BranchPage<'_>, binds: &mut Binds) -> String {
        let indexed_by = match self {
            Storage::Sqlite(_) => format!(" indexed by {}", page.branch.index),
            Storage::Postgres(_) => String::new(),
        };
        format!(
            "select id from contacts{indexed_by} where workspace_id = $1 and {range}{after} \
             order by {by} limit {limit}",
            range = page.branch.range(true, binds),
            after = page.order.after(Keys::Hidden, binds),
            by = page.order.by(Keys::Hidden),
            limit = page.limit,
        )
    }

    /// The position [`WALK_BUDGET`] rows after the cursor, read from the sort index alone; `None` when
    /// fewer rows than that remain.
    async fn walk_bound(
        &self,
        page: &BranchPage<'_>,
    ) -> Result<Option<ContactCursor>, StorageError> {
        let order = page.order;
        let (key, _) = sort_key(order.sort);
        // Emails are unique, so the email alone is the position; and PostgreSQL's email index does not
        // hold the id, so asking for it would take the rows too. With no statistics yet, PostgreSQL
        // then sorts the whole workspace instead (0.7 s at a million).
        let columns = if order.sort == ContactSort::Email {
            "email".to_owned()
        } else {
            format!("{key}, id")
        };
        let mut binds = binds_for(page.workspace);
        let sql = format!(
            "select {columns} from contacts where workspace_id = $1{after} order by {by} \
             limit 1 offset {offset}",
            after = order.after(Keys::Indexed, &mut binds),
            by = order.by(Keys::Indexed),
            offset = WALK_BUDGET - 1,
        );
        Ok(match order.sort {
            ContactSort::RecentlyUpdated => {
                let row: Option<(i64, i64)> = run!(self, query_as(sql), binds, fetch_optional)?;
                row.map(|(k, id)| ContactCursor {
                    key: k.to_string(),
                    id,
                })
            }
            ContactSort::Name => {
                let row: Option<(String, i64)> = run!(self, query_as(sql), binds, fetch_optional)?;
                row.map(|(key, id)| ContactCursor { key, id })
            }
            ContactSort::Email => {
                let row: Option<String> = run!(self, query_scalar(sql), binds, fetch_optional)?;
                row.map(|key| ContactCursor { key, id: 0 })
            }
        })
    }
}

/// One branch's page request: [`Storage::branch_page`].
#[derive(Clone, Copy)]
struct BranchPage<'a> {
    workspace: WorkspaceId,
    branch: &'a Branch,
    /// The branch's matches, counted up to [`ContactPage::COUNT_CAP`] + 1.
    count: i64,
    order: &'a Order<'a>,
    limit: i64,
}

/// [`Storage::count_matches`]: per branch and all together, each counted up to
/// [`ContactPage::COUNT_CAP`] + 1.
struct Counts {
    each: [i64; 3],
    all: i64,
}
