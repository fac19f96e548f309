//! No stored value changes silently. A type change either keeps every value (proven, or
//! checked row by row) or is refused before anything runs, naming table, column and count —
//! unless the user gave an explicit conversion (`using`) or opted in to lossy changes. The
//! same holds for the SQL that `diff --format sql` and `migration new` write: a guard in the
//! script fails the same way.

use rusqlite::Connection;
use schema_sync::testing::{TempPostgres, TempSqlite};
use schema_sync_core::apply::{self, ApplyOptions};
use schema_sync_core::error::{Finding, Problem};
use schema_sync_core::introspect::IntrospectOptions;
use schema_sync_core::{source, Error};
use sqlx::PgConnection;

async fn pg_target(db: &TempPostgres, ddl: &str) -> schema_sync_core::Schema {
    source::load_postgres_ddl(ddl, "target", db.url(), &IntrospectOptions::default()).await.expect("target loads")
}

async fn pg_rows(conn: &mut PgConnection) -> Vec<String> {
    sqlx::query_scalar::<_, String>("SELECT to_jsonb(t)::text FROM t ORDER BY id")
        .persistent(false)
        .fetch_all(&mut *conn)
        .await
        .unwrap()
}

fn findings(e: &Error) -> &[Finding] {
    match e.innermost() {
        Error::WouldFail { findings } => findings,
        other => panic!("expected a refusal naming the rows, got: {other}"),
    }
}

const PG_BASE: &str =
    "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(20), code char(10), amount numeric(10,4), label text);
INSERT INTO t VALUES (1, 'a very long name', 'abcdefg', 123456.7891, '042'),
                     (2, 'short', 'ab', 1.5, '42'),
                     (3, NULL, NULL, NULL, NULL);";

#[tokio::test]
async fn postgres_narrowing_that_would_change_values_is_refused_with_the_count() {
    let db = schema_sync::require_postgres!();
    let mut conn = db.connect().await;
    sqlx::raw_sql(PG_BASE).execute(&mut conn).await.unwrap();
    let before = pg_rows(&mut conn).await;
    let cases = [
        ("name varchar(20)", "name varchar(5)", "name", "character varying(20)", "character varying(5)"),
        ("code char(10)", "code char(3)", "code", "character(10)", "character(3)"),
        ("amount numeric(10,4)", "amount numeric(10,1)", "amount", "numeric(10,4)", "numeric(10,1)"),
        ("label text", "label integer", "label", "text", "integer"),
    ];
    for (old, new, column, from, to) in cases {
        let desired = pg_target(&db, &PG_BASE.split(";\n").next().unwrap().replace(old, new)).await;
        let err = apply::migrate(&mut conn, &desired, &ApplyOptions::default()).await.expect_err(column);
        let f = findings(&err);
        assert_eq!(f.len(), 1, "{err}");
        assert_eq!((f[0].table.as_str(), f[0].columns[0].as_str(), f[0].rows), ("t", column, 1), "{err}");
        assert_eq!(f[0].problem, Problem::ChangedValues { from: from.into(), to: to.into() }, "{err}");
        assert_eq!(pg_rows(&mut conn).await, before, "nothing changed after refusing {column}");
    }
    // A value the cast rejects outright is named too (and still nothing runs).
    sqlx::raw_sql("UPDATE t SET label = 'abc' WHERE id = 2").execute(&mut conn).await.unwrap();
    let desired = pg_target(
        &db,
        "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(20), code char(10), amount numeric(10,4), label integer)",
    )
    .await;
    let err = apply::migrate(&mut conn, &desired, &ApplyOptions::default()).await.expect_err("abc is no integer");
    assert!(matches!(findings(&err)[0].problem, Problem::Unconvertible { .. }), "{err}");
}

#[tokio::test]
async fn postgres_explicit_conversions_and_the_lossy_opt_in_are_honoured() {
    let db = schema_sync::require_postgres!();
    let mut conn = db.connect().await;
    sqlx::raw_sql(PG_BASE).execute(&mut conn).await.unwrap();
    let ddl =
        "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(5), code char(10), amount numeric(10,4), label text)";
    let desired = pg_target(&db, ddl).await;
    // An explicit conversion is the user's decision: it runs.
    let mut opts = ApplyOptions::default();
    opts.plan.using.insert("t.name".into(), "left({col}, 5)".into());
    apply::migrate(&mut conn, &desired, &opts).await.expect("explicit conversion runs");
    let name: String = sqlx::query_scalar("SELECT name FROM t WHERE id = 1").fetch_one(&mut conn).await.unwrap();
    assert_eq!(name, "a ver");
    // The documented opt-in accepts rounding.
    let ddl =
        "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(5), code char(10), amount numeric(10,1), label text)";
    let desired = pg_target(&db, ddl).await;
    assert!(apply::migrate(&mut conn, &desired, &ApplyOptions::default()).await.is_err());
    let mut opts = ApplyOptions::default();
    opts.plan.allow_lossy = true;
    apply::migrate(&mut conn, &desired, &opts).await.expect("opt-in runs");
    let amount: String =
        sqlx::query_scalar("SELECT amount::text FROM t WHERE id = 1").fetch_one(&mut conn).await.unwrap();
    assert_eq!(amount, "123456.8");
    // A widening needs no check and keeps every value.
    let ddl = "CREATE TABLE t (id bigint PRIMARY KEY, name text, code char(10), amount numeric(12,1), label text)";
    let before = pg_rows(&mut conn).await;
    apply::migrate(&mut conn, &pg_target(&db, ddl).await, &ApplyOptions::default()).await.expect("widening");
    assert_eq!(pg_rows(&mut conn).await, before);
}

#[tokio::test]
async fn postgres_migration_files_carry_the_same_guard() {
    use schema_sync_core::apply::postgres::PgDatabase;
    use schema_sync_core::supabase;
    let db = schema_sync::require_postgres!();
    let mut conn = db.connect().await;
    sqlx::raw_sql(PG_BASE).execute(&mut conn).await.unwrap();
    let live =
        schema_sync_core::introspect::postgres::introspect(&mut conn, &IntrospectOptions::default()).await.unwrap();
    let desired = pg_target(
        &db,
        "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(5), code char(10), amount numeric(10,4), label text)",
    )
    .await;
    let planned = supabase::plan_migration(&live, &desired, &Default::default(), &Default::default()).unwrap();
    assert!(planned.statements.iter().any(|s| s.sql.starts_with("DO $ss$")), "{:?}", planned.statements);
    let dir = std::env::temp_dir().join(format!("ss-guard-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    supabase::write_migration(&dir, "narrow", "live", "models", &planned, 1_700_000_000).unwrap();
    let files = supabase::read_dir(&dir).unwrap();
    let before = pg_rows(&mut conn).await;
    let mut pg = PgDatabase::new(&mut conn);
    let err = supabase::migrate(&mut pg, &files, &Default::default(), &mut |_| {}).await.expect_err("guarded");
    assert!(err.to_string().contains("1 row(s) of t.name would change value"), "{err}");
    assert_eq!(pg_rows(&mut conn).await, before, "the file was rolled back");
    assert!(supabase::applied(&mut conn).await.unwrap().is_empty(), "and not recorded");
    let _ = std::fs::remove_dir_all(&dir);
}

const LITE_BASE: &str = "CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT, ratio REAL, note TEXT);
INSERT INTO t VALUES (1, '042', 0.30000000000000004, 'a'), (2, '42', 0.5, 'b'), (3, 'abc', NULL, NULL), (4, NULL, 2.0, 'd');";

fn lite_rows(conn: &Connection) -> Vec<String> {
    let mut stmt =
        conn.prepare("SELECT id, typeof(label), quote(label), typeof(ratio), quote(ratio) FROM t ORDER BY id").unwrap();
    stmt.query_map([], |r| {
        Ok(format!(
            "{} {}:{} {}:{}",
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn lite_target(ddl: &str) -> schema_sync_core::Schema {
    source::load_sqlite_ddl(ddl, "target", &IntrospectOptions::default()).unwrap()
}

#[test]
fn sqlite_rebuild_copies_that_would_change_values_are_refused() {
    let db = TempSqlite::new();
    let mut conn = db.connect();
    conn.execute_batch(LITE_BASE).unwrap();
    let before = lite_rows(&conn);
    // TEXT → INTEGER: '042' would become 42 (and '42' → 42 is the same value; 'abc' stays text).
    let to_int = lite_target("CREATE TABLE t (id INTEGER PRIMARY KEY, label INTEGER, ratio REAL, note TEXT)");
    let err = apply::migrate_blocking(&mut conn, &to_int, &ApplyOptions::default()).expect_err("'042' changes");
    let f = findings(&err);
    assert_eq!((f[0].table.as_str(), f[0].columns[0].as_str(), f[0].rows), ("t", "label", 1), "{err}");
    assert_eq!(f[0].problem, Problem::ChangedValues { from: "TEXT".into(), to: "INTEGER".into() });
    assert_eq!(lite_rows(&conn), before);
    // REAL → TEXT keeps 15 digits: 0.30000000000000004 would become '0.3'.
    let to_text = lite_target("CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT, ratio TEXT, note TEXT)");
    let err = apply::migrate_blocking(&mut conn, &to_text, &ApplyOptions::default()).expect_err("precision");
    assert_eq!(findings(&err)[0].columns, ["ratio"], "{err}");
    assert_eq!(lite_rows(&conn), before);
    // The opt-in accepts it, and then the values are the converted ones.
    let mut opts = ApplyOptions::default();
    opts.plan.allow_lossy = true;
    apply::migrate_blocking(&mut conn, &to_int, &opts).expect("opt-in");
    let label: String = conn.query_row("SELECT quote(label) FROM t WHERE id = 1", [], |r| r.get(0)).unwrap();
    assert_eq!(label, "42");
}

#[test]
fn sqlite_values_that_keep_their_meaning_copy_without_a_refusal() {
    let db = TempSqlite::new();
    let mut conn = db.connect();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT, r INTEGER); INSERT INTO t VALUES (1, '42', 4), (2, '-7', NULL), (3, 'n/a', 9);").unwrap();
    let desired = lite_target("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, r REAL)");
    apply::migrate_blocking(&mut conn, &desired, &ApplyOptions::default())
        .expect("'42' → 42 and 4 → 4.0 keep their value");
    let got: Vec<String> = conn
        .prepare("SELECT quote(n) || ' ' || quote(r) FROM t ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(got, ["42 4.0", "-7 NULL", "'n/a' 9.0"]);
}

#[test]
fn sqlite_written_sql_refuses_a_lossy_copy_too() {
    // The plan's SQL, run by hand, fails in its guard before the old table is dropped.
    let db = TempSqlite::new();
    let conn = db.connect();
    conn.execute_batch(LITE_BASE).unwrap();
    let before = lite_rows(&conn);
    let live = schema_sync_core::introspect::sqlite::introspect(&conn, &IntrospectOptions::default()).unwrap();
    let to_int = lite_target("CREATE TABLE t (id INTEGER PRIMARY KEY, label INTEGER, ratio REAL, note TEXT)");
    let c = schema_sync_core::diff::compare(&live, &to_int, None, &Default::default()).unwrap();
    let script = schema_sync_core::render::script(
        &schema_sync_core::render::render(&schema_sync_core::render::fix_plan(&c)).unwrap(),
    );
    let err = conn.execute_batch(&format!("BEGIN;\n{script}COMMIT;")).expect_err("the guard fails");
    assert!(err.to_string().contains("values of t.label would change"), "{err}");
    conn.execute_batch("ROLLBACK").unwrap();
    assert_eq!(lite_rows(&conn), before);
}

/// A generated column that becomes a plain one keeps the values it holds (Postgres
/// `DROP EXPRESSION`; SQLite's rebuild copies them) — found by the rows the conformance cases
/// now carry: it used to be dropped and re-added empty.
#[tokio::test]
async fn a_generated_column_made_plain_keeps_its_values() {
    let db = schema_sync::require_postgres!();
    let mut conn = db.connect().await;
    sqlx::raw_sql("CREATE TABLE g (id bigint PRIMARY KEY, a integer, b integer GENERATED ALWAYS AS (a * 2) STORED); INSERT INTO g VALUES (1, 2), (2, 21);")
        .execute(&mut conn)
        .await
        .unwrap();
    let desired = pg_target(&db, "CREATE TABLE g (id bigint PRIMARY KEY, a integer, b integer)").await;
    let out =
        apply::migrate(&mut conn, &desired, &ApplyOptions::default()).await.expect("no data is lost: no opt-in needed");
    assert!(out.statements.iter().any(|s| s.sql.contains("DROP EXPRESSION")), "{:?}", out.statements);
    let b: Vec<i32> = sqlx::query_scalar("SELECT b FROM g ORDER BY id").fetch_all(&mut conn).await.unwrap();
    assert_eq!(b, [4, 42]);

    let lite = TempSqlite::new();
    let mut conn = lite.connect();
    conn.execute_batch("CREATE TABLE g (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER GENERATED ALWAYS AS (a * 2) VIRTUAL); INSERT INTO g (id, a) VALUES (1, 2), (2, 21);")
        .unwrap();
    let desired = lite_target("CREATE TABLE g (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER)");
    apply::migrate_blocking(&mut conn, &desired, &ApplyOptions::default()).expect("rebuild copies the values");
    let b: Vec<i64> = conn
        .prepare("SELECT b FROM g ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(b, [4, 42]);
}
