-- What the contacts page needs to stay within 150 ms at a million contacts (server/examples/
-- contacts_page_bench.rs measures it; the README's Contacts section has the figures).
--
-- The page shows how many contacts a workspace has on every page. `count(*)` reads every row of the
-- workspace: fine at 3,000, not at a million (100 ms here, growing with the workspace; more before
-- autovacuum has marked the pages all-visible). So the count is kept here, one row per workspace, by
-- triggers on contacts: exact, and read in microseconds. Searches do not use it: they count their own
-- matches, up to a cap (storage/contacts/page.rs).
--
-- Triggers rather than counting in the Rust upsert: every way a contact comes or goes (upsert, API
-- delete, a workspace deleted with its contacts by cascade) is covered, including ones added later.
--
-- No index for search: prefix search already runs on the b-tree indexes of 0003 (email, name_key,
-- sort_name, collated "C"). Contains-search ("any part of the name") would need pg_trgm here and FTS5
-- with a trigram tokenizer on SQLite, with different matching rules on the two; the page, the API and
-- the OpenAPI description all promise prefix search, so we keep that and need no extension.
create table contact_counts (
    workspace_id bigint primary key references workspaces (id) on delete cascade,
    contacts bigint not null
);

insert into contact_counts (workspace_id, contacts)
select workspace_id, count(*) from contacts group by workspace_id;

-- Statement triggers with transition tables: one update of the count per statement, not one per row
-- (an upsert chunk is 500 rows; row triggers would leave 500 versions of the count row behind). For
-- `insert … on conflict do update`, the insert trigger's table holds only the rows really inserted;
-- updated ones are not counted again.
--
-- The count row is locked from the statement's end until its commit. Upserts run one statement per
-- transaction, so concurrent imports into one workspace queue for microseconds and cannot deadlock on it
-- (a statement takes it last, and waits for nothing after). A future transaction that writes contacts
-- in several statements could deadlock with another on it; PostgreSQL would then cancel one of the two.
create function contacts_count_inserted() returns trigger language plpgsql as $$
begin
    insert into contact_counts (workspace_id, contacts)
    select workspace_id, count(*) from inserted group by workspace_id
    on conflict (workspace_id) do update set contacts = contact_counts.contacts + excluded.contacts;
    return null;
end
$$;

-- An update, not an upsert: when a workspace is deleted, its count row may already be gone, and must not
-- come back (its foreign key would fail).
create function contacts_count_deleted() returns trigger language plpgsql as $$
begin
    update contact_counts
    set contacts = contact_counts.contacts - gone.contacts
    from (select workspace_id, count(*) as contacts from deleted group by workspace_id) gone
    where contact_counts.workspace_id = gone.workspace_id;
    return null;
end
$$;

create trigger contacts_counted_on_insert after insert on contacts
referencing new table as inserted for each statement execute function contacts_count_inserted();

create trigger contacts_counted_on_delete after delete on contacts
referencing old table as deleted for each statement execute function contacts_count_deleted();
