//! Views and triggers in the model, with rows, on both dialects: a view or trigger missing on
//! one side is a difference; one that reads a changed column is set aside and recreated in the
//! same transaction; and the SQL the plan writes (what `diff --format sql` and migration files
//! hold) does exactly what `apply` does.

use rusqlite::Connection;
use schema_sync::testing::{TempPostgres, TempSqlite};
use schema_sync_core::apply::{self, ApplyOptions};
use schema_sync_core::introspect::{postgres as pg, sqlite as lite, IntrospectOptions};
use schema_sync_core::{diff, render, source, Schema};
use sqlx::Row;

const LITE_BEFORE: &str = r#"
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, age TEXT, seen INTEGER NOT NULL DEFAULT 0);
CREATE TABLE audit (id INTEGER PRIMARY KEY, user_id INTEGER, what TEXT);
CREATE TRIGGER users_audit AFTER UPDATE OF email ON users
BEGIN
  INSERT INTO audit (user_id, what) VALUES (NEW.id, 'email ' || CASE WHEN OLD.email = NEW.email THEN 'same' ELSE 'changed' END);
END;
CREATE VIEW adults AS SELECT id, email, age FROM users WHERE CAST(age AS INTEGER) >= 18;
CREATE VIEW adult_emails (address) AS SELECT email FROM adults;
"#;

/// `age` TEXT → INTEGER (a rebuild of `users`), the trigger and both views kept.
fn lite_after() -> String {
    LITE_BEFORE.replace("age TEXT,", "age INTEGER,")
}

fn lite_target(ddl: &str) -> Schema {
    source::load_sqlite_ddl(ddl, "target", &IntrospectOptions::default()).unwrap()
}

fn lite_seed(conn: &Connection) {
    conn.execute_batch(LITE_BEFORE).unwrap();
    for i in 1..=200 {
        conn.execute(
            "INSERT INTO users (id, email, age) VALUES (?1, ?2, ?3)",
            rusqlite::params![i, format!("u{i}@x"), (i % 40).to_string()],
        )
        .unwrap();
    }
}

/// What the SQLite database holds and does: users, the views' rows, the trigger's effect.
type LiteState = (Vec<(i64, String, i64)>, i64, Vec<String>, String);

fn lite_state(conn: &Connection) -> LiteState {
    let users = conn
        .prepare("SELECT id, email, CAST(age AS INTEGER) FROM users ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let adults: i64 = conn.query_row("SELECT count(*) FROM adults", [], |r| r.get(0)).unwrap();
    let emails = conn
        .prepare("SELECT address FROM adult_emails ORDER BY address LIMIT 3")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    conn.execute("UPDATE users SET email = 'new@x' WHERE id = 7", []).unwrap();
    let fired: String = conn.query_row("SELECT what FROM audit WHERE user_id = 7", [], |r| r.get(0)).unwrap();
    (users, adults, emails, fired)
}

#[test]
fn sqlite_a_rebuild_under_views_and_a_trigger_keeps_rows_and_the_written_sql_does_what_apply_does() {
    let applied = TempSqlite::new();
    let written = TempSqlite::new();
    let (mut a, b) = (applied.connect(), written.connect());
    lite_seed(&a);
    lite_seed(&b);
    let want = lite_target(&lite_after());

    // The plan sets the views and the trigger aside around the rebuild, in its own steps.
    let out = apply::migrate_blocking(&mut a, &want, &ApplyOptions::default()).expect("applies without opt-in");
    let sql: Vec<&str> = out.statements.iter().map(|s| s.sql.as_str()).collect();
    let pos =
        |needle: &str| sql.iter().position(|s| s.starts_with(needle)).unwrap_or_else(|| panic!("{needle}: {sql:#?}"));
    assert!(pos("DROP VIEW \"adult_emails\"") < pos("DROP VIEW \"adults\""), "dependents first: {sql:#?}");
    assert!(pos("DROP TRIGGER \"users_audit\"") < pos("CREATE TABLE \"_ss_new_users\""));
    assert!(pos("CREATE VIEW \"adults\"") < pos("CREATE VIEW \"adult_emails\""));
    assert!(pos("DROP TABLE \"users\"") < pos("CREATE TRIGGER users_audit"));

    // The same plan as a script, run by hand on an identical copy.
    let live = lite::introspect(&b, &IntrospectOptions::default()).unwrap();
    let c = diff::compare(&live, &want, None, &Default::default()).unwrap();
    let script = render::script(&render::render(&render::fix_plan(&c)).unwrap());
    b.execute_batch(&format!("PRAGMA foreign_keys = OFF; BEGIN;\n{script}COMMIT;")).expect("the written SQL runs");

    for conn in [&a, &b] {
        let now = lite::introspect(conn, &IntrospectOptions::default()).unwrap();
        assert!(diff::diff(&now, &want).is_empty(), "{:?}", diff::diff(&now, &want));
        assert_eq!(now.views.len(), 2);
        assert_eq!(now.triggers.len(), 1);
    }
    let (users_a, adults_a, emails_a, fired_a) = lite_state(&a);
    let (users_b, adults_b, emails_b, fired_b) = lite_state(&b);
    assert_eq!(users_a.len(), 200, "every row kept");
    assert_eq!(users_a[6], (7, "u7@x".to_string(), 7), "values kept, age now an integer");
    assert_eq!(adults_a, 200 / 40 * 22, "ages 18..=39 of each 40");
    assert_eq!(fired_a, "email changed", "the trigger fires on the rebuilt table");
    assert_eq!((users_a, adults_a, emails_a, fired_a), (users_b, adults_b, emails_b, fired_b));
}

#[test]
fn sqlite_views_and_triggers_are_differences_created_changed_and_dropped() {
    let db = TempSqlite::new();
    let mut conn = db.connect();
    lite_seed(&conn);
    // Without the trigger and with `adults` changed: two differences, one of them a drop.
    let want = lite_target(
        &LITE_BEFORE
            .replace("WHERE CAST(age AS INTEGER) >= 18", "WHERE CAST(age AS INTEGER) >= 21")
            .replace("CREATE TRIGGER users_audit AFTER UPDATE OF email ON users\nBEGIN\n  INSERT INTO audit (user_id, what) VALUES (NEW.id, 'email ' || CASE WHEN OLD.email = NEW.email THEN 'same' ELSE 'changed' END);\nEND;", ""),
    );
    let live = lite::introspect(&conn, &IntrospectOptions::default()).unwrap();
    let c = diff::compare(&live, &want, None, &Default::default()).unwrap();
    let text = diff::render_text(&c);
    assert!(text.contains("- trigger users_audit on users"), "{text}");
    assert!(text.contains("~ view adults: query differs"), "{text}");
    // Dropping a trigger the target does not have needs the opt-in, like any drop.
    let err = apply::migrate_blocking(&mut conn, &want, &ApplyOptions::default()).expect_err("refused");
    assert!(err.to_string().contains("users_audit"), "{err}");
    apply::migrate_blocking(&mut conn, &want, &ApplyOptions { allow_destructive: true, ..Default::default() }).unwrap();
    let adults: i64 = conn.query_row("SELECT count(*) FROM adults", [], |r| r.get(0)).unwrap();
    assert_eq!(adults, 200 / 40 * 19, "ages 21..=39 of each 40");
    let now = lite::introspect(&conn, &IntrospectOptions::default()).unwrap();
    assert!(now.triggers.is_empty() && diff::diff(&now, &want).is_empty());
}

#[test]
fn a_body_that_smuggles_a_second_statement_is_refused_before_anything_runs() {
    let db = TempSqlite::new();
    let mut conn = db.connect();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY)").unwrap();
    let mut want = lite_target("CREATE TABLE t (id INTEGER PRIMARY KEY); CREATE VIEW v AS SELECT id FROM t;");
    want.views[0].definition = "SELECT id FROM t; DROP TABLE t".into();
    let err = apply::migrate_blocking(&mut conn, &want, &ApplyOptions::default()).expect_err("refused");
    assert!(err.to_string().contains("exactly one SQL statement"), "{err}");
    let mut want = lite_target(
        "CREATE TABLE t (id INTEGER PRIMARY KEY); CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;",
    );
    want.triggers[0].definition.push_str("; DROP TABLE t");
    let err = apply::migrate_blocking(&mut conn, &want, &ApplyOptions::default()).expect_err("refused");
    assert!(err.to_string().contains("exactly one SQL statement"), "{err}");
    let n: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1, "nothing created, nothing dropped");
}

async fn pg_target(db: &TempPostgres, ddl: &str) -> Schema {
    source::load_postgres_ddl(ddl, "target", db.url(), &IntrospectOptions::default()).await.unwrap()
}

const PG_BEFORE: &str = "
CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL);
CREATE VIEW rich WITH (security_barrier = true) AS SELECT id, owner, balance FROM accounts WHERE balance > 500;
CREATE VIEW rich_owners AS SELECT owner FROM rich;
CREATE MATERIALIZED VIEW totals AS SELECT sum(balance) AS total FROM accounts;
CREATE VIEW unrelated AS SELECT 1 AS one;";

#[tokio::test]
async fn postgres_a_retype_under_views_sets_them_aside_in_the_plan_and_the_written_sql_runs_as_is() {
    let db = schema_sync::require_postgres!();
    let other = TempPostgres::new().await;
    let mut applied = db.connect().await;
    let mut written = other.connect().await;
    for conn in [&mut applied, &mut written] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "{PG_BEFORE}; INSERT INTO accounts SELECT g, 'o' || g, g * 10 FROM generate_series(1, 100) g; REFRESH MATERIALIZED VIEW totals;"
        )))
        .execute(&mut *conn)
        .await
        .unwrap();
    }
    let want = pg_target(&db, &PG_BEFORE.replace("balance int NOT NULL", "balance bigint NOT NULL")).await;

    let out = apply::migrate(&mut applied, &want, &ApplyOptions::default()).await.expect("applies, no opt-in");
    let sql: Vec<&str> = out.statements.iter().map(|s| s.sql.as_str()).collect();
    assert!(sql.iter().any(|s| s.starts_with("DROP VIEW \"public\".\"rich_owners\"")), "{sql:#?}");
    assert!(
        sql.iter().any(|s| s.starts_with("CREATE VIEW \"public\".\"rich\" WITH (security_barrier='true')")),
        "{sql:#?}"
    );
    assert!(sql.iter().any(|s| s.starts_with("CREATE MATERIALIZED VIEW \"public\".\"totals\"")), "{sql:#?}");
    assert!(!sql.iter().any(|s| s.contains("unrelated")), "a view that reads nothing changed stays: {sql:#?}");

    // The written form (what `diff --format sql` prints and a migration file holds), run as is.
    let live = pg::introspect(&mut written, &IntrospectOptions::default()).await.unwrap();
    let c = diff::compare(&live, &want, None, &Default::default()).unwrap();
    let script = render::script(&render::render(&render::fix_plan(&c)).unwrap());
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("BEGIN;\n{script}COMMIT;")))
        .execute(&mut written)
        .await
        .expect("written SQL runs");

    for conn in [&mut applied, &mut written] {
        let now = pg::introspect(&mut *conn, &IntrospectOptions::default()).await.unwrap();
        assert!(diff::diff(&now, &want).is_empty(), "{:?}", diff::diff(&now, &want));
        let r = sqlx::query(
            "SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM rich), (SELECT count(*) FROM rich_owners), \
             (SELECT total FROM totals)::bigint, pg_typeof((SELECT balance FROM rich LIMIT 1))::text",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        assert_eq!(
            (r.get::<i64, _>(0), r.get::<i64, _>(1), r.get::<i64, _>(2), r.get::<i64, _>(3)),
            (100, 50, 50, 50500)
        );
        assert_eq!(r.get::<String, _>(4), "bigint");
    }
}

#[tokio::test]
async fn postgres_a_view_missing_in_production_is_a_difference_and_is_created() {
    let db = schema_sync::require_postgres!();
    let mut conn = db.connect().await;
    sqlx::raw_sql("CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL)")
        .execute(&mut conn)
        .await
        .unwrap();
    let want = pg_target(
        &db,
        "CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL);
         CREATE VIEW mine WITH (security_invoker = true) AS SELECT id, balance FROM accounts WHERE owner = current_user;",
    )
    .await;
    let live = pg::introspect(&mut conn, &IntrospectOptions::default()).await.unwrap();
    let c = diff::compare(&live, &want, None, &Default::default()).unwrap();
    assert!(diff::render_text(&c).contains("+ view public.mine"), "{}", diff::render_text(&c));
    apply::migrate(&mut conn, &want, &ApplyOptions::default()).await.unwrap();
    let options: Vec<String> = sqlx::query_scalar("SELECT unnest(reloptions) FROM pg_class WHERE relname = 'mine'")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(options, ["security_invoker=true"]);
    // Removing it again is a drop, which needs the opt-in.
    let bare =
        pg_target(&db, "CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL)").await;
    let err = apply::migrate(&mut conn, &bare, &ApplyOptions::default()).await.expect_err("refused");
    assert!(err.to_string().contains("drops view `public.mine`"), "{err}");
}

#[tokio::test]
async fn across_dialects_view_bodies_are_never_compared_or_translated() {
    let db = schema_sync::require_postgres!();
    let mut conn = db.connect().await;
    sqlx::raw_sql(
        "CREATE TABLE t (id bigint PRIMARY KEY, n bigint); CREATE VIEW both_sides AS SELECT id FROM t WHERE n > 0;",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let postgres = pg::introspect(&mut conn, &IntrospectOptions::default()).await.unwrap();
    let sqlite = lite_target(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER);
         CREATE VIEW both_sides AS SELECT id FROM t WHERE n > 0 AND 1;
         CREATE VIEW only_sqlite AS SELECT n FROM t;",
    );
    let c = diff::compare(&postgres, &sqlite, None, &Default::default()).unwrap();
    let text = diff::render_text(&c);
    assert!(text.contains("+ view public.only_sqlite"), "a view on one side only is drift: {text}");
    assert!(!text.contains("both_sides"), "{text}");
    assert!(c.notes.iter().any(|n| n.subject == "both_sides" && n.message.contains("not compared")), "{:?}", c.notes);
    // Creating the SQLite-only view on Postgres would need a guessed translation: refused.
    let err = render::render(&render::fix_plan(&c)).expect_err("not translated");
    assert!(err.to_string().contains("written in sqlite"), "{err}");
}
