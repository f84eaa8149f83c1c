//! Storage cases; the test command runs them on SQLite and on PostgreSQL.

use crate::helpers::{email, TestDb};
use server::storage::people::UserRecord;
use server::storage::{Storage, StorageError, WorkspaceId};
use shared::{Role, UserView, WorkspaceName};

async fn storage() -> (TestDb, Storage) {
    let db = TestDb::new().await;
    let storage = Storage::connect(&db.url)
        .await
        .expect("connect and migrate");
    (db, storage)
}

fn record<'a>(address: &'a shared::EmailAddress, role: Role) -> UserRecord<'a> {
    UserRecord {
        email: address,
        name: "Someone",
        role,
        password_hash: "$argon2id$not-checked-here",
        must_change_password: false,
    }
}

#[tokio::test]
async fn migrations_can_run_twice() {
    let (db, first) = storage().await;
    first.close().await;
    let again = Storage::connect(&db.url)
        .await
        .expect("second connect migrates nothing new");
    assert_eq!(again.count_workspaces().await.expect("count"), 0);
}

#[tokio::test]
async fn an_email_belongs_to_one_user_whatever_its_case() {
    let (_db, storage) = storage().await;
    let workspace = storage
        .create_workspace(&WorkspaceName::parse("Acme").expect("name"))
        .await
        .expect("ws");
    let lower = email("ada@acme.example");
    storage
        .create_user(workspace, &record(&lower, Role::Member))
        .await
        .expect("first");
    let upper = email("ADA@ACME.EXAMPLE");
    let err = storage
        .create_user(workspace, &record(&upper, Role::Member))
        .await
        .expect_err("duplicate");
    assert!(matches!(err, StorageError::Duplicate(_)), "{err:?}");
}

#[tokio::test]
async fn users_are_listed_per_workspace_in_name_order() {
    let (_db, storage) = storage().await;
    let a = storage
        .create_workspace(&WorkspaceName::parse("A").expect("name"))
        .await
        .expect("ws");
    let b = storage
        .create_workspace(&WorkspaceName::parse("B").expect("name"))
        .await
        .expect("ws");
    for (address, workspace) in [
        ("zed@a.example", a),
        ("amy@a.example", a),
        ("bob@b.example", b),
    ] {
        let e = email(address);
        storage
            .create_user(
                workspace,
                &UserRecord {
                    name: address,
                    ..record(&e, Role::Member)
                },
            )
            .await
            .expect("user");
    }
    let names: Vec<String> = storage
        .list_users(a)
        .await
        .expect("list")
        .into_iter()
        .map(|u| u.email)
        .collect();
    assert_eq!(names, ["amy@a.example", "zed@a.example"]);
}

/// A workspace "Acme" with a super user and a second user of `second_role`.
async fn acme_with_two_users(
    storage: &Storage,
    second_role: Role,
) -> (WorkspaceId, UserView, UserView) {
    let ws = storage
        .create_workspace(&WorkspaceName::parse("Acme").expect("name"))
        .await
        .expect("ws");
    let (first, second) = (email("one@acme.example"), email("two@acme.example"));
    let one = storage
        .create_user(ws, &record(&first, Role::SuperUser))
        .await
        .expect("one");
    let two = storage
        .create_user(ws, &record(&second, second_role))
        .await
        .expect("two");
    (ws, one, two)
}

/// Two super users demoting each other at the same moment: one of them must stay. The test holds the
/// first demotion open in a transaction of its own (as a concurrent `set_role` holds it: on PostgreSQL with
/// the workspace row locked, on SQLite with the write lock), starts the second, and commits the first only
/// once the second has run or is waiting its turn: the second must be judged after the first, not against
/// a snapshot from before it.
#[tokio::test]
async fn two_super_users_demoting_each_other_at_once_leave_one() {
    let (_db, storage) = storage().await;
    let (ws, one, two) = acme_with_two_users(&storage, Role::SuperUser).await;

    let demote = "update users set role = 'member' where id = $1";
    let other = storage.clone();
    let demote_two = async move { other.set_role(ws, two.id, Role::Member).await };
    let second_demotion = match &storage {
        Storage::Postgres(pool) => {
            let mut tx = pool.begin().await.expect("begin");
            sqlx::query("select id from workspaces where id = $1 for update")
                .bind(ws.0)
                .execute(&mut *tx)
                .await
                .expect("lock");
            sqlx::query(demote)
                .bind(one.id)
                .execute(&mut *tx)
                .await
                .expect("first demotion");
            let task = tokio::spawn(demote_two);
            // Each check is a round trip, during which the second demotion runs until it finishes or
            // blocks on a lock.
            let waiting = "select count(*) from pg_stat_activity \
                           where datname = current_database() and wait_event_type = 'Lock'";
            while !task.is_finished() {
                let blocked: i64 = sqlx::query_scalar(waiting)
                    .fetch_one(pool)
                    .await
                    .expect("activity");
                if blocked > 0 {
                    break;
                }
            }
            tx.commit().await.expect("commit");
            task
        }
        // One writer at a time: the second demotion cannot write before the first commits, whenever
        // it starts.
        Storage::Sqlite(pool) => {
            let mut tx = pool.begin().await.expect("begin");
            sqlx::query(demote)
                .bind(one.id)
                .execute(&mut *tx)
                .await
                .expect("first demotion");
            let task = tokio::spawn(demote_two);
            tx.commit().await.expect("commit");
            task
        }
    };
    let err = second_demotion
        .await
        .expect("task")
        .expect_err("the second demotion would leave no super user");
    assert!(matches!(err, StorageError::LastSuperUser), "{err:?}");
    let supers = storage
        .list_users(ws)
        .await
        .expect("list")
        .into_iter()
        .filter(|u| u.role == Role::SuperUser)
        .count();
    assert_eq!(supers, 1);
}

#[tokio::test]
async fn the_last_super_user_cannot_be_demoted_but_others_can() {
    let (_db, storage) = storage().await;
    let (ws, one, two) = acme_with_two_users(&storage, Role::Member).await;

    let err = storage
        .set_role(ws, one.id, Role::Admin)
        .await
        .expect_err("last super user");
    assert!(matches!(err, StorageError::LastSuperUser), "{err:?}");
    storage
        .set_role(ws, two.id, Role::SuperUser)
        .await
        .expect("promote");
    let demoted = storage
        .set_role(ws, one.id, Role::Admin)
        .await
        .expect("now allowed");
    assert_eq!(demoted.role, Role::Admin);
    let err = storage
        .set_role(ws, 9_999, Role::Admin)
        .await
        .expect_err("no such user");
    assert!(matches!(err, StorageError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn sign_in_reservations_count_lock_refuse_forget_and_clear() {
    use server::auth::throttle::PER_EMAIL;
    use server::storage::throttle::Reservation;
    let (_db, storage) = storage().await;
    let who = "email:ada@acme.example";
    let now = 1_000_000;
    for expected in 1..PER_EMAIL.free_failures {
        let reserved = storage.reserve_sign_in(who, &PER_EMAIL, now).await;
        assert_eq!(reserved.expect("reserve"), Reservation::Allowed);
        assert_eq!(storage.sign_in_failures(who).await.expect("read"), expected);
    }
    // The attempt that reaches the limit may still check its password, and locks the ones after it.
    let last_free = storage.reserve_sign_in(who, &PER_EMAIL, now).await;
    assert_eq!(last_free.expect("reserve"), Reservation::Allowed);
    let until = now + PER_EMAIL.lock_seconds(PER_EMAIL.free_failures);
    let locked = storage.reserve_sign_in(who, &PER_EMAIL, now + 1).await;
    assert_eq!(locked.expect("reserve"), Reservation::Locked { until });
    assert_eq!(
        storage.sign_in_failures(who).await.expect("read"),
        PER_EMAIL.free_failures,
        "a refused attempt is not counted"
    );
    // Once the lock is over, the next failure locks for longer.
    let after_lock = storage.reserve_sign_in(who, &PER_EMAIL, until).await;
    assert_eq!(after_lock.expect("reserve"), Reservation::Allowed);
    let locked_longer = storage.reserve_sign_in(who, &PER_EMAIL, until).await;
    assert_eq!(
        locked_longer.expect("reserve"),
        Reservation::Locked {
            until: until + PER_EMAIL.lock_seconds(PER_EMAIL.free_failures + 1)
        }
    );
    // A quiet period as long as the longest lock forgets every failure.
    let quiet = until + PER_EMAIL.forget_after_secs();
    let fresh = storage.reserve_sign_in(who, &PER_EMAIL, quiet).await;
    assert_eq!(fresh.expect("reserve"), Reservation::Allowed);
    assert_eq!(storage.sign_in_failures(who).await.expect("read"), 1);
    storage.clear_sign_in(who).await.expect("clear");
    assert_eq!(storage.sign_in_failures(who).await.expect("read"), 0);
}

#[tokio::test]
async fn an_attempt_given_back_uncounts_itself_and_the_lock_it_set() {
    use server::auth::throttle::PER_EMAIL;
    use server::storage::throttle::Reservation;
    let (_db, storage) = storage().await;
    let who = "email:ada@acme.example";
    let now = 1_000_000;
    for _ in 0..PER_EMAIL.free_failures {
        let reserved = storage.reserve_sign_in(who, &PER_EMAIL, now).await;
        assert_eq!(reserved.expect("reserve"), Reservation::Allowed);
    }
    assert!(storage.sign_in_locked_until(who).await.expect("read") > now);
    // The attempt that set the lock was never checked (the server was busy): it is given back.
    storage
        .give_back_sign_in(who, &PER_EMAIL)
        .await
        .expect("give back");
    assert_eq!(
        storage.sign_in_failures(who).await.expect("read"),
        PER_EMAIL.free_failures - 1
    );
    assert_eq!(storage.sign_in_locked_until(who).await.expect("read"), 0);
    let next = storage.reserve_sign_in(who, &PER_EMAIL, now).await;
    assert_eq!(next.expect("reserve"), Reservation::Allowed);
}

#[tokio::test]
async fn a_burst_of_parallel_attempts_checks_no_more_passwords_than_the_limit() {
    use server::auth::throttle::PER_EMAIL;
    use server::storage::throttle::Reservation;
    let (_db, storage) = storage().await;
    let who = "email:ada@acme.example";
    let attempts = (0..40).map(|_| {
        let storage = storage.clone();
        tokio::spawn(async move { storage.reserve_sign_in(who, &PER_EMAIL, 1_000_000).await })
    });
    let mut allowed = 0;
    for attempt in attempts {
        if attempt.await.expect("task").expect("reserve") == Reservation::Allowed {
            allowed += 1;
        }
    }
    assert_eq!(allowed, PER_EMAIL.free_failures);
    assert_eq!(
        storage.sign_in_failures(who).await.expect("read"),
        PER_EMAIL.free_failures
    );
}

#[tokio::test]
async fn connections_are_unique_per_workspace_and_org() {
    let (_db, storage) = storage().await;
    let a = storage
        .create_workspace(&WorkspaceName::parse("A").expect("name"))
        .await
        .expect("ws");
    let b = storage
        .create_workspace(&WorkspaceName::parse("B").expect("name"))
        .await
        .expect("ws");
    storage
        .create_connection(a, "salesforce", "x.my.salesforce.com")
        .await
        .expect("a");
    storage
        .create_connection(b, "salesforce", "x.my.salesforce.com")
        .await
        .expect("b may connect the same org");
    let err = storage
        .create_connection(a, "salesforce", "x.my.salesforce.com")
        .await
        .expect_err("dup");
    assert!(matches!(err, StorageError::Duplicate(_)), "{err:?}");
    assert_eq!(storage.list_connections(a).await.expect("list").len(), 1);
}

/// Migrates a fresh database up to (not including) `version` and runs `setup` there: a database as an
/// older release left it.
async fn database_before(url: &str, version: i64, setup: &[&str]) {
    async fn run<DB: sqlx::Database>(
        pool: sqlx::Pool<DB>,
        mut migrator: sqlx::migrate::Migrator,
        version: i64,
        setup: &[&str],
    ) where
        <DB as sqlx::Database>::Connection: sqlx::migrate::Migrate,
        for<'c> &'c mut <DB as sqlx::Database>::Connection: sqlx::Executor<'c, Database = DB>,
        for<'c> &'c sqlx::Pool<DB>: sqlx::Executor<'c, Database = DB>,
    {
        let older: Vec<_> = migrator
            .migrations
            .iter()
            .filter(|m| m.version < version)
            .cloned()
            .collect();
        migrator.migrations = older.into();
        migrator.run(&pool).await.expect("older migrations");
        for sql in setup {
            sqlx::raw_sql(sql).execute(&pool).await.expect(sql);
        }
        pool.close().await;
    }
    if url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(url).await.expect("connect");
        run(pool, sqlx::migrate!("migrations/postgres"), version, setup).await;
    } else {
        let options = <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(url)
            .expect("url")
            .create_if_missing(true)
            .foreign_keys(true);
        let pool = sqlx::SqlitePool::connect_with(options)
            .await
            .expect("connect");
        run(pool, sqlx::migrate!("migrations/sqlite"), version, setup).await;
    }
}

/// Migration 0016 rebuilds `users` on SQLite (a column's `unique` cannot be dropped there), and a dropped
/// table's rows take `on delete set null` with them: every user, and who saved and started what, must
/// come through, and the references must still act afterwards.
#[tokio::test]
async fn emails_unique_per_workspace_keep_every_user_and_who_did_what() {
    let db = TestDb::new().await;
    database_before(
        &db.url,
        16,
        &[
            "insert into workspaces (name, created_at) values ('A', 0)",
            "insert into workspaces (name, created_at) values ('B', 0)",
            "insert into users (workspace_id, email, name, role, password_hash, created_at) \
             values (1, 'ada@a.example', 'Ada', 'super_user', 'hash', 0)",
            "insert into crm_connections (workspace_id, crm, domain, created_at) \
             values (1, 'salesforce', 'a.my.salesforce.com', 0)",
            "insert into syncs (workspace_id, connection_id, name, object, created_at, updated_at) \
             values (1, 1, 'S', 'Contact', 0, 0)",
            "insert into sync_versions (sync_id, version, config, changed_by, changed_by_name, \
             changes, created_at) values (1, 1, '{}', 1, 'Ada', '[]', 0)",
            "insert into sync_runs (workspace_id, sync_id, config_version, started_by, \
             started_by_name, created_at, updated_at) values (1, 1, 1, 1, 'Ada', 0, 0)",
        ],
    )
    .await;
    let storage = Storage::connect(&db.url).await.expect("migrate to the end");
    let who = |storage: &Storage| {
        let storage = storage.clone();
        async move {
            let sql = "select (select started_by from sync_runs), \
                       (select changed_by from sync_versions)";
            let row: (Option<i64>, Option<i64>) = match &storage {
                Storage::Sqlite(pool) => sqlx::query_as(sql).fetch_one(pool).await,
                Storage::Postgres(pool) => sqlx::query_as(sql).fetch_one(pool).await,
            }
            .expect("query");
            row
        }
    };
    assert_eq!(who(&storage).await, (Some(1), Some(1)));
    let ada = email("ada@a.example");
    let found = storage.find_credentials(&ada, 8).await.expect("query");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].password_hash, "hash");

    let b = storage
        .first_workspace()
        .await
        .expect("query")
        .map(|a| WorkspaceId(a.0 + 1))
        .expect("B");
    storage
        .create_user(b, &record(&ada, Role::Member))
        .await
        .expect("the same email in another workspace");
    assert_eq!(
        storage
            .find_credentials(&ada, 8)
            .await
            .expect("query")
            .len(),
        2
    );

    match &storage {
        Storage::Sqlite(pool) => sqlx::query("delete from users where id = 1")
            .execute(pool)
            .await
            .map(drop),
        Storage::Postgres(pool) => sqlx::query("delete from users where id = 1")
            .execute(pool)
            .await
            .map(drop),
    }
    .expect("delete");
    assert_eq!(
        who(&storage).await,
        (None, None),
        "the references still act"
    );
}
