//! Zero data loss on SQLite: tables full of rows (FK-linked children, NULLs, unicode, blobs)
//! are rebuilt, retyped, reordered and constrained; every row survives with equal values, FKs
//! hold, nothing cascades, and a failing plan leaves the file exactly as it was.

use rusqlite::types::Value;
use rusqlite::Connection;
use schema_sync::testing::TempSqlite;
use schema_sync_core::apply::{self, ApplyOptions};
use schema_sync_core::introspect::{sqlite as lite, IntrospectOptions};
use schema_sync_core::source;
use std::collections::BTreeMap;

const BASE: &str = r#"
PRAGMA foreign_keys = ON;
CREATE TABLE orgs (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, logo BLOB);
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  org_id INTEGER REFERENCES orgs(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  age INT,
  score TEXT,
  note TEXT
);
CREATE INDEX users_email ON users(email);
CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  body TEXT
);
CREATE TRIGGER posts_title AFTER INSERT ON posts BEGIN UPDATE posts SET title = trim(NEW.title) WHERE id = NEW.id; END;
CREATE VIEW user_posts AS SELECT u.email, p.title FROM users u JOIN posts p ON p.user_id = u.id;
"#;

/// A database file with [`BASE`] and its rows, and a connection to it.
fn seeded() -> (TempSqlite, Connection) {
    let db = TempSqlite::new();
    let conn = Connection::open(db.path()).unwrap();
    seed(&conn);
    (db, conn)
}

fn seed(conn: &Connection) {
    conn.execute_batch(BASE).unwrap();
    conn.execute_batch("BEGIN").unwrap();
    for i in 1..=50 {
        conn.execute(
            "INSERT INTO orgs (name, logo) VALUES (?1, ?2)",
            rusqlite::params![
                format!("org-{i}-ünïcødé-🚀"),
                if i % 3 == 0 { None } else { Some(vec![0u8, 1, 2, 255, i as u8]) }
            ],
        )
        .unwrap();
    }
    conn.execute("DELETE FROM orgs WHERE id = 50", []).unwrap(); // AUTOINCREMENT high-water mark 50
    for i in 1..=300 {
        conn.execute(
            "INSERT INTO users (org_id, email, age, score, note) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![
                if i % 7 == 0 { None } else { Some((i % 49) + 1) },
                format!("user{i}@exämple.com"),
                if i % 5 == 0 { None } else { Some(i % 90) },
                format!("{}", i * 3),
                if i % 2 == 0 { None } else { Some("línea\nnueva 'quoted' \"double\"".to_string()) }
            ],
        )
        .unwrap();
    }
    for i in 1..=600 {
        conn.execute(
            "INSERT INTO posts (user_id, title, body) VALUES (?1, ?2, ?3)",
            rusqlite::params![
                (i % 300) + 1,
                format!("  post {i} — 日本語  "),
                if i % 4 == 0 { None } else { Some("x".repeat(i % 50)) }
            ],
        )
        .unwrap();
    }
    conn.execute_batch("COMMIT").unwrap();
}

type Rows = BTreeMap<String, Vec<BTreeMap<String, Value>>>;

/// Every row of the three tables, keyed by column name (so reordering columns compares equal).
fn all_rows(conn: &Connection) -> Rows {
    let mut out = Rows::new();
    for t in ["orgs", "users", "posts"] {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\" ORDER BY id")).unwrap();
        let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
        let rows = stmt
            .query_map([], |r| {
                let mut m = BTreeMap::new();
                for (i, n) in names.iter().enumerate() {
                    m.insert(n.clone(), r.get::<_, Value>(i)?);
                }
                Ok(m)
            })
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        out.insert(t.to_string(), rows);
    }
    out
}

fn target(conn_sql: &str) -> schema_sync_core::Schema {
    source::load_sqlite_ddl(conn_sql, "target", &IntrospectOptions::default()).unwrap()
}

fn fk_violations(conn: &Connection) -> i64 {
    conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap()
}

/// Applies `desired` (DDL for the whole schema) and returns the outcome's rows copied.
fn migrate(path: &std::path::Path, desired: &str, opts: ApplyOptions) -> schema_sync_core::Result<u64> {
    let mut conn = lite::open(path).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    let out = apply::migrate_blocking(&mut conn, &target(desired), &opts)?;
    Ok(out.rows_copied)
}

const RETYPED: &str = r#"
CREATE TABLE orgs (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, logo BLOB, plan TEXT NOT NULL DEFAULT 'free');
CREATE TABLE users (
  note TEXT,
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL CHECK (length(email) > 3),
  org_id INTEGER REFERENCES orgs(id) ON DELETE CASCADE,
  age INTEGER,
  score INTEGER
);
CREATE UNIQUE INDEX users_email ON users(email);
CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  body TEXT,
  CHECK (title <> '')
);
CREATE TRIGGER posts_title AFTER INSERT ON posts BEGIN UPDATE posts SET title = trim(NEW.title) WHERE id = NEW.id; END;
CREATE VIEW user_posts AS SELECT u.email, p.title FROM users u JOIN posts p ON p.user_id = u.id;
"#;

#[test]
fn rebuild_retype_reorder_and_constrain_keep_every_row() {
    let (db, conn) = seeded();
    let before = all_rows(&conn);
    drop(conn);

    let copied = migrate(db.path(), RETYPED, ApplyOptions::default()).expect("migration applies");
    // users and posts are rebuilt (retype, reorder, new checks); orgs only gains a column in place.
    assert_eq!(copied, 300 + 600, "every row of the rebuilt tables copied and counted");

    let conn = Connection::open(db.path()).unwrap();
    let after = all_rows(&conn);
    // Same rows; `score` went TEXT → INTEGER: values convert ('3' → 3), nothing else changes.
    for t in ["orgs", "posts"] {
        let mut want = before[t].clone();
        if t == "orgs" {
            for r in &mut want {
                r.insert("plan".into(), Value::Text("free".into()));
            }
        }
        assert_eq!(after[t], want, "rows of {t}");
    }
    assert_eq!(after["users"].len(), before["users"].len());
    for (a, b) in after["users"].iter().zip(&before["users"]) {
        for (k, v) in b {
            let got = &a[k];
            if k == "score" {
                let Value::Text(s) = v else { panic!("score was text") };
                assert_eq!(got, &Value::Integer(s.parse().unwrap()));
            } else {
                assert_eq!(got, v, "users.{k}");
            }
        }
    }
    assert_eq!(fk_violations(&conn), 0);
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok");
    // Triggers and views that hang on the rebuilt tables are still there and work.
    let objects: Vec<String> = conn
        .prepare("SELECT type || ':' || name FROM sqlite_schema WHERE type IN ('trigger', 'view') ORDER BY 1")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(objects, vec!["trigger:posts_title", "view:user_posts"]);
    let via_view: i64 = conn.query_row("SELECT count(*) FROM user_posts", [], |r| r.get(0)).unwrap();
    assert_eq!(via_view, 600);
    conn.execute("INSERT INTO posts (user_id, title) VALUES (1, '   padded   ')", []).unwrap();
    let t: String = conn.query_row("SELECT title FROM posts ORDER BY id DESC LIMIT 1", [], |r| r.get(0)).unwrap();
    assert_eq!(t, "padded", "trigger still fires");
    // AUTOINCREMENT high-water mark survived the rebuild: id 50 is never reused.
    conn.execute("INSERT INTO orgs (name) VALUES ('new org')", []).unwrap();
    let id: i64 = conn.query_row("SELECT max(id) FROM orgs", [], |r| r.get(0)).unwrap();
    assert_eq!(id, 51);
    // The schema equals the target and a version row was written.
    let live = lite::introspect(&conn, &IntrospectOptions::default()).unwrap();
    assert!(schema_sync_core::diff::diff(&live, &target(RETYPED)).is_empty());
    let mut conn = conn;
    let versions = apply::block_on(apply::versions(&mut conn)).unwrap();
    assert_eq!(versions.len(), 1);
}

#[test]
fn failing_plan_leaves_the_database_exactly_as_it_was() {
    let (db, conn) = seeded();
    let rows_before = all_rows(&conn);
    let schema_before: Vec<(String, Option<String>)> = conn
        .prepare("SELECT name, sql FROM sqlite_schema ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    drop(conn);
    // `users.age` holds NULLs: making it NOT NULL must fail, after other steps already ran.
    let bad = RETYPED.replace("age INTEGER,", "age INTEGER NOT NULL,");
    // Preflight off: this test is about the transaction, not the early refusal.
    let no_preflight = ApplyOptions { preflight: false, ..Default::default() };
    let err = migrate(db.path(), &bad, no_preflight).expect_err("NOT NULL over NULLs fails");
    assert!(err.to_string().contains("NOT NULL"), "{err}");
    let conn = Connection::open(db.path()).unwrap();
    assert_eq!(all_rows(&conn), rows_before);
    let schema_after: Vec<(String, Option<String>)> = conn
        .prepare("SELECT name, sql FROM sqlite_schema ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(schema_after, schema_before, "no half-applied change, no schema_version table");
}

#[test]
fn destructive_changes_need_opt_in_and_then_drop_only_what_was_asked() {
    let (db, conn) = seeded();
    drop(conn);
    let without_note =
        BASE.replace("  score TEXT,\n  note TEXT\n", "  score TEXT\n").replace("PRAGMA foreign_keys = ON;", "");
    let without_note: String =
        without_note.lines().filter(|l| !l.contains("TRIGGER") && !l.contains("VIEW")).collect::<Vec<_>>().join("\n");
    let err = migrate(db.path(), &without_note, ApplyOptions::default()).expect_err("refused");
    let schema_sync_core::Error::Destructive { losses } = &err else { panic!("not a destructive refusal: {err}") };
    assert!(losses.iter().any(|l| l.contains("note")), "{losses:?}");
    let conn = Connection::open(db.path()).unwrap();
    let n: i64 = conn.query_row("SELECT count(note) FROM users", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 150, "nothing dropped while refused");
    drop(conn);
    migrate(db.path(), &without_note, ApplyOptions { allow_destructive: true, ..Default::default() }).unwrap();
    let conn = Connection::open(db.path()).unwrap();
    let cols: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('users')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(cols, vec!["id", "org_id", "email", "age", "score"]);
    let counts: (i64, i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM orgs), (SELECT count(*) FROM users), (SELECT count(*) FROM posts)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(counts, (49, 300, 600), "dropping a column cascaded nothing");
}

#[test]
fn using_conversion_and_backfill_on_a_rebuild() {
    let (db, conn) = seeded();
    drop(conn);
    // age INT (with NULLs) → TEXT NOT NULL: convert with printf, backfill NULLs with 'unknown'.
    let desired = RETYPED.replace("  age INTEGER,\n", "  age TEXT NOT NULL,\n");
    let mut opts = ApplyOptions::default();
    opts.plan.using.insert("users.age".into(), "printf('%d years', {col})".into());
    opts.plan.backfill.insert("users.age".into(), "'unknown'".into());
    migrate(db.path(), &desired, opts).unwrap();
    let conn = Connection::open(db.path()).unwrap();
    let (unknown, years): (i64, i64) = conn
        .query_row("SELECT sum(age = 'unknown'), sum(age LIKE '% years') FROM users", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((unknown, years), (60, 240));
}

#[test]
fn preflight_names_table_column_and_null_count() {
    let (db, conn) = seeded();
    drop(conn);
    let bad = RETYPED.replace("age INTEGER,", "age INTEGER NOT NULL,");
    let err = migrate(db.path(), &bad, ApplyOptions::default()).expect_err("refused before running");
    let msg = err.to_string();
    let schema_sync_core::Error::WouldFail { findings } = &err else { panic!("not a preflight refusal: {msg}") };
    assert_eq!(findings[0].table, "users");
    assert_eq!(findings[0].columns, ["age"]);
    assert_eq!(findings[0].rows, 60);
    assert_eq!(findings[0].problem, schema_sync_core::error::Problem::Nulls);
    assert!(msg.contains("`users.age` has 60 row(s) holding NULL"), "{msg}");
    // A unique index over duplicates is counted too.
    let conn = Connection::open(db.path()).unwrap();
    conn.execute("UPDATE users SET email = 'same@example.com' WHERE id IN (1, 2, 3)", []).unwrap();
    drop(conn);
    let err = migrate(db.path(), RETYPED, ApplyOptions::default()).expect_err("duplicates");
    assert!(err.to_string().contains("users(email)` has 1 duplicate group(s)"), "{err}");
}

#[test]
fn validate_rehearses_in_a_rolled_back_transaction_and_leaves_the_file_unchanged() {
    let (db, conn) = seeded();
    conn.execute("UPDATE users SET email = 'same@example.com' WHERE id IN (1, 2, 3)", []).unwrap();
    let before = all_rows(&conn);
    drop(conn);
    let opts = ApplyOptions { preflight: false, validate: true, ..Default::default() };
    let err = migrate(db.path(), RETYPED, opts).expect_err("unique index over duplicates fails in the rehearsal");
    assert!(matches!(err, schema_sync_core::Error::Rehearsal(_)), "{err}");
    assert!(err.to_string().contains("rehearsal failed and was rolled back"), "{err}");
    let mut conn = Connection::open(db.path()).unwrap();
    assert_eq!(all_rows(&conn), before);
    assert!(apply::block_on(apply::versions(&mut conn)).unwrap().is_empty());
    // A plan that works passes validation and then really applies.
    conn.execute("UPDATE users SET email = 'fixed' || id || '@example.com' WHERE id IN (1, 2, 3)", []).unwrap();
    drop(conn);
    let opts = ApplyOptions { validate: true, ..Default::default() };
    migrate(db.path(), RETYPED, opts).expect("valid plan applies");
}
