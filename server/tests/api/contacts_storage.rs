//! Contact storage cases; the test command runs them on SQLite and on PostgreSQL.

use crate::helpers::TestDb;
use server::storage::{Storage, StorageError, WorkspaceId};
use shared::contact::custom::{CustomProperty, PropertyValue};
use shared::contact::query::{ContactPage, ContactQuery, ContactSort};
use shared::contact::{Contact, ContactInput, NewContact};
use shared::WorkspaceName;

async fn storage_with_workspace() -> (TestDb, Storage, WorkspaceId) {
    let db = TestDb::new().await;
    let storage = Storage::connect(&db.url)
        .await
        .expect("connect and migrate");
    let workspace = storage
        .create_workspace(&WorkspaceName::parse("Acme").expect("name"))
        .await
        .expect("workspace");
    (db, storage, workspace)
}

pub fn contact(email: &str, pairs: &[(&str, &str)], properties: &[CustomProperty]) -> NewContact {
    let mut input = ContactInput {
        email: email.to_owned(),
        ..ContactInput::default()
    };
    for (k, v) in pairs {
        input.set(k, (*v).to_owned());
    }
    NewContact::parse(input, properties).expect("valid contact")
}

fn query(search: &str, sort: ContactSort, after: Option<&str>, limit: u32) -> ContactQuery {
    ContactQuery::new(search, sort.as_str(), after.unwrap_or(""), Some(limit))
}

#[tokio::test]
async fn upsert_matches_on_email_keeps_absent_fields_and_clears_blank_ones() {
    let (_db, storage, ws) = storage_with_workspace().await;
    let first = storage
        .upsert_contacts(
            ws,
            &[contact(
                "Ada@Example.com",
                &[
                    ("first_name", "Ada"),
                    ("phone", "123"),
                    ("city", "London"),
                    ("tags", "vip"),
                ],
                &[],
            )],
        )
        .await
        .expect("insert");
    let again = storage
        .upsert_contacts(
            ws,
            &[contact(
                "ADA@example.COM",
                &[("last_name", "Lovelace"), ("phone", "")],
                &[],
            )],
        )
        .await
        .expect("update");
    assert_eq!(first, again, "same contact, same id");
    let stored = storage.get_contact(ws, first[0]).await.expect("get");
    assert_eq!(stored.email.as_str(), "ada@example.com");
    assert_eq!(
        (stored.first_name.as_str(), stored.last_name.as_str()),
        ("Ada", "Lovelace")
    );
    assert_eq!(stored.phone, "", "blank clears");
    assert_eq!(stored.city, "London", "absent keeps");
    assert_eq!(stored.tags, ["vip"]);
    assert_eq!(storage.count_contacts(ws).await.expect("count"), 1);

    // The merged name is searchable, whichever name was sent last.
    let page = storage
        .page_contacts(ws, &query("love", ContactSort::Name, None, 10))
        .await
        .expect("page");
    assert_eq!(page.total, 1);
}

#[tokio::test]
async fn the_last_of_two_items_with_one_email_wins() {
    let (_db, storage, ws) = storage_with_workspace().await;
    let ids = storage
        .upsert_contacts(
            ws,
            &[
                contact("grace@example.com", &[("company", "Navy")], &[]),
                contact("GRACE@example.com", &[("company", "Univac")], &[]),
            ],
        )
        .await
        .expect("upsert");
    assert_eq!(ids[0], ids[1]);
    let stored = storage.get_contact(ws, ids[0]).await.expect("get");
    assert_eq!(stored.company, "Univac");
}

#[tokio::test]
async fn keyset_pages_visit_every_contact_once_in_each_order() {
    let (_db, storage, ws) = storage_with_workspace().await;
    // More than one upsert chunk (500), with names that collide so the id tie-break matters.
    let batch: Vec<NewContact> = (0..1_234)
        .map(|i| {
            contact(
                &format!("person{i:04}@example.com"),
                &[
                    ("first_name", &format!("P{}", i % 7)),
                    ("last_name", &format!("Same{}", i % 3)),
                ],
                &[],
            )
        })
        .collect();
    storage.upsert_contacts(ws, &batch).await.expect("upsert");
    for sort in ContactSort::ALL {
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = storage
                .page_contacts(ws, &query("", sort, after.as_deref(), 100))
                .await
                .expect("page");
            assert_eq!(page.total, 1_234);
            seen.extend(page.contacts.iter().map(|c| c.id));
            match page.next {
                Some(next) => after = Some(next.encode()),
                None => break,
            }
        }
        let mut unique = seen.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(seen.len(), 1_234, "{sort:?}: every row once");
        assert_eq!(unique.len(), 1_234, "{sort:?}: no repeats");
    }
    let by_email = storage
        .page_contacts(ws, &query("", ContactSort::Email, None, 3))
        .await
        .expect("page");
    let emails: Vec<&str> = by_email.contacts.iter().map(|c| c.email.as_str()).collect();
    assert_eq!(
        emails,
        [
            "person0000@example.com",
            "person0001@example.com",
            "person0002@example.com"
        ]
    );
}

#[tokio::test]
async fn search_matches_prefixes_of_email_first_and_last_name() {
    let (_db, storage, ws) = storage_with_workspace().await;
    storage
        .upsert_contacts(
            ws,
            &[
                contact(
                    "ada@example.com",
                    &[("first_name", "Ada"), ("last_name", "Lovelace")],
                    &[],
                ),
                contact(
                    "grace@navy.example",
                    &[("first_name", "Grace"), ("last_name", "Hopper")],
                    &[],
                ),
                contact(
                    "alan@example.com",
                    &[("first_name", "Alan"), ("last_name", "Turing")],
                    &[],
                ),
            ],
        )
        .await
        .expect("upsert");
    let emails = |search: &'static str| {
        let storage = storage.clone();
        async move {
            let page = storage
                .page_contacts(ws, &query(search, ContactSort::Email, None, 10))
                .await
                .expect("page");
            assert_eq!(page.total as usize, page.contacts.len());
            page.contacts
                .into_iter()
                .map(|c| c.email.to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(emails("A").await, ["ada@example.com", "alan@example.com"]);
    assert_eq!(emails("grace@").await, ["grace@navy.example"]);
    assert_eq!(emails("hop").await, ["grace@navy.example"]);
    assert_eq!(emails("Ada Love").await, ["ada@example.com"]);
    assert_eq!(emails("zed").await, Vec::<String>::new());
}

/// Every page of `search` in `sort`, `limit` at a time: the contacts in order, and the first page's total.
async fn all_pages(
    storage: &Storage,
    ws: WorkspaceId,
    search: &str,
    sort: ContactSort,
    limit: u32,
) -> (Vec<Contact>, (i64, bool)) {
    let mut contacts = Vec::new();
    let mut total = None;
    let mut after: Option<String> = None;
    loop {
        let page = storage
            .page_contacts(ws, &query(search, sort, after.as_deref(), limit))
            .await
            .expect("page");
        total.get_or_insert((page.total, page.total_capped));
        contacts.extend(page.contacts);
        match page.next {
            Some(next) => after = Some(next.encode()),
            None => return (contacts, total.expect("a first page")),
        }
    }
}

/// Inserts `count` contacts in one statement, each column an SQL expression of `i` (0, 1, …): the upsert
/// takes 20 s for 20,000 contacts in a debug build. Name keys as the upsert builds them.
async fn insert_many(
    storage: &Storage,
    ws: WorkspaceId,
    count: i64,
    email: &str,
    first: &str,
    last: &str,
    updated_at: i64,
) {
    let sql = format!(
        "with recursive s(i) as (select 0 union all select i + 1 from s where i < $2 - 1) \
         insert into contacts (workspace_id, email, first_name, last_name, name_key, sort_name, \
           created_at, updated_at) \
         select $1, {email}, {first}, {last}, lower({first} || ' ' || {last}), \
           lower({last} || ' ' || {first}), $3, $3 from s"
    );
    let inserted = match storage {
        Storage::Sqlite(pool) => sqlx::query(&sql)
            .bind(ws.0)
            .bind(count)
            .bind(updated_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
        Storage::Postgres(pool) => sqlx::query(&sql)
            .bind(ws.0)
            .bind(count)
            .bind(updated_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
    };
    assert_eq!(inserted.expect("insert"), count as u64);
}

/// What a search means, spelled out: the email, "first last" or "last first" starts with it.
fn matches(contact: &Contact, search: &str) -> bool {
    let name = search.to_ascii_lowercase();
    let first = &contact.first_name;
    let last = &contact.last_name;
    contact.email.as_str().starts_with(&search.to_lowercase())
        || format!("{first} {last}")
            .trim()
            .to_ascii_lowercase()
            .starts_with(&name)
        || format!("{last} {first}")
            .trim()
            .to_ascii_lowercase()
            .starts_with(&name)
}

/// The storage picks a plan per searched key from how many contacts match it (read them all, seek, or
/// walk the sort order with a budget and fall back); whichever it picks, a search's pages must be the
/// unsearched order with the non-matches left out. The data puts each key on both sides of the
/// 10,000 count cap, and more than the walk's budget (10,000 rows) of newer contacts in front of an
/// older matching batch.
#[tokio::test]
async fn search_pages_are_the_full_order_filtered_whichever_plan_each_key_takes() {
    let (_db, storage, ws) = storage_with_workspace().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    // Oldest: 10,200 "m…" emails, first name Zed, last names Z0…Z49.
    insert_many(
        &storage,
        ws,
        10_200,
        "'m' || i || '@bulk.example'",
        "'Zed'",
        "'Z' || (i % 50)",
        now - 20,
    )
    .await;
    // Then 10,100 that match none of the searches below but "fill" and "pat".
    insert_many(
        &storage,
        ws,
        10_100,
        "'fill' || i || '@fill.example'",
        "'Pat'",
        "'Fill' || i",
        now - 10,
    )
    .await;
    // Newest: a few hundred that each match one search by one key only.
    let batch: Vec<NewContact> = (0..400)
        .map(|j| {
            let (email, first, last) = match j % 4 {
                0 => (format!("zed{j}@extra.example"), "Ann", format!("Other{j}")),
                1 => (format!("e{j}@extra.example"), "Bo", format!("Zedd{j}")),
                2 => (format!("e{j}@extra.example"), "Mia", format!("Mz{j}")),
                _ => (format!("e{j}@extra.example"), "", String::new()),
            };
            contact(&email, &[("first_name", first), ("last_name", &last)], &[])
        })
        .collect();
    storage.upsert_contacts(ws, &batch).await.expect("extras");

    // (search, whether more than the cap match)
    let searches = [
        ("m", true),    // emails: the old batch; names: 100 Mia Mz…
        ("zed", true),  // first names: the old batch; emails and last names: 100 each
        ("pat", true),  // first names of the filler, newer than the old batch
        ("fill", true), // emails and last names of the filler
        ("zedd", false),
        ("Mia Mz1", false),
    ];
    for sort in ContactSort::ALL {
        let (everyone, _) = all_pages(&storage, ws, "", sort, 500).await;
        assert_eq!(everyone.len(), 20_700);
        for (search, capped) in searches {
            let expected: Vec<i64> = everyone
                .iter()
                .filter(|c| matches(c, search))
                .map(|c| c.id)
                .collect();
            let (found, total) = all_pages(&storage, ws, search, sort, 500).await;
            let found: Vec<i64> = found.iter().map(|c| c.id).collect();
            assert!(
                found == expected,
                "{search:?} by {sort:?}: {} found, {} expected",
                found.len(),
                expected.len()
            );
            if capped {
                assert!(expected.len() as i64 > ContactPage::COUNT_CAP, "{search:?}");
                assert_eq!(total, (ContactPage::COUNT_CAP, true), "{search:?}");
            } else {
                assert!(!expected.is_empty(), "{search:?}");
                assert_eq!(total, (expected.len() as i64, false), "{search:?}");
            }
        }
    }
    let none = storage
        .page_contacts(ws, &query("nobody", ContactSort::Name, None, 10))
        .await
        .expect("page");
    assert_eq!(
        (none.total, none.total_capped, none.contacts.len()),
        (0, false, 0)
    );
}

#[tokio::test]
async fn the_contact_count_follows_inserts_and_deletes_but_not_updates() {
    let (_db, storage, acme) = storage_with_workspace().await;
    let globex = storage
        .create_workspace(&WorkspaceName::parse("Globex").expect("name"))
        .await
        .expect("workspace");
    assert_eq!(storage.count_contacts(acme).await.expect("count"), 0);
    let three = ["ada@example.com", "grace@example.com", "alan@example.com"];
    let batch: Vec<NewContact> = three.iter().map(|e| contact(e, &[], &[])).collect();
    storage.upsert_contacts(acme, &batch).await.expect("insert");
    storage
        .upsert_contacts(globex, &batch[..1])
        .await
        .expect("insert");
    // Two updates and one new contact.
    storage
        .upsert_contacts(
            acme,
            &[
                contact("ADA@example.com", &[("city", "London")], &[]),
                contact("grace@example.com", &[("city", "Arlington")], &[]),
                contact("edsger@example.com", &[], &[]),
            ],
        )
        .await
        .expect("upsert");
    assert_eq!(storage.count_contacts(acme).await.expect("count"), 4);
    let email = shared::EmailAddress::parse("alan@example.com").expect("email");
    storage
        .delete_contact_by_email(acme, &email)
        .await
        .expect("delete");
    assert_eq!(storage.count_contacts(acme).await.expect("count"), 3);
    let page = storage
        .page_contacts(acme, &query("", ContactSort::Email, None, 10))
        .await
        .expect("page");
    assert_eq!((page.total, page.contacts.len()), (3, 3));
    assert_eq!(storage.count_contacts(globex).await.expect("count"), 1);

    // A workspace deleted with its contacts takes its count along, and leaves the others' alone.
    let delete = "delete from workspaces where id = $1";
    let deleted = crate::helpers::sql_execute(&storage, delete, globex.0).await;
    assert_eq!(deleted, 1, "workspace deleted");
    assert_eq!(storage.count_contacts(globex).await.expect("count"), 0);
    assert_eq!(storage.count_contacts(acme).await.expect("count"), 3);
}

#[tokio::test]
async fn custom_properties_are_defined_once_and_their_values_merge() {
    let (_db, storage, ws) = storage_with_workspace().await;
    let size = CustomProperty::parse("shoe_size", "Shoe size", "number", "").expect("def");
    let colour =
        CustomProperty::parse("colour", "Colour", "single_choice", "Red\nBlue").expect("def");
    storage
        .create_contact_property(ws, &size)
        .await
        .expect("create");
    storage
        .create_contact_property(ws, &colour)
        .await
        .expect("create");
    let err = storage
        .create_contact_property(ws, &size)
        .await
        .expect_err("duplicate");
    assert!(matches!(err, StorageError::Duplicate(_)), "{err:?}");
    let properties = storage.list_contact_properties(ws).await.expect("list");
    assert_eq!(properties, [size.clone(), colour.clone()]);

    let ids = storage
        .upsert_contacts(
            ws,
            &[contact(
                "ada@example.com",
                &[("shoe_size", "38"), ("colour", "red")],
                &properties,
            )],
        )
        .await
        .expect("insert");
    storage
        .upsert_contacts(
            ws,
            &[contact(
                "ada@example.com",
                &[("shoe_size", "")],
                &properties,
            )],
        )
        .await
        .expect("update");
    let stored = storage.get_contact(ws, ids[0]).await.expect("get");
    assert_eq!(
        stored.custom.get("colour"),
        Some(&PropertyValue::Choice("Red".into())),
        "kept"
    );
    assert_eq!(stored.custom.get("shoe_size"), None, "cleared");
}

#[tokio::test]
async fn opting_in_records_the_first_time_and_opting_out_clears_it() {
    let (_db, storage, ws) = storage_with_workspace().await;
    let at = |opt_in: &str, when: &str| {
        contact(
            "ada@example.com",
            &[("marketing_opt_in", opt_in), ("marketing_opt_in_at", when)],
            &[],
        )
    };
    let ids = storage
        .upsert_contacts(ws, &[at("yes", "1700000000")])
        .await
        .expect("in");
    storage
        .upsert_contacts(ws, &[at("yes", "1800000000")])
        .await
        .expect("in again");
    let stored = storage.get_contact(ws, ids[0]).await.expect("get");
    assert!(stored.marketing_opt_in);
    assert_eq!(
        stored.marketing_opt_in_at,
        Some(1_700_000_000),
        "first opt-in time kept"
    );
    storage
        .upsert_contacts(ws, &[at("no", "")])
        .await
        .expect("out");
    let stored = storage.get_contact(ws, ids[0]).await.expect("get");
    assert!(!stored.marketing_opt_in);
    assert_eq!(stored.marketing_opt_in_at, None);
    storage
        .upsert_contacts(ws, &[at("yes", "")])
        .await
        .expect("in without a time");
    let stored = storage.get_contact(ws, ids[0]).await.expect("get");
    assert!(
        stored
            .marketing_opt_in_at
            .is_some_and(|t| t > 1_700_000_000),
        "now"
    );
}

#[tokio::test]
async fn contacts_belong_to_one_workspace() {
    let (_db, storage, acme) = storage_with_workspace().await;
    let globex = storage
        .create_workspace(&WorkspaceName::parse("Globex").expect("name"))
        .await
        .expect("workspace");
    let acme_ids = storage
        .upsert_contacts(
            acme,
            &[contact("ada@example.com", &[("company", "Acme")], &[])],
        )
        .await
        .expect("acme");
    let globex_ids = storage
        .upsert_contacts(
            globex,
            &[contact("ada@example.com", &[("company", "Globex")], &[])],
        )
        .await
        .expect("same email, other workspace");
    assert_ne!(acme_ids, globex_ids);
    assert!(matches!(
        storage.get_contact(globex, acme_ids[0]).await,
        Err(StorageError::NotFound(_))
    ));
    let page = storage
        .page_contacts(globex, &query("", ContactSort::Email, None, 10))
        .await
        .expect("page");
    assert_eq!(page.total, 1);
    assert_eq!(page.contacts[0].company, "Globex");
    let email = shared::EmailAddress::parse("ada@example.com").expect("email");
    storage
        .delete_contact_by_email(globex, &email)
        .await
        .expect("delete");
    assert_eq!(
        storage.count_contacts(acme).await.expect("count"),
        1,
        "acme's copy untouched"
    );
}
