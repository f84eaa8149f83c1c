-- What a run did to each contact, and what each sync last pushed per contact (the push engine, issue #7).

-- Where a run has got to: the id of the last contact whose outcome is recorded. Contacts are streamed in id
-- order, so a run whose worker died is picked up again after this id, and no contact gets a second row.
alter table sync_runs add column cursor_contact_id integer not null default 0;

-- One row per selected contact a run dealt with, written in batches in the same short transaction that
-- moves the run's counters and cursor, so the rows and the counters always agree.
create table sync_run_rows (
    id integer primary key autoincrement,
    run_id integer not null references sync_runs (id) on delete cascade,
    -- No foreign key: the log must outlive a contact deleted since.
    contact_id integer not null,
    -- Copied, for the same reason: "ada@example.com was inserted" must still read after she is deleted.
    email text not null,
    action text not null check (action in ('insert', 'update', 'skip', 'unchanged', 'invalid')),
    outcome text not null check (outcome in ('ok', 'failed')),
    -- The Salesforce record(s) involved, comma-separated when an update wrote several matches.
    crm_id text,
    -- Salesforce's statusCode / errorCode (or ours, e.g. STRING_TOO_LONG found before sending).
    error_code text,
    -- Salesforce's message for a failure, or the engine's sentence for skip / unchanged / invalid.
    message text
);
-- Paging a run's log in contact order, and "only the failures".
create index sync_run_rows_by_run on sync_run_rows (run_id, id);
create index sync_run_rows_by_outcome on sync_run_rows (run_id, outcome, id);
-- Exactly one row per contact per run, enforced: a retried batch cannot log a contact twice.
create unique index sync_run_rows_one_per_contact on sync_run_rows (run_id, contact_id);

-- Per sync and contact: the record it was pushed to and the hash of what was pushed, so the next run skips
-- contacts that have not changed (engine::hash) without a lookup or a write.
create table sync_contact_state (
    sync_id integer not null references syncs (id) on delete cascade,
    contact_id integer not null,
    crm_id text,
    -- Set only when every write of a push succeeded; a failure keeps the previous hash, so the contact is
    -- tried again next time.
    last_hash text,
    last_pushed_at integer,
    last_error text,
    primary key (sync_id, contact_id)
);
