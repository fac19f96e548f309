//! Partitioned tables and identity options, with rows, on a real Postgres: partitions are
//! created, moved to another bound, attached and detached with every row kept; a partitioning
//! Postgres cannot alter is refused while rows would go; the written SQL does what `apply`
//! does; and across dialects a partitioned table is one SQLite table.

use schema_sync::testing::{TempPostgres, TempSqlite};
use schema_sync_core::apply::{self, ApplyOptions};
use schema_sync_core::diff::{self, Change};
use schema_sync_core::introspect::{postgres as pg, sqlite as lite, IntrospectOptions};
use schema_sync_core::{render, source, Schema};
use sqlx::Row;

pub(crate) async fn target(db: &TempPostgres, ddl: &str) -> Schema {
    source::load_postgres_ddl(ddl, "target", db.url(), &IntrospectOptions::default()).await.unwrap()
}

pub(crate) async fn run(conn: &mut sqlx::PgConnection, sql: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).execute(conn).await.unwrap();
}

/// `sql` loaded into two new databases: one to apply to, one to run the written SQL on.
pub(crate) async fn two(sql: &str) -> (TempPostgres, TempPostgres, sqlx::PgConnection, sqlx::PgConnection) {
    let (x, y) = (TempPostgres::new().await, TempPostgres::new().await);
    let (mut a, mut b) = (x.connect().await, y.connect().await);
    run(&mut a, sql).await;
    run(&mut b, sql).await;
    (x, y, a, b)
}

/// The plan from what `conn` holds to `want`, as the SQL text `diff --format sql` prints, run
/// as is in one transaction.
pub(crate) async fn run_written(conn: &mut sqlx::PgConnection, want: &Schema) -> String {
    let live = pg::introspect(&mut *conn, &IntrospectOptions::default()).await.unwrap();
    let c = diff::compare(&live, want, None, &Default::default()).unwrap();
    let script = render::script(&render::render(&render::fix_plan(&c)).unwrap());
    run(conn, &format!("BEGIN;\n{script}COMMIT;")).await;
    script
}

const BEFORE: &str = "
CREATE TABLE events (id bigint NOT NULL, region text NOT NULL, body text, PRIMARY KEY (region, id))
  PARTITION BY LIST (region);
CREATE TABLE events_eu PARTITION OF events FOR VALUES IN ('eu');
CREATE TABLE events_us PARTITION OF events FOR VALUES IN ('us', 'ca');
CREATE TABLE events_ap (id bigint NOT NULL, region text NOT NULL, body text);
CREATE TABLE events_gone PARTITION OF events FOR VALUES IN ('gone');
INSERT INTO events SELECT g, CASE WHEN g % 3 = 0 THEN 'eu' WHEN g % 3 = 1 THEN 'us' ELSE 'ca' END, 'e' || g
  FROM generate_series(1, 90) g;
INSERT INTO events_ap SELECT g, 'ap', 'a' || g FROM generate_series(100, 119) g;";

/// A new parent index, a new partition with its own index, a bound changed (`events_us`
/// loses `ca` to a new partition: detached, the `ca` rows moved by the user's own statement,
/// attached again), a standalone table attached, an empty partition detached.
const AFTER: &str = "
CREATE TABLE events (id bigint NOT NULL, region text NOT NULL, body text, PRIMARY KEY (region, id))
  PARTITION BY LIST (region);
CREATE INDEX events_body ON events (body);
CREATE TABLE events_eu PARTITION OF events FOR VALUES IN ('eu');
CREATE TABLE events_us PARTITION OF events FOR VALUES IN ('us', 'ca', 'mx');
CREATE TABLE events_ap PARTITION OF events FOR VALUES IN ('ap');
CREATE TABLE events_rest PARTITION OF events (body WITH OPTIONS DEFAULT 'none') DEFAULT;
CREATE INDEX events_rest_local ON events_rest (id);
CREATE TABLE events_gone (id bigint NOT NULL, region text NOT NULL, body text);";

async fn counts(conn: &mut sqlx::PgConnection) -> (i64, i64, i64, i64) {
    let r = sqlx::query(
        "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM events_ap), \
                (SELECT count(*) FROM events WHERE body = CASE WHEN region = 'ap' THEN 'a' ELSE 'e' END || id), \
                (SELECT count(*) FROM events_us)",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    (r.get(0), r.get(1), r.get(2), r.get(3))
}

#[tokio::test]
async fn postgres_partitions_are_created_moved_attached_and_detached_with_every_row_kept() {
    let (x, _y, mut applied, mut written) = two(BEFORE).await;
    let want = target(&x, AFTER).await;
    let events = want.tables.iter().find(|t| t.name == "events_us").unwrap();
    assert_eq!(events.partition_of.as_ref().unwrap().bound, "FOR VALUES IN ('us', 'ca', 'mx')");
    let parent = want.tables.iter().find(|t| t.name == "events").unwrap();
    assert_eq!(parent.partition_by.as_deref(), Some("LIST (region)"));
    // The parent's key reaches every partition; only the partition's own index is listed.
    let rest = want.tables.iter().find(|t| t.name == "events_rest").unwrap();
    assert!(rest.primary_key.is_none(), "{rest:?}");
    assert_eq!(rest.indexes.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["events_rest_local"]);

    let out = apply::migrate(&mut applied, &want, &ApplyOptions::default()).await.expect("applies, no opt-in");
    let sql: Vec<&str> = out.statements.iter().map(|s| s.sql.as_str()).collect();
    assert!(sql.iter().any(|s| s.contains("DETACH PARTITION \"public\".\"events_us\"")), "{sql:#?}");
    assert!(
        sql.iter().any(|s| s.contains("ATTACH PARTITION \"public\".\"events_us\" FOR VALUES IN ('us', 'ca', 'mx')")),
        "{sql:#?}"
    );
    assert!(sql.iter().any(|s| s.contains("ATTACH PARTITION \"public\".\"events_ap\"")), "{sql:#?}");
    assert!(sql.iter().any(|s| s.starts_with("CREATE TABLE \"public\".\"events_rest\" PARTITION OF")), "{sql:#?}");
    let script = run_written(&mut written, &want).await;
    assert!(script.contains("DETACH PARTITION \"public\".\"events_gone\""), "{script}");
    for conn in [&mut applied, &mut written] {
        let now = pg::introspect(&mut *conn, &IntrospectOptions::default()).await.unwrap();
        assert!(diff::diff(&now, &want).is_empty(), "{:?}", diff::diff(&now, &want));
        assert_eq!(counts(&mut *conn).await, (110, 20, 110, 60), "every row kept, the attached table's too");
        // Rows route by the new bounds; the detached table takes no more.
        run(&mut *conn, "INSERT INTO events VALUES (500, 'mx', 'e500'), (501, 'zz', 'e501')").await;
        let r = sqlx::query("SELECT (SELECT region FROM events_us WHERE id = 500), (SELECT body FROM events_rest)")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!((r.get::<String, _>(0), r.get::<String, _>(1)), ("mx".into(), "e501".into()));
        // The detached table kept nothing of the parent's: no key, no index.
        let gone = now.tables.iter().find(|t| t.name == "events_gone").unwrap();
        assert!(gone.primary_key.is_none() && gone.indexes.is_empty() && gone.partition_of.is_none(), "{gone:?}");
    }
}

#[tokio::test]
async fn postgres_a_partitioning_postgres_cannot_alter_is_refused_while_rows_would_go() {
    let (x, _y, mut with_rows, mut empty) = two(BEFORE).await;
    run(&mut empty, "TRUNCATE events, events_ap").await;
    let want = target(
        &x,
        "CREATE TABLE events (id bigint NOT NULL, region text NOT NULL, body text, PRIMARY KEY (region, id))
           PARTITION BY RANGE (id);
         CREATE TABLE events_low PARTITION OF events FOR VALUES FROM (0) TO (1000);
         CREATE TABLE events_ap (id bigint NOT NULL, region text NOT NULL, body text);",
    )
    .await;
    let opts = ApplyOptions { allow_destructive: true, ..Default::default() };
    let before = counts(&mut with_rows).await;
    let err = apply::migrate(&mut with_rows, &want, &opts).await.expect_err("rows would be deleted");
    assert!(err.is_refusal(), "{err}");
    assert!(err.to_string().contains("recreating it to change its partitioning"), "{err}");
    assert_eq!(counts(&mut with_rows).await, before, "nothing changed");
    // Without rows (and with the opt-in: the table is dropped and created again) it converges.
    let plan = apply::migrate(&mut empty, &want, &opts).await.expect("an empty table is recreated");
    assert!(plan.statements.iter().any(|s| s.sql == "DROP TABLE \"public\".\"events\""), "{:#?}", plan.statements);
    let now = pg::introspect(&mut empty, &IntrospectOptions::default()).await.unwrap();
    assert!(diff::diff(&now, &want).is_empty(), "{:?}", diff::diff(&now, &want));
}

#[tokio::test]
async fn postgres_identity_options_are_compared_and_set_keeping_rows_and_the_position() {
    let (x, _y, mut applied, mut written) =
        two("CREATE TABLE tickets (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, what text NOT NULL);
         INSERT INTO tickets (what) SELECT 't' || g FROM generate_series(1, 25) g;")
        .await;
    let want = target(
        &x,
        "CREATE TABLE tickets (id int GENERATED BY DEFAULT AS IDENTITY
           (START WITH 10 INCREMENT BY 5 MAXVALUE 100000 CACHE 4) PRIMARY KEY, what text NOT NULL);",
    )
    .await;
    let live = pg::introspect(&mut applied, &IntrospectOptions::default()).await.unwrap();
    let changes = diff::diff(&live, &want);
    assert!(
        matches!(&changes[..], [Change::AlterColumn { changes, .. }] if changes.identity_options && !changes.identity),
        "{changes:?}"
    );
    apply::migrate(&mut applied, &want, &ApplyOptions::default()).await.expect("applies, no opt-in");
    run_written(&mut written, &want).await;
    for conn in [&mut applied, &mut written] {
        let now = pg::introspect(&mut *conn, &IntrospectOptions::default()).await.unwrap();
        assert!(diff::diff(&now, &want).is_empty(), "{:?}", diff::diff(&now, &want));
        let r = sqlx::query(
            "SELECT start_value, increment_by, max_value, cache_size, \
                    (SELECT count(*) FROM tickets WHERE what = 't' || id) FROM pg_sequences \
             WHERE sequencename = 'tickets_id_seq'",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        assert_eq!(
            (r.get::<i64, _>(0), r.get::<i64, _>(1), r.get::<i64, _>(2), r.get::<i64, _>(3), r.get::<i64, _>(4)),
            (10, 5, 100_000, 4, 25)
        );
        // The position is kept: the next id follows the last one issued, by the new step.
        let id: i32 = sqlx::query_scalar("INSERT INTO tickets (what) VALUES ('next') RETURNING id")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(id, 30);
    }
}

#[tokio::test]
async fn across_dialects_a_partitioned_table_is_one_sqlite_table_and_its_partitions_are_not_drift() {
    let db = TempPostgres::new().await;
    let mut conn = db.connect().await;
    run(&mut conn, BEFORE).await;
    run(&mut conn, "DROP TABLE events_ap").await;
    let postgres = pg::introspect(&mut conn, &IntrospectOptions::default()).await.unwrap();
    let file = TempSqlite::new();
    let lite_conn = file.connect();
    lite_conn
        .execute_batch(
            "CREATE TABLE events (id INTEGER NOT NULL, region TEXT NOT NULL, body TEXT, PRIMARY KEY (region, id));",
        )
        .unwrap();
    let sqlite = lite::introspect(&lite_conn, &IntrospectOptions::default()).unwrap();
    // Either way: the partitions exist only in Postgres, and say so.
    for (from, to) in [(&postgres, &sqlite), (&sqlite, &postgres)] {
        let c = diff::compare(from, to, None, &Default::default()).unwrap();
        assert!(c.changes.is_empty(), "{:?}", c.changes);
        if from.dialect == sqlite.dialect {
            assert!(c.notes.iter().any(|n| n.message.contains("partitions exist only in Postgres")), "{:?}", c.notes);
        }
    }
    // A partition missing in Postgres is still a difference there.
    run(&mut conn, "DROP TABLE events_gone").await;
    let fewer = pg::introspect(&mut conn, &IntrospectOptions::default()).await.unwrap();
    let c = diff::compare(&fewer, &postgres, None, &Default::default()).unwrap();
    assert!(
        c.changes.iter().any(|ch| matches!(ch, Change::CreateTable { table } if table.name == "events_gone")),
        "{:?}",
        c.changes
    );
}
