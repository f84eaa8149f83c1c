-- What the contacts page needs to stay within 150 ms at a million contacts (server/examples/
-- contacts_page_bench.rs measures it; the README's Contacts section has the figures).
--
-- The page shows how many contacts a workspace has on every page. `count(*)` reads every row of the
-- workspace: fine at 3,000, not at a million (100 ms on PostgreSQL, growing with the workspace). So the
-- count is kept here, one row per workspace, by triggers on contacts: exact, and read in microseconds.
-- Searches do not use it: they count their own matches, up to a cap (storage/contacts/page.rs).
--
-- Triggers rather than counting in the Rust upsert: every way a contact comes or goes (upsert, API
-- delete, a workspace deleted with its contacts by cascade) is covered, including ones added later.
-- An upsert that updates an existing contact fires the update trigger, not the insert one, so it
-- leaves the count alone.
--
-- No index for search: prefix search already runs on the b-tree indexes of 0003 (email, name_key,
-- sort_name). Contains-search ("any part of the name") would need FTS5 with a trigram tokenizer here
-- and pg_trgm on PostgreSQL, with different matching rules on the two; the page, the API and the
-- OpenAPI description all promise prefix search, so we keep that.
create table contact_counts (
    workspace_id integer primary key references workspaces (id) on delete cascade,
    contacts integer not null
);

insert into contact_counts (workspace_id, contacts)
select workspace_id, count(*) from contacts group by workspace_id;

-- SQLite has row triggers only. Each adds one update of a row that stays in cache: a few percent on a
-- bulk import, against a count that no longer grows with the workspace.
create trigger contacts_counted_on_insert after insert on contacts
begin
    insert into contact_counts (workspace_id, contacts) values (new.workspace_id, 1)
    on conflict (workspace_id) do update set contacts = contacts + 1;
end;

-- An update, not an upsert: when a workspace is deleted, its count row may already be gone, and must not
-- come back.
create trigger contacts_counted_on_delete after delete on contacts
begin
    update contact_counts set contacts = contacts - 1 where workspace_id = old.workspace_id;
end;
