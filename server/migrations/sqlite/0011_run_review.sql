-- Run review (issue #8): the run log filtered by error code, by action, and searched by email prefix, each a
-- keyset page in row order served by an index that starts with the run, so a page stays fast at a million
-- rows whatever the filter.
-- Only failures carry an error code, so the code filter reads (run, 'failed', code) in row order, and the
-- errors-by-code summary is counted from this index alone.
create index sync_run_rows_by_code on sync_run_rows (run_id, outcome, error_code, id);
create index sync_run_rows_by_action on sync_run_rows (run_id, action, id);
create index sync_run_rows_by_email on sync_run_rows (run_id, email);
