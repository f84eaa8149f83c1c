-- A broad search sorted by recently updated (the contacts page's default order) must stay within the
-- page's 150 ms at a million contacts even when its matches sit together far down the order: the
-- bench's "person1" matches 111,111 emails of one old import (server/examples/contacts_page_bench.rs).
-- Walking the order would read every newer contact first, so the page reads the matches from the
-- searched key's index and keeps the newest (storage/contacts/page.rs, "read whole"). Until now that
-- fetched a row per match for its updated_at: 170–290 ms on PostgreSQL. With updated_at and id in each
-- searched key's index it is a range scan of that index alone and a top-N sort (the README has figures).
--
-- Email gets a second index beside the unique one: upserts conflict on (workspace_id, email), which
-- must stay exactly that. The name indexes get updated_at appended after id; id is unique, so the
-- extra column never changes their order, and the Name sort still pages on contacts_by_name.
--
-- The cost is one more index to write per contact. Updates already rewrite the name index entries
-- (every upsert sets name_key, sort_name and updated_at), so they cost no more there.
create index contacts_by_email_updated on contacts (workspace_id, email, updated_at, id);
drop index contacts_by_name;
create index contacts_by_name on contacts (workspace_id, sort_name, id, updated_at);
drop index contacts_by_name_key;
create index contacts_by_name_key on contacts (workspace_id, name_key, id, updated_at);
