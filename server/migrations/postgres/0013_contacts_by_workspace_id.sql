-- A run reads its selection as keyset pages in contact-id order within one workspace
-- (`selected_contacts_page`: `workspace_id = ? and id > ? order by id limit n`). No index served that
-- order: SQLite took the workspace's rows from another (workspace_id, …) index and sorted all of them
-- after the cursor for every page, so reading a run's selection grew with its square (issue #14: 200,000
-- contacts spent 12–15 s of a run there). With (workspace_id, id) each page is one range of the index.
create index contacts_by_workspace_id on contacts (workspace_id, id);
