-- Contacts a run found unchanged since their last push (issue #14), kept as one row per recorded batch
-- instead of one log row each.
--
-- Why: a re-run of a million contacts with nothing changed wrote a million log rows, each into seven
-- indexes, and the database grew by that much per run, to say "nothing happened" a million times. The
-- log is "a log of the various actions that took place": rows for every insert, update, skip, invalid
-- contact and failure stay one each. An unchanged contact is still answerable per run — the run page's
-- "Unchanged" filter and the results download expand these lists (the email joined from the contact),
-- and the counters stay exact — at one short row per batch.
create table sync_run_unchanged (
    run_id integer not null references sync_runs (id) on delete cascade,
    first_contact_id integer not null,
    last_contact_id integer not null,
    -- The batch's unchanged contact ids, ascending, as a JSON array (expanded with json_each /
    -- json_array_elements_text), so membership and paging stay in SQL on both databases.
    ids text not null,
    primary key (run_id, first_contact_id)
);
