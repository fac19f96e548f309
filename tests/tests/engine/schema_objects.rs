//! Views, triggers, functions, row-level security and policies in the model, with rows, on both
//! dialects: one missing on one side is a difference; one that reads a changed column or calls
//! a changed function is set aside and recreated in the same transaction; and the SQL the plan
//! writes (what `diff --format sql` and migration files hold) does exactly what `apply` does.

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

/// `sql` loaded into `db` and into a second, new database: one to apply to, one to run the
/// written SQL on (the second database is returned to keep it alive).
async fn two_loaded(db: &TempPostgres, sql: &str) -> (TempPostgres, sqlx::PgConnection, sqlx::PgConnection) {
    let other = TempPostgres::new().await;
    let (mut a, mut b) = (db.connect().await, other.connect().await);
    for conn in [&mut a, &mut b] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).execute(&mut *conn).await.unwrap();
    }
    (other, a, b)
}

/// The plan from what `conn` holds to `want`, as the SQL text `diff --format sql` prints, run
/// as is in one transaction.
async fn run_written(conn: &mut sqlx::PgConnection, want: &Schema) {
    let live = pg::introspect(&mut *conn, &IntrospectOptions::default()).await.unwrap();
    let c = diff::compare(&live, want, None, &Default::default()).unwrap();
    let script = render::script(&render::render(&render::fix_plan(&c)).unwrap());
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("BEGIN;\n{script}COMMIT;")))
        .execute(conn)
        .await
        .expect("written SQL runs");
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
    let (_other, mut applied, mut written) = two_loaded(
        &db,
        &format!("{PG_BEFORE}; INSERT INTO accounts SELECT g, 'o' || g, g * 10 FROM generate_series(1, 100) g; REFRESH MATERIALIZED VIEW totals;"),
    )
    .await;
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
    run_written(&mut written, &want).await;

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

const PG_FUNCTIONS: &str = "
CREATE FUNCTION score(x int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT x / 10 $$;
CREATE TABLE accounts (
  id int PRIMARY KEY,
  balance int NOT NULL DEFAULT score(100) CHECK (score(balance) >= 0),
  touched int NOT NULL DEFAULT 0
);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := OLD.touched + 1; RETURN NEW; END $$;
CREATE TRIGGER accounts_touch BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION touch();
CREATE VIEW scores AS SELECT id, score(balance) AS s FROM accounts;";

/// What the Postgres database holds and does: the rows, the view, the trigger's effect, the
/// default and the check.
async fn pg_state(conn: &mut sqlx::PgConnection) -> (Vec<(i32, i64, i32)>, i64, i32, String) {
    let rows: Vec<(i32, i64, i32)> =
        sqlx::query_as("SELECT id, balance::bigint, touched::int FROM accounts ORDER BY id")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    let sum: i64 = sqlx::query_scalar("SELECT sum(s)::bigint FROM scores").fetch_one(&mut *conn).await.unwrap();
    sqlx::query("UPDATE accounts SET balance = balance WHERE id = 3").execute(&mut *conn).await.unwrap();
    let touched: i32 =
        sqlx::query_scalar("SELECT touched::int FROM accounts WHERE id = 3").fetch_one(&mut *conn).await.unwrap();
    let refused = sqlx::query("INSERT INTO accounts (id, balance) VALUES (999, -50)").execute(&mut *conn).await;
    let default: String = sqlx::query_scalar(
        "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid \
         AND a.attnum = d.adnum WHERE d.adrelid = 'accounts'::regclass AND a.attname = 'balance'",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert!(refused.is_err(), "the check still refuses a negative score");
    (rows, sum, touched, default)
}

#[tokio::test]
async fn postgres_a_function_result_change_recreates_its_callers_and_a_retype_keeps_the_trigger() {
    let db = schema_sync::require_postgres!();
    let (_other, mut applied, mut written) = two_loaded(
        &db,
        &format!("{PG_FUNCTIONS}; INSERT INTO accounts (id, balance) SELECT g, g * 10 FROM generate_series(1, 50) g;"),
    )
    .await;
    // `score` now returns bigint (Postgres cannot replace that in place) and `touched` becomes
    // bigint: the function is dropped and created again with its default, check and view set
    // aside around it; the trigger on the retyped table is set aside too.
    let changed = PG_FUNCTIONS
        .replace(
            "RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT x / 10 $$",
            "RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT x / 10 $$",
        )
        .replace("touched int NOT NULL", "touched bigint NOT NULL");
    let want = pg_target(&db, &changed).await;
    let out = apply::migrate(&mut applied, &want, &ApplyOptions { allow_destructive: true, ..Default::default() })
        .await
        .expect("applies");
    let sql: Vec<&str> = out.statements.iter().map(|s| s.sql.as_str()).collect();
    assert!(sql.iter().any(|s| s.starts_with("DROP FUNCTION \"public\".\"score\"(x integer)")), "{sql:#?}");
    assert!(sql.iter().any(|s| s.starts_with("DROP TRIGGER \"accounts_touch\"")), "{sql:#?}");

    run_written(&mut written, &want).await;

    let mut states = Vec::new();
    for conn in [&mut applied, &mut written] {
        let now = pg::introspect(&mut *conn, &IntrospectOptions::default()).await.unwrap();
        assert!(diff::diff(&now, &want).is_empty(), "{:?}", diff::diff(&now, &want));
        assert_eq!(now.functions.len(), 2);
        states.push(pg_state(conn).await);
    }
    let (rows, sum, touched, default) = &states[0];
    assert_eq!(rows.len(), 50, "every row kept");
    assert_eq!(rows[9], (10, 100, 0), "values kept");
    assert_eq!(*sum, (1..=50).sum::<i64>(), "the view calls the new function");
    assert_eq!(*touched, 1, "the trigger fires after the retype");
    assert_eq!(default, "score(100)");
    assert_eq!(states[0], states[1], "the written SQL did what apply did");
}

const PG_RLS: &str = "
CREATE TABLE notes (id int PRIMARY KEY, owner text NOT NULL DEFAULT current_user, body text, stars int NOT NULL DEFAULT 0);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE notes FORCE ROW LEVEL SECURITY;
CREATE POLICY own_read ON notes FOR SELECT USING (owner = current_user);
CREATE POLICY own_write ON notes FOR INSERT WITH CHECK (owner = current_user AND stars >= 0);
CREATE POLICY no_stars_down ON notes AS RESTRICTIVE FOR UPDATE USING (stars >= 0) WITH CHECK (stars >= 0);";

#[tokio::test]
async fn postgres_policies_survive_a_retype_and_a_missing_one_is_named_and_needs_the_opt_in() {
    let db = schema_sync::require_postgres!();
    let mut conn = db.connect().await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "{PG_RLS}; INSERT INTO notes (id, body, stars) SELECT g, 'n' || g, g FROM generate_series(1, 30) g;"
    )))
    .execute(&mut conn)
    .await
    .unwrap();
    // `stars` becomes bigint: Postgres refuses to retype a column a policy reads, so the plan
    // sets the policies aside around it.
    let want = pg_target(&db, &PG_RLS.replace("stars int NOT NULL", "stars bigint NOT NULL")).await;
    let out = apply::migrate(&mut conn, &want, &ApplyOptions::default()).await.expect("no opt-in needed");
    let sql: Vec<&str> = out.statements.iter().map(|s| s.sql.as_str()).collect();
    let at =
        |needle: &str| sql.iter().position(|s| s.starts_with(needle)).unwrap_or_else(|| panic!("{needle}: {sql:#?}"));
    assert!(
        at("DROP POLICY \"no_stars_down\"") < at("ALTER TABLE \"public\".\"notes\" ALTER COLUMN \"stars\" TYPE bigint")
    );
    assert!(
        at("ALTER TABLE \"public\".\"notes\" ALTER COLUMN \"stars\" TYPE bigint")
            < at("CREATE POLICY \"no_stars_down\"")
    );
    let now = pg::introspect(&mut conn, &IntrospectOptions::default()).await.unwrap();
    assert!(diff::diff(&now, &want).is_empty(), "{:?}", diff::diff(&now, &want));
    assert_eq!(now.policies.len(), 3);
    let t = now.table(Some("public"), "notes").unwrap();
    assert!(t.row_security.enabled && t.row_security.forced);
    let (rows, sum): (i64, i64) =
        sqlx::query_as("SELECT count(*), sum(stars)::bigint FROM notes").fetch_one(&mut conn).await.unwrap();
    assert_eq!((rows, sum), (30, 465), "every row kept");
    // Another role sees none of them: the policies are in force again.
    sqlx::raw_sql(
        "DO $$ BEGIN CREATE ROLE ss_rls_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$; \
         GRANT SELECT ON notes TO ss_rls_reader; SET ROLE ss_rls_reader;",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM notes").fetch_one(&mut conn).await.unwrap();
    sqlx::raw_sql("RESET ROLE; REVOKE SELECT ON notes FROM ss_rls_reader").execute(&mut conn).await.unwrap();
    assert_eq!(seen, 0, "own_read hides the other owner's rows");

    // One policy gone from the target: a named difference, and dropping it needs the opt-in.
    let fewer = pg_target(
        &db,
        &PG_RLS
            .replace("stars int NOT NULL", "stars bigint NOT NULL")
            .replace("CREATE POLICY own_read ON notes FOR SELECT USING (owner = current_user);", ""),
    )
    .await;
    let c = diff::compare(&now, &fewer, None, &Default::default()).unwrap();
    assert_eq!(diff::render_text(&c).trim(), "- policy own_read on public.notes");
    let err = apply::migrate(&mut conn, &fewer, &ApplyOptions::default()).await.expect_err("refused");
    assert!(err.to_string().contains("drops policy `own_read` on `public.notes`"), "{err}");
    // So does turning row-level security off.
    let open = pg_target(
        &db,
        &PG_RLS
            .replace("stars int NOT NULL", "stars bigint NOT NULL")
            .replace("ALTER TABLE notes ENABLE ROW LEVEL SECURITY;", ""),
    )
    .await;
    let err = apply::migrate(&mut conn, &open, &ApplyOptions::default()).await.expect_err("refused");
    assert!(err.to_string().contains("turns row-level security off on `public.notes`"), "{err}");
    apply::migrate(&mut conn, &fewer, &ApplyOptions { allow_destructive: true, ..Default::default() }).await.unwrap();
    let names: Vec<String> =
        sqlx::query_scalar("SELECT policyname::text FROM pg_policies ORDER BY 1").fetch_all(&mut conn).await.unwrap();
    assert_eq!(names, ["no_stars_down", "own_write"]);
}

const PG_COMMENTS: &str = "
CREATE TYPE mood AS ENUM ('ok', 'meh');
CREATE TABLE diary (id int PRIMARY KEY, day date NOT NULL, mood mood, CONSTRAINT day_known CHECK (day > '2000-01-01'));
CREATE INDEX diary_day ON diary (day);
CREATE FUNCTION happy(m mood) RETURNS boolean LANGUAGE sql AS $$ SELECT m = 'ok' $$;
CREATE VIEW good_days AS SELECT day FROM diary WHERE happy(mood);
COMMENT ON TABLE diary IS 'One row a day';
COMMENT ON COLUMN diary.mood IS 'How it went';
COMMENT ON CONSTRAINT day_known ON diary IS 'No entries before 2000';
COMMENT ON INDEX diary_day IS 'By day';
COMMENT ON TYPE mood IS 'Moods';
COMMENT ON FUNCTION happy(mood) IS 'A good day?';
COMMENT ON VIEW good_days IS 'The good ones';";

#[tokio::test]
async fn postgres_comments_are_compared_and_follow_objects_the_plan_recreates() {
    let db = schema_sync::require_postgres!();
    let (_other, mut applied, mut written) = two_loaded(
        &db,
        &format!(
            "{PG_COMMENTS}; INSERT INTO diary SELECT g, date '2020-01-01' + g, 'ok' FROM generate_series(1, 20) g;"
        ),
    )
    .await;
    // A new label recreates nothing; `mood` losing `meh` recreates the enum (and with it the
    // function's argument type, the view and the column): every comment is set again.
    let want = pg_target(
        &db,
        &PG_COMMENTS
            .replace("('ok', 'meh')", "('ok', 'great')")
            .replace("'One row a day'", "'One row per day'")
            .replace("COMMENT ON INDEX diary_day IS 'By day';", ""),
    )
    .await;
    let live = pg::introspect(&mut applied, &IntrospectOptions::default()).await.unwrap();
    assert_eq!(live.comments.len(), 7, "{:?}", live.comments);
    let c = diff::compare(&live, &want, None, &Default::default()).unwrap();
    let text = diff::render_text(&c);
    assert!(text.contains("~ comment on table public.diary: \"One row per day\""), "{text}");
    assert!(text.contains("- comment on index public.diary_day"), "{text}");
    apply::migrate(&mut applied, &want, &ApplyOptions { allow_destructive: true, ..Default::default() })
        .await
        .expect("applies");
    run_written(&mut written, &want).await;
    for conn in [&mut applied, &mut written] {
        let now = pg::introspect(&mut *conn, &IntrospectOptions::default()).await.unwrap();
        assert!(diff::diff(&now, &want).is_empty(), "{:?}", diff::diff(&now, &want));
        let comments: Vec<String> = sqlx::query_scalar("SELECT description FROM pg_description d JOIN pg_class c ON c.oid = d.objoid WHERE c.relname = 'diary' ORDER BY 1")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        assert_eq!(comments, ["How it went", "One row per day"]);
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM good_days").fetch_one(&mut *conn).await.unwrap();
        assert_eq!(rows, 20, "every row kept and read through the recreated view");
    }
}

const PG_DOMAINS: &str = "
CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
CREATE DOMAIN old_code AS int;
CREATE TABLE people (id int PRIMARY KEY, mail email NOT NULL, n int);";

const PG_DOMAINS_AFTER: &str = "
CREATE EXTENSION citext;
CREATE DOMAIN email AS text DEFAULT 'nobody@example.com'
  CONSTRAINT email_at CHECK (VALUE LIKE '%@%') CONSTRAINT email_short CHECK (length(VALUE) < 200);
CREATE DOMAIN high_score AS score CHECK (VALUE > 10);
CREATE DOMAIN score AS int NOT NULL DEFAULT 0 CHECK (VALUE >= 0);
CREATE TABLE people (id int PRIMARY KEY, mail email NOT NULL, n int, handle citext, points score, best high_score DEFAULT 11);
COMMENT ON DOMAIN email IS 'An address';";

#[tokio::test]
async fn postgres_extensions_and_domains_are_created_changed_and_dropped_with_every_row_kept() {
    let db = schema_sync::require_postgres!();
    let (_other, mut applied, mut written) = two_loaded(
        &db,
        &format!(
            "{PG_DOMAINS}; INSERT INTO people SELECT g, 'p' || g || '@example.com', g FROM generate_series(1, 50) g;"
        ),
    )
    .await;
    // `high_score` is declared before the domain it is over: the plan orders them.
    let scratch = TempPostgres::new().await;
    let mut s = scratch.connect().await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(
        PG_DOMAINS_AFTER
            .replace("CREATE DOMAIN high_score AS score CHECK (VALUE > 10);\n", "")
            .replace("CREATE TABLE", "CREATE DOMAIN high_score AS score CHECK (VALUE > 10); CREATE TABLE"),
    ))
    .execute(&mut s)
    .await
    .unwrap();
    let want = pg::introspect(&mut s, &IntrospectOptions::default()).await.unwrap();
    assert_eq!(want.extensions.len(), 1, "{:?}", want.extensions);
    assert_eq!(want.domains.len(), 3, "{:?}", want.domains);

    let live = pg::introspect(&mut applied, &IntrospectOptions::default()).await.unwrap();
    let c = diff::compare(&live, &want, None, &Default::default()).unwrap();
    let text = diff::render_text(&c);
    for line in [
        "+ extension citext",
        "+ domain public.score",
        "~ domain public.email: checks differs",
        "- domain public.old_code",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
    // Dropping a domain the target does not have needs the opt-in.
    let err = apply::migrate(&mut applied, &want, &ApplyOptions::default()).await.expect_err("refused");
    assert!(err.to_string().contains("drops domain `public.old_code`"), "{err}");

    let opts = ApplyOptions { allow_destructive: true, ..Default::default() };
    let out = apply::migrate(&mut applied, &want, &opts).await.expect("applies");
    let sql: Vec<&str> = out.statements.iter().map(|s| s.sql.as_str()).collect();
    let at = |p: &str| sql.iter().position(|s| s.starts_with(p)).unwrap_or_else(|| panic!("{p} in {sql:#?}"));
    assert!(at("CREATE EXTENSION \"citext\"") < at("CREATE DOMAIN \"public\".\"score\""), "{sql:#?}");
    assert!(at("CREATE DOMAIN \"public\".\"score\"") < at("CREATE DOMAIN \"public\".\"high_score\""), "{sql:#?}");
    assert!(at("ALTER TABLE \"public\".\"people\" ADD COLUMN \"points\"") < at("DROP DOMAIN \"public\".\"old_code\""));
    run_written(&mut written, &want).await;

    for conn in [&mut applied, &mut written] {
        let now = pg::introspect(&mut *conn, &IntrospectOptions::default()).await.unwrap();
        assert!(diff::diff(&now, &want).is_empty(), "{:?}", diff::diff(&now, &want));
        let r = sqlx::query(
            "SELECT count(*), count(*) FILTER (WHERE mail::text = 'p' || id || '@example.com' AND n = id), \
             min(points), max(points), min(best), pg_typeof(min(handle))::text FROM people",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        assert_eq!((r.get::<i64, _>(0), r.get::<i64, _>(1)), (50, 50), "every row and value kept");
        assert_eq!((r.get::<i32, _>(2), r.get::<i32, _>(3), r.get::<i32, _>(4)), (0, 0, 11), "domain defaults filled");
        assert_eq!(r.get::<String, _>(5), "citext");
        // The new CHECK holds.
        let bad = sqlx::query("INSERT INTO people (id, mail) VALUES (999, 'not-an-address')").execute(&mut *conn).await;
        assert!(bad.is_err(), "the domain's CHECK refuses it");
    }
}

/// Supabase's API roles and one role schema-sync does not manage, created once per cluster
/// (roles are cluster-wide; tests running at once may race to create them).
async fn api_roles(conn: &mut sqlx::PgConnection) {
    schema_sync_tests::create_roles(conn, &[schema_sync_tests::API_ROLES, &["reporting"]].concat()).await;
}

/// What Supabase does in `public`: every new table is granted to the API roles.
const SUPABASE_DEFAULTS: &str =
    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;";

const PG_GRANTS: &str = "
CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL, owner text);
CREATE TABLE secrets (id int PRIMARY KEY, token text);
GRANT SELECT ON notes TO reporting;";

#[tokio::test]
async fn postgres_privileges_of_managed_roles_only_without_default_privilege_noise() {
    let db = schema_sync::require_postgres!();
    let mut admin = db.connect().await;
    api_roles(&mut admin).await;
    let (_other, mut applied, mut written) = two_loaded(
        &db,
        &format!("{SUPABASE_DEFAULTS}{PG_GRANTS}; INSERT INTO notes SELECT g, 'n' || g, 'u' || g FROM generate_series(1, 30) g;"),
    )
    .await;
    // The live database has Supabase's defaults: nothing differs from them, so no record.
    let live = pg::introspect(&mut applied, &IntrospectOptions::default()).await.unwrap();
    assert!(live.grants.is_empty(), "defaults are not recorded: {:?}", live.grants);
    assert!(live.grants.iter().all(|g| g.role != "reporting"), "an unmanaged role is never read");

    // A DDL file (read in a scratch database without those defaults): what it grants is what it
    // means; a table it grants nothing on keeps the live database's defaults.
    let want = pg_target(
        &db,
        &format!(
            "{PG_GRANTS}
             CREATE TABLE posts (id int PRIMARY KEY, title text);
             GRANT SELECT ON notes TO anon;
             GRANT SELECT, INSERT ON notes TO authenticated;
             GRANT SELECT ON posts TO anon;
             GRANT UPDATE (body) ON notes TO service_role;"
        ),
    )
    .await;
    let c = diff::compare(&live, &want, None, &Default::default()).unwrap();
    let text = diff::render_text(&c);
    assert!(text.contains("~ privileges of anon on table public.notes: default → SELECT"), "{text}");
    assert!(!text.contains("secrets"), "no noise on a table neither side grants differently: {text}");
    assert!(!text.contains("reporting"), "{text}");

    // Taking privileges away needs the opt-in.
    let err = apply::migrate(&mut applied, &want, &ApplyOptions::default()).await.expect_err("refused");
    assert!(err.to_string().contains("revokes privileges of `anon` on table `public.notes`"), "{err}");
    let opts = ApplyOptions { allow_destructive: true, ..Default::default() };
    let out = apply::migrate(&mut applied, &want, &opts).await.expect("applies");
    let sql: Vec<&str> = out.statements.iter().map(|s| s.sql.as_str()).collect();
    assert!(sql.iter().all(|s| !s.contains("reporting")), "never a statement for an unmanaged role: {sql:#?}");
    assert!(sql.contains(&"REVOKE ALL ON TABLE \"public\".\"notes\" FROM \"anon\""), "{sql:#?}");
    // The written SQL on a second database with the same defaults does the same.
    run_written(&mut written, &want).await;

    for conn in [&mut applied, &mut written] {
        let now = pg::introspect(&mut *conn, &IntrospectOptions::default()).await.unwrap();
        let again = diff::compare(&now, &want, None, &Default::default()).unwrap();
        assert!(again.is_empty(), "{}", diff::render_text(&again));
        let r = sqlx::query(
            "SELECT has_table_privilege('anon', 'notes', 'SELECT'), has_table_privilege('anon', 'notes', 'DELETE'), \
                    has_table_privilege('authenticated', 'notes', 'INSERT'), \
                    has_table_privilege('authenticated', 'notes', 'UPDATE'), \
                    has_column_privilege('service_role', 'notes', 'body', 'UPDATE'), \
                    has_table_privilege('anon', 'posts', 'SELECT'), has_table_privilege('anon', 'posts', 'INSERT'), \
                    has_table_privilege('authenticated', 'posts', 'INSERT'), \
                    has_table_privilege('anon', 'secrets', 'DELETE'), \
                    has_table_privilege('reporting', 'notes', 'SELECT'), (SELECT count(*) FROM notes)",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        let got: Vec<bool> = (0..10).map(|i| r.get::<bool, _>(i)).collect();
        // anon reads notes but no longer deletes; authenticated inserts, no longer updates;
        // service_role updates body; anon only reads the new posts, authenticated keeps the
        // default there; secrets and the unmanaged role are untouched.
        assert_eq!(got, [true, false, true, false, true, true, false, true, true, true]);
        assert_eq!(r.get::<i64, _>(10), 30, "every row kept");
    }
}

#[tokio::test]
async fn postgres_serial_to_bigserial_changes_the_sequence_too_and_keeps_every_row() {
    let db = schema_sync::require_postgres!();
    let before = "CREATE TABLE events (id serial PRIMARY KEY, what text NOT NULL);";
    let (_other, mut applied, mut written) =
        two_loaded(&db, &format!("{before} INSERT INTO events (what) SELECT 'e' || g FROM generate_series(1, 40) g;"))
            .await;
    let want = pg_target(&db, "CREATE TABLE events (id bigserial PRIMARY KEY, what text NOT NULL);").await;
    let out = apply::migrate(&mut applied, &want, &ApplyOptions::default()).await.expect("applies, no opt-in");
    assert!(out.statements.iter().any(|s| s.sql.contains("ALTER SEQUENCE %s AS bigint")), "{:#?}", out.statements);
    run_written(&mut written, &want).await;
    for conn in [&mut applied, &mut written] {
        let now = pg::introspect(&mut *conn, &IntrospectOptions::default()).await.unwrap();
        assert!(diff::diff(&now, &want).is_empty(), "{:?}", diff::diff(&now, &want));
        let r = sqlx::query(
            "SELECT (SELECT data_type::text FROM pg_sequences WHERE sequencename = 'events_id_seq'), \
                    (SELECT count(*) FROM events WHERE what = 'e' || id), (SELECT last_value FROM events_id_seq)",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        assert_eq!(r.get::<String, _>(0), "bigint", "the sequence follows the column");
        assert_eq!(r.get::<i64, _>(1), 40, "every row kept");
        assert_eq!(r.get::<i64, _>(2), 40, "the sequence keeps its position");
        // Past 2^31 - 1, where a serial's sequence would stop.
        sqlx::raw_sql("SELECT setval('events_id_seq', 2147483647); INSERT INTO events (what) VALUES ('big')")
            .execute(&mut *conn)
            .await
            .expect("a bigserial draws past 2^31 - 1");
        let id: i64 =
            sqlx::query_scalar("SELECT id FROM events WHERE what = 'big'").fetch_one(&mut *conn).await.unwrap();
        assert_eq!(id, 2_147_483_648);
    }
}

const PG_STATUS: &str = "
CREATE TYPE status AS ENUM ('draft', 'published');
CREATE TABLE posts (id int PRIMARY KEY, status status NOT NULL DEFAULT 'draft', archived_at timestamptz);";

#[tokio::test]
async fn postgres_an_enum_label_added_and_used_in_one_plan_runs_in_one_transaction() {
    let db = schema_sync::require_postgres!();
    let (_other, mut applied, mut written) = two_loaded(
        &db,
        &format!(
            "{PG_STATUS} INSERT INTO posts SELECT g, CASE WHEN g % 2 = 0 THEN 'draft' ELSE 'published' END::status \
             FROM generate_series(1, 20) g;"
        ),
    )
    .await;
    // `archived` is new, and the same migration uses it in a CHECK, a partial index and a view.
    let want = pg_target(
        &db,
        "CREATE TYPE status AS ENUM ('draft', 'published', 'archived');
         CREATE TABLE posts (id int PRIMARY KEY, status status NOT NULL DEFAULT 'draft', archived_at timestamptz,
           CONSTRAINT archived_has_date CHECK (status <> 'archived' OR archived_at IS NOT NULL));
         CREATE INDEX posts_archived ON posts (archived_at) WHERE status = 'archived';
         CREATE VIEW archive AS SELECT id, archived_at FROM posts WHERE status = 'archived';",
    )
    .await;
    let live = pg::introspect(&mut applied, &IntrospectOptions::default()).await.unwrap();
    let c = diff::compare(&live, &want, None, &Default::default()).unwrap();
    let plan = render::fix_plan(&c);
    let hazard = plan.hazards.iter().find(|h| h.message.contains("recreating enum `status`")).expect("named");
    assert!(hazard.message.contains("cannot use a label added in the same transaction"), "{}", hazard.message);
    apply::migrate(&mut applied, &want, &ApplyOptions::default()).await.expect("one transaction, no opt-in");
    run_written(&mut written, &want).await;
    for conn in [&mut applied, &mut written] {
        let now = pg::introspect(&mut *conn, &IntrospectOptions::default()).await.unwrap();
        assert!(diff::diff(&now, &want).is_empty(), "{:?}", diff::diff(&now, &want));
        let kept: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM posts WHERE status = CASE WHEN id % 2 = 0 THEN 'draft' ELSE 'published' END::status",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        assert_eq!(kept, 20, "every row keeps its label");
        sqlx::raw_sql("INSERT INTO posts VALUES (100, 'archived', now())").execute(&mut *conn).await.unwrap();
        let archived: i64 = sqlx::query_scalar("SELECT count(*) FROM archive").fetch_one(&mut *conn).await.unwrap();
        assert_eq!(archived, 1);
    }
}

const PG_TOTALS: &str = "
CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL);
CREATE MATERIALIZED VIEW totals AS SELECT owner, sum(balance) AS total FROM accounts GROUP BY owner;
CREATE UNIQUE INDEX totals_owner ON totals (owner);
INSERT INTO accounts SELECT g, 'o' || (g % 7), g * 10 FROM generate_series(1, 70) g;
REFRESH MATERIALIZED VIEW totals;";

#[tokio::test]
async fn postgres_materialized_view_indexes_are_compared_and_come_back_when_the_view_is_set_aside() {
    let db = schema_sync::require_postgres!();
    let (_other, mut applied, mut written) = two_loaded(&db, PG_TOTALS).await;
    let schema = PG_TOTALS.split("INSERT").next().unwrap();
    let live = pg::introspect(&mut applied, &IntrospectOptions::default()).await.unwrap();
    let totals = live.views.iter().find(|v| v.name == "totals").unwrap();
    assert_eq!(totals.indexes.len(), 1, "{totals:?}");
    assert!(totals.indexes[0].unique);

    // An index only: built on the view as it is, never by recomputing it.
    let want =
        pg_target(&db, &format!("{schema} CREATE INDEX totals_big ON totals (total DESC) WHERE total > 100;")).await;
    let out = apply::migrate(&mut applied, &want, &ApplyOptions::default()).await.expect("applies, no opt-in");
    assert!(out.statements.iter().all(|s| !s.sql.contains("MATERIALIZED VIEW")), "{:#?}", out.statements);
    assert!(out.statements.iter().any(|s| s.sql.contains("\"totals_big\"")), "{:#?}", out.statements);
    run_written(&mut written, &want).await;

    // A retype under the view: it is set aside and created again with both indexes.
    let want = pg_target(
        &db,
        &format!(
            "{} CREATE INDEX totals_big ON totals (total DESC) WHERE total > 100;",
            schema.replace("balance int", "balance bigint")
        ),
    )
    .await;
    let out = apply::migrate(&mut applied, &want, &ApplyOptions::default()).await.expect("applies, no opt-in");
    let sql: Vec<&str> = out.statements.iter().map(|s| s.sql.as_str()).collect();
    let created = sql.iter().position(|s| s.starts_with("CREATE MATERIALIZED VIEW")).expect("recreated");
    assert!(sql[created..].iter().any(|s| s.contains("\"totals_owner\"")), "{sql:#?}");
    run_written(&mut written, &want).await;
    for conn in [&mut applied, &mut written] {
        let now = pg::introspect(&mut *conn, &IntrospectOptions::default()).await.unwrap();
        assert!(diff::diff(&now, &want).is_empty(), "{:?}", diff::diff(&now, &want));
        // The unique index is back: a concurrent refresh needs it.
        sqlx::raw_sql("REFRESH MATERIALIZED VIEW CONCURRENTLY totals").execute(&mut *conn).await.unwrap();
        let r = sqlx::query("SELECT count(*), sum(total)::int8 FROM totals").fetch_one(&mut *conn).await.unwrap();
        assert_eq!((r.get::<i64, _>(0), r.get::<i64, _>(1)), (7, 24_850), "every account counted");
    }
    // Dropping an index of the view is a difference.
    let want = pg_target(&db, schema).await;
    let now = pg::introspect(&mut applied, &IntrospectOptions::default()).await.unwrap();
    assert!(
        diff::diff(&now, &want)
            .iter()
            .any(|c| matches!(c, diff::Change::DropIndex { index, .. } if index.name == "totals_big")),
        "{:?}",
        diff::diff(&now, &want)
    );
}

const PG_AGGREGATES: &str = "
CREATE TABLE tags (id int PRIMARY KEY, item int NOT NULL, tag text NOT NULL, w float8 NOT NULL);
CREATE FUNCTION join_step(text, text) RETURNS text LANGUAGE sql IMMUTABLE
  AS $$ SELECT CASE WHEN $1 IS NULL THEN $2 ELSE $1 || ',' || $2 END $$;
CREATE AGGREGATE joined(text) (SFUNC = join_step, STYPE = text);
CREATE AGGREGATE tally(*) (SFUNC = int8inc, STYPE = int8, INITCOND = '0', PARALLEL = SAFE);
CREATE AGGREGATE mid(float8 ORDER BY float8) (SFUNC = ordered_set_transition, STYPE = internal,
  FINALFUNC = percentile_disc_final, FINALFUNC_EXTRA);
CREATE AGGREGATE top(int) (SFUNC = int4larger, STYPE = int4, COMBINEFUNC = int4larger, SORTOP = >);
COMMENT ON AGGREGATE joined(text) IS 'Comma-joined';
COMMENT ON AGGREGATE tally(*) IS 'Rows';
CREATE VIEW item_tags AS SELECT item, joined(tag ORDER BY tag) AS tags, tally(*) AS n,
  mid(0.5) WITHIN GROUP (ORDER BY w) AS w, top(id) AS last FROM tags GROUP BY item;";

/// What the aggregates compute through the view, per item.
async fn item_tags(conn: &mut sqlx::PgConnection) -> Vec<(i32, String, String, f64)> {
    sqlx::query("SELECT item, tags, n::text, w FROM item_tags ORDER BY item")
        .fetch_all(conn)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect()
}

#[tokio::test]
async fn postgres_aggregates_are_created_replaced_recreated_under_their_views_and_dropped_only_on_request() {
    let db = schema_sync::require_postgres!();
    // From an empty database: every kind of aggregate (plain, `(*)`, ordered-set, with a sort
    // operator and a combine function) is created before the view that calls it, comments too.
    let full = pg_target(&db, PG_AGGREGATES).await;
    let aggregates: Vec<String> = full.functions.iter().filter(|f| f.aggregate).map(|f| f.definition.clone()).collect();
    assert_eq!(aggregates.len(), 4, "{aggregates:#?}");
    assert!(
        aggregates.contains(
            &"CREATE OR REPLACE AGGREGATE public.joined(text) (SFUNC = public.join_step, STYPE = text)".to_string()
        ),
        "{aggregates:#?}"
    );
    assert!(aggregates.iter().any(|a| a.contains("tally(*)") && a.contains("PARALLEL = SAFE")), "{aggregates:#?}");
    assert!(aggregates.iter().any(|a| a.contains("SORTOP = OPERATOR(pg_catalog.>)")), "{aggregates:#?}");
    let empty = TempPostgres::new().await;
    let mut fresh = empty.connect().await;
    let live = pg::introspect(&mut fresh, &IntrospectOptions::default()).await.unwrap();
    let text = diff::render_text(&diff::compare(&live, &full, None, &Default::default()).unwrap());
    assert!(text.contains("+ aggregate public.tally(*)"), "{text}");
    apply::migrate(&mut fresh, &full, &ApplyOptions::default()).await.expect("creates everything");
    let now = pg::introspect(&mut fresh, &IntrospectOptions::default()).await.unwrap();
    assert!(diff::diff(&now, &full).is_empty(), "{:?}", diff::diff(&now, &full));
    assert_eq!(now.comments.len(), 2, "{:?}", now.comments);

    let rows = "INSERT INTO tags SELECT g, g % 3, 't' || (g % 5), g FROM generate_series(1, 30) g;";
    let (_other, mut applied, mut written) = two_loaded(&db, &format!("{PG_AGGREGATES} {rows}")).await;
    let before = item_tags(&mut applied).await;
    assert_eq!(before.len(), 3);
    assert_eq!(before[0].2, "10");

    // `tally` starts at 100 (replaced in place, nothing set aside); `joined` now returns varchar
    // (Postgres cannot replace that: dropped and created again with the view set aside around
    // it); `top` is gone from the target and from the view.
    let changed = PG_AGGREGATES
        .replace("INITCOND = '0'", "INITCOND = '100'")
        .replace("RETURNS text", "RETURNS varchar")
        .replace("(SFUNC = join_step, STYPE = text)", "(SFUNC = join_step, STYPE = varchar)")
        .replace(
            "CREATE AGGREGATE top(int) (SFUNC = int4larger, STYPE = int4, COMBINEFUNC = int4larger, SORTOP = >);",
            "",
        )
        .replace(", top(id) AS last", "");
    let want = pg_target(&db, &changed).await;
    let refused = apply::migrate(&mut applied, &want, &ApplyOptions::default()).await.unwrap_err().to_string();
    assert!(refused.contains("drops aggregate `public.top(integer)`"), "{refused}");
    let out = apply::migrate(&mut applied, &want, &ApplyOptions { allow_destructive: true, ..Default::default() })
        .await
        .expect("applies with the opt-in");
    let sql: Vec<&str> = out.statements.iter().map(|s| s.sql.as_str()).collect();
    assert!(sql.iter().any(|s| s.starts_with("CREATE OR REPLACE AGGREGATE public.tally(*)")), "{sql:#?}");
    assert!(sql.contains(&"DROP AGGREGATE \"public\".\"joined\"(text)"), "{sql:#?}");
    assert!(sql.contains(&"DROP AGGREGATE \"public\".\"top\"(integer)"), "{sql:#?}");
    assert!(!sql.iter().any(|s| s.starts_with("DROP AGGREGATE \"public\".\"tally\"")), "{sql:#?}");
    run_written(&mut written, &want).await;
    let mut states = Vec::new();
    for conn in [&mut applied, &mut written] {
        let now = pg::introspect(&mut *conn, &IntrospectOptions::default()).await.unwrap();
        assert!(diff::diff(&now, &want).is_empty(), "{:?}", diff::diff(&now, &want));
        let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM tags").fetch_one(&mut *conn).await.unwrap();
        assert_eq!(kept, 30, "every row kept");
        states.push(item_tags(conn).await);
    }
    let after = &states[0];
    assert_eq!(after[0].2, "110", "the replaced aggregate starts at 100");
    assert_eq!((&after[0].1, after[0].3), (&before[0].1, before[0].3), "the recreated aggregate computes the same");
    assert_eq!(states[0], states[1], "the written SQL did what apply did");
}
