//! When a run uses Bulk API 2.0, and what it should cost. Pure, so each rule is a table test.
//!
//! - **Bulk run**: more contacts selected than `KOMO_PUSH_BULK_THRESHOLD`. Its writes are staged and sent
//!   after planning; smaller runs keep the per-batch Collections path, whose writes can never exceed the
//!   threshold anyway.
//! - **Bulk index** ([`use_bulk_index`]): the run expects more lookups than the threshold, and the org holds
//!   at most [`RECORDS_PER_LOOKUP`] records of the object per expected lookup. Then one query job reading
//!   every record with a match value costs a handful of calls where SOQL `IN` would cost one per 200
//!   contacts; a huge org with few contacts to look up is cheaper (in time and disk) with SOQL. The
//!   expectation is measured, not guessed: the share of contacts the batches so far needed to look up
//!   (a re-run of unchanged contacts looks nothing up and so never reads the org).
//! - **Bulk ingest** ([`by_bulk`]): per kind of write (insert, update, upsert), more rows waiting than the
//!   threshold. Fewer go through Collections, where 200 rows cost one call and no polling.
//! - **Statistics while staging** ([`analyse_staged_again`]): each planned batch probes `push_staged` for
//!   the keys it would write, while the table grows from nothing. PostgreSQL plans those probes from its
//!   statistics; left at "empty" it scans every staged row of the run per batch (250 ms a batch at a
//!   million contacts, 126 s in all; a hand-made worst case took 150 s for one batch) where an index probe
//!   takes 26 ms. So the staged rows are analysed again each time they have doubled (from
//!   [`STAGED_ANALYSE_FLOOR`]): about seven analyses of a few hundred ms at a million.

/// Records the org may hold per expected lookup before reading the whole object stops paying off.
pub const RECORDS_PER_LOOKUP: u64 = 50;

/// Rows per page of the index query's results (`maxRecords`). Pages are streamed to disk, so a large page
/// costs no memory; fewer pages cost fewer calls.
pub const QUERY_PAGE: u32 = 200_000;

/// Polls of one ingest job we budget for (they back off to one per 30 s).
pub const POLLS_PER_JOB: u64 = 20;

/// What a CSV row of a typical contact takes, for the call estimate only.
const ROW_BYTES: u64 = 300;

/// Staged rows written before the first analysis while planning.
pub const STAGED_ANALYSE_FLOOR: u64 = 20_000;

/// Whether to analyse the staged rows now: `staged` written so far by this worker, `analysed_at` of them at
/// the last analysis (0: none yet).
pub fn analyse_staged_again(staged: u64, analysed_at: u64) -> bool {
    staged >= STAGED_ANALYSE_FLOOR.max(analysed_at.saturating_mul(2))
}

/// Whether a run selecting `selected` contacts is a Bulk run.
pub fn bulk_run(selected: u64, threshold: u64) -> bool {
    selected > threshold
}

/// Whether to build the run's CRM index with a Bulk query now: `pending` of the `prepared` contacts seen so
/// far needed a lookup, out of `selected` in the run, and the org holds `crm_total` records.
pub fn use_bulk_index(
    prepared: u64,
    pending: u64,
    selected: u64,
    crm_total: u64,
    threshold: u64,
) -> bool {
    if prepared == 0 || pending == 0 {
        return false;
    }
    let expected = u128::from(pending) * u128::from(selected.max(prepared)) / u128::from(prepared);
    let expected = u64::try_from(expected).unwrap_or(u64::MAX);
    expected > threshold && crm_total <= expected.saturating_mul(RECORDS_PER_LOOKUP)
}

/// Whether `waiting` rows of one kind of write go as a Bulk job.
pub fn by_bulk(waiting: u64, threshold: u64) -> bool {
    waiting > threshold
}

/// Calls the index query makes: create, one poll, and its pages.
pub fn index_calls(crm_total: u64) -> u64 {
    2 + crm_total.div_ceil(u64::from(QUERY_PAGE)).max(1)
}

/// An upper bound on a Bulk run's calls, for the API budget: `/limits` and `SELECT COUNT()`, the index
/// query, and for the writes (insert and update, or upsert) as many jobs as ~100 MB each takes, each
/// with create, upload, close, two result files and its polls.
pub fn estimate_bulk_calls(selected: u64, crm_total: u64, job_bytes: u64) -> u64 {
    let jobs = 2 + (selected.saturating_mul(ROW_BYTES) / job_bytes.max(1));
    2 + index_calls(crm_total) + jobs * (5 + POLLS_PER_JOB)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_is_read_in_bulk_only_when_many_lookups_are_expected_in_an_org_not_too_large() {
        // The bench's first run: every contact of the first batch needs a lookup.
        assert!(use_bulk_index(2_000, 2_000, 1_000_000, 400_000, 2_000));
        // The unchanged re-run: nothing looked up, nothing read.
        assert!(!use_bulk_index(2_000, 0, 1_000_000, 400_000, 2_000));
        // 10 changed contacts in a million: SOQL.
        assert!(!use_bulk_index(1_000_000, 10, 1_000_000, 400_000, 2_000));
        // 3,000 lookups against 5 million records: SOQL (15 queries beat reading 5 million rows).
        assert!(!use_bulk_index(3_000, 3_000, 3_000, 5_000_000, 2_000));
        // 3,000 lookups against 100,000 records: one query job.
        assert!(use_bulk_index(3_000, 3_000, 3_000, 100_000, 2_000));
        assert!(!use_bulk_index(0, 0, 10, 0, 2_000));
    }

    #[test]
    fn staged_rows_are_analysed_again_each_time_they_double() {
        let cases = [
            // (staged, analysed at, analyse?)
            (0, 0, false),
            (19_999, 0, false),
            (20_000, 0, true),
            (39_999, 20_000, false),
            (40_000, 20_000, true),
            (1_000_000, 640_000, false),
            (1_280_000, 640_000, true),
            (u64::MAX, u64::MAX, true),
        ];
        for (staged, analysed_at, expected) in cases {
            assert_eq!(
                analyse_staged_again(staged, analysed_at),
                expected,
                "{staged} staged, analysed at {analysed_at}"
            );
        }
        let analyses = (1..=500_u64)
            .scan(0, |analysed_at, batch| {
                let staged = batch * 2_000;
                let again = analyse_staged_again(staged, *analysed_at);
                if again {
                    *analysed_at = staged;
                }
                Some(again)
            })
            .filter(|again| *again)
            .count();
        assert_eq!(analyses, 6, "a million staged rows in batches of 2,000");
    }

    #[test]
    fn writes_go_in_bulk_above_the_threshold_only() {
        assert!(!by_bulk(2_000, 2_000));
        assert!(by_bulk(2_001, 2_000));
        assert!(bulk_run(2_001, 2_000) && !bulk_run(5, 2_000));
    }

    #[test]
    fn the_bulk_estimate_stays_far_below_collections_at_scale() {
        assert_eq!(index_calls(400_000), 4);
        assert_eq!(index_calls(0), 3);
        // A million contacts: 2 + 4 + 5 jobs × 25.
        assert_eq!(estimate_bulk_calls(1_000_000, 400_000, 100_000_000), 131);
    }
}
