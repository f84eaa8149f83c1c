-- Bulk API 2.0 runs and run serialisation (issue #7). Every table here is scratch space of one run: the
-- engine empties it when the run ends, and deleting a run cascades. Nothing in it is shown to anyone.

-- Whether the run goes the Bulk way (a large selection: writes staged here and sent as Bulk jobs), decided
-- once when it first starts. Null until then. A run picked up again after its worker died keeps its way,
-- even if the selection has grown or shrunk since, because its staged writes are already here.
alter table sync_runs add column bulk boolean;

-- The CRM index of a large run, loaded once from a Bulk query job instead of one SOQL `IN` per 200
-- contacts: every record of the object with a match value, keyed by the match key (trimmed, lower-cased,
-- so Ada@Example.com finds ada@example.com). A table, not memory: 400,000 records with their mapped
-- fields would be a few hundred MB in a HashMap. `record` is the selected fields as a JSON object.
create table push_index (
    run_id integer not null references sync_runs (id) on delete cascade,
    match_key text not null,
    crm_id text not null,
    last_modified text not null,
    record text not null
);
create index push_index_by_key on push_index (run_id, match_key);

-- Writes a large run has decided and not yet settled: one row per record write (an update of several
-- matching records is several rows of one contact), or one 'deferred' row for a contact whose match key
-- another contact of the run is already writing (it is decided again, against Salesforce, once that write
-- is done, so two contacts with one key never both insert). Written in the same transaction as the batch's
-- log rows and cursor, and deleted in the same transaction as the contact's own log row, so a contact is
-- either staged or logged, never both and never neither.
create table push_staged (
    run_id integer not null references sync_runs (id) on delete cascade,
    contact_id integer not null,
    operation text not null check (operation in ('insert', 'update', 'upsert', 'deferred')),
    -- How Salesforce's result row finds this row again: the record Id for an update, the match value (as
    -- sent, trimmed and lower-cased) for an insert or an upsert.
    join_key text not null,
    match_key text not null,
    email text not null,
    hash text,
    -- The field values to write, as a JSON object.
    payload text not null,
    -- The Bulk job it went out in; null while waiting to be sent (or sent by Collections).
    job_id text,
    -- Sends so far that Salesforce refused with a transient error (UNABLE_TO_LOCK_ROW).
    attempts integer not null default 0,
    -- Handed to a Collections call whose answer is not recorded yet: if the worker dies, an insert among
    -- these is looked up by its match key before it is sent again.
    in_flight boolean not null default false,
    primary key (run_id, contact_id, join_key)
);
create index push_staged_by_key on push_staged (run_id, match_key);
create index push_staged_by_job on push_staged (run_id, operation, job_id, contact_id);

-- The Bulk jobs of a run: the index query, and each ingest job with the state our side has reached, so a
-- run picked up again polls the job it already submitted instead of sending its rows twice.
create table push_jobs (
    run_id integer not null references sync_runs (id) on delete cascade,
    job_id text not null,
    operation text not null check (operation in ('query', 'insert', 'update', 'upsert')),
    -- query: 'open' (created), 'ready' (every page loaded into push_index).
    -- ingest: 'open' (created, rows assigned; upload and close not confirmed), 'submitted' (closed:
    -- Salesforce processes it), 'answered' (its results are in push_answers).
    state text not null check (state in ('open', 'ready', 'submitted', 'answered')),
    row_count integer not null default 0,
    -- Salesforce's final state and errorMessage, for rows it never processed.
    sf_state text,
    sf_error text,
    created_at integer not null,
    primary key (run_id, job_id)
);

-- Salesforce's per-row results of an ingest job, read from its result files and joined to push_staged by
-- (job_id, join_key). Kept apart from push_staged so reading the files again after a restart is harmless.
create table push_answers (
    run_id integer not null references sync_runs (id) on delete cascade,
    job_id text not null,
    join_key text not null,
    ok boolean not null,
    crm_id text,
    created boolean not null default false,
    error_code text,
    message text,
    primary key (run_id, job_id, join_key)
);

-- Runs on one connection and object are claimed one at a time (engine::worker): this index finds a
-- connection's syncs for that check.
create index syncs_by_connection_object on syncs (connection_id, object);
