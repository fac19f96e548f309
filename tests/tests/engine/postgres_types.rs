//! Exclusion constraints, composite types, collations, table inheritance, `NOT VALID`
//! constraints and deferrable primary keys, with rows, on a real Postgres: each is created,
//! changed and dropped by `apply` and by the written SQL alike, every row keeps its values,
//! and what would break rows is refused with nothing changed.

use super::partitions::{run, run_written, target, two};
use schema_sync::testing::{TempPostgres, TempSqlite};
use schema_sync_core::apply::{self, ApplyOptions};
use schema_sync_core::diff;
use schema_sync_core::introspect::{postgres as pg, sqlite as lite, IntrospectOptions};
use schema_sync_core::model::TriggerFiring;
use sqlx::Row;

async fn rows(conn: &mut sqlx::PgConnection, sql: &str) -> Vec<String> {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_all(&mut *conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<Option<String>, _>(0).unwrap_or_else(|| "NULL".into()))
        .collect()
}

const BOOKINGS: &str = "
CREATE TABLE bookings (id int PRIMARY KEY, room int NOT NULL, during tsrange NOT NULL, note text,
  CONSTRAINT no_double EXCLUDE USING gist (during WITH &&) WHERE (room = 1));
CREATE TABLE areas (id int PRIMARY KEY, c circle);
INSERT INTO bookings SELECT g, g % 3, tsrange('2026-01-01'::timestamp + g * interval '1 day',
  '2026-01-01'::timestamp + g * interval '1 day' + interval '2 hours'), 'n' || g FROM generate_series(1, 60) g;
INSERT INTO areas SELECT g, circle(point(g * 10, 0), 1) FROM generate_series(1, 40) g;";

#[tokio::test]
async fn postgres_exclusion_constraints_are_added_changed_and_dropped_with_every_row_kept() {
    let (x, _y, mut applied, mut written) = two(BOOKINGS).await;
    // `no_double` now covers every room; `areas` gains one (no two circles overlap).
    let want = target(
        &x,
        "CREATE TABLE bookings (id int PRIMARY KEY, room int NOT NULL, during tsrange NOT NULL, note text,
           CONSTRAINT no_double EXCLUDE USING gist (during WITH &&) DEFERRABLE INITIALLY DEFERRED);
         CREATE TABLE areas (id int PRIMARY KEY, c circle, EXCLUDE USING gist (c WITH &&));",
    )
    .await;
    let bookings = want.tables.iter().find(|t| t.name == "bookings").unwrap();
    assert_eq!(bookings.exclusions.len(), 1);
    assert_eq!(bookings.exclusions[0].definition, "USING gist (during WITH &&) DEFERRABLE INITIALLY DEFERRED");
    let before = rows(&mut applied, "SELECT id || note || during::text FROM bookings ORDER BY id").await;
    let out = apply::migrate(&mut applied, &want, &ApplyOptions::default()).await.expect("applies");
    let sql: Vec<&str> = out.statements.iter().map(|s| s.sql.as_str()).collect();
    assert!(sql.contains(&"ALTER TABLE \"public\".\"bookings\" DROP CONSTRAINT \"no_double\""), "{sql:#?}");
    assert!(
        sql.iter().any(|s| s.contains("ADD CONSTRAINT \"areas_c_excl\" EXCLUDE USING gist (c WITH &&)")),
        "{sql:#?}"
    );
    let script = run_written(&mut written, &want).await;
    assert!(script.contains("EXCLUDE USING gist (during WITH &&) DEFERRABLE INITIALLY DEFERRED"), "{script}");
    for conn in [&mut applied, &mut written] {
        let now = pg::introspect(&mut *conn, &IntrospectOptions::default()).await.unwrap();
        assert!(diff::diff(&now, &want).is_empty(), "{:?}", diff::diff(&now, &want));
        assert_eq!(rows(&mut *conn, "SELECT id || note || during::text FROM bookings ORDER BY id").await, before);
        // The constraint holds: an overlapping circle is refused.
        let dup = sqlx::raw_sql("INSERT INTO areas VALUES (99, circle(point(10, 0), 1))").execute(&mut *conn).await;
        assert!(dup.unwrap_err().to_string().contains("areas_c_excl"));
    }
    // Rows that break a wanted exclusion: refused at rehearsal, nothing changed.
    let (z, _w, mut clash, _) = two(BOOKINGS).await;
    run(&mut clash, "INSERT INTO areas VALUES (100, circle(point(10, 0), 5))").await;
    let wanted = target(
        &z,
        "CREATE TABLE bookings (id int PRIMARY KEY, room int NOT NULL, during tsrange NOT NULL, note text);
                             CREATE TABLE areas (id int PRIMARY KEY, c circle, EXCLUDE USING gist (c WITH &&));",
    )
    .await;
    let opts = ApplyOptions { allow_destructive: true, ..Default::default() };
    let err = apply::migrate(&mut clash, &wanted, &opts).await.expect_err("two circles overlap");
    assert!(err.to_string().contains("areas_c_excl"), "{err}");
    let now = pg::introspect(&mut clash, &IntrospectOptions::default()).await.unwrap();
    let areas = now.tables.iter().find(|t| t.name == "areas").unwrap();
    assert!(areas.exclusions.is_empty(), "nothing half-applied: {areas:?}");
    let bookings = now.tables.iter().find(|t| t.name == "bookings").unwrap();
    assert_eq!(bookings.exclusions.len(), 1, "the dropped one is still there: {bookings:?}");
}

const SHAPES: &str = r#"
CREATE COLLATION posix FROM "POSIX";
CREATE TYPE addr AS (street text, zip int);
CREATE TABLE people (id int PRIMARY KEY, name text COLLATE posix, home addr);
INSERT INTO people SELECT g, 'Name ' || g, ROW('Street ' || g, 1000 + g)::addr FROM generate_series(1, 50) g;
CREATE TABLE base (created_at timestamp DEFAULT '2026-01-01', e int);
CREATE TABLE child (a1 int, a2 int) INHERITS (base);
INSERT INTO child (e, a1, a2) SELECT g, g * 2, g * 3 FROM generate_series(1, 30) g;
INSERT INTO base (e) VALUES (7), (8);"#;

#[tokio::test]
async fn postgres_composite_types_collations_and_inheritance_change_with_every_value_kept() {
    let (x, _y, mut applied, mut written) = two(SHAPES).await;
    // `addr` gains an attribute; `name` moves to a new ICU collation and `posix` goes; `base`
    // drops `e`, which `child` keeps as its own column, values and all.
    let want = target(
        &x,
        "CREATE COLLATION numeric (provider = icu, locale = 'en-u-kn-true');
         CREATE TYPE addr AS (street text, zip int, city text COLLATE numeric);
         COMMENT ON TYPE addr IS 'a postal address';
         CREATE TABLE people (id int PRIMARY KEY, name text COLLATE numeric, home addr);
         CREATE TABLE base (created_at timestamp DEFAULT '2026-01-01');
         CREATE TABLE child (a1 int, a2 int) INHERITS (base);
         ALTER TABLE child ADD COLUMN e int;",
    )
    .await;
    assert!(want.comments.iter().any(|c| c.text == "a postal address"), "{:?}", want.comments);
    let child = want.tables.iter().find(|t| t.name == "child").unwrap();
    assert_eq!(child.inherits.len(), 1);
    let inherited: Vec<bool> = child.columns.iter().map(|c| c.inherited).collect();
    assert_eq!(inherited, [true, false, false, false], "{child:?}");
    let people =
        "SELECT id || name || (home).street || (home).zip || coalesce((home).city, '-') FROM people ORDER BY id";
    let kids = "SELECT a1 || '/' || a2 || '/' || e || '/' || created_at FROM child ORDER BY a1";
    let people_before = "SELECT id || name || (home).street || (home).zip || '-' FROM people ORDER BY id";
    let (p0, k0) = (rows(&mut applied, people_before).await, rows(&mut applied, kids).await);
    assert_eq!(k0.len(), 30);
    let opts = ApplyOptions { allow_destructive: true, ..Default::default() };
    let out = apply::migrate(&mut applied, &want, &opts).await.expect("applies");
    let sql: Vec<&str> = out.statements.iter().map(|s| s.sql.as_str()).collect();
    assert!(sql.contains(&"ALTER TABLE \"public\".\"base\" DROP COLUMN \"e\""), "{sql:#?}");
    assert!(sql.iter().any(|s| s.starts_with("ALTER TYPE \"public\".\"addr\" ADD ATTRIBUTE \"city\"")), "{sql:#?}");
    assert!(sql.contains(&"DROP COLLATION \"public\".\"posix\""), "{sql:#?}");
    let script = {
        run(&mut written, "SET search_path = public").await;
        run_written(&mut written, &want).await
    };
    assert!(script.contains("CREATE COLLATION \"public\".\"numeric\" (provider = icu, locale = 'en-u-kn-true')"));
    for conn in [&mut applied, &mut written] {
        let now = pg::introspect(&mut *conn, &IntrospectOptions::default()).await.unwrap();
        assert!(diff::diff(&now, &want).is_empty(), "{:?}", diff::diff(&now, &want));
        assert_eq!(rows(&mut *conn, people).await, p0, "every person and address kept");
        assert_eq!(rows(&mut *conn, kids).await, k0, "the child's `e` kept its values");
        assert_eq!(rows(&mut *conn, "SELECT count(*)::text FROM ONLY base").await, ["2"]);
        // The new collation sorts numbers by value.
        run(&mut *conn, "INSERT INTO people VALUES (100, 'item 10', NULL), (101, 'item 9', NULL)").await;
        let order = rows(&mut *conn, "SELECT name FROM people WHERE id >= 100 ORDER BY name").await;
        assert_eq!(order, ["item 9", "item 10"]);
    }
    // Across dialects these are Postgres's own: not drift against a SQLite `people`.
    let file = TempSqlite::new();
    let lite_conn = file.connect();
    lite_conn
        .execute_batch(
            "CREATE TABLE people (id INTEGER PRIMARY KEY NOT NULL, name TEXT, home TEXT);
             CREATE TABLE base (created_at TEXT DEFAULT '2026-01-01');
             CREATE TABLE child (created_at TEXT DEFAULT '2026-01-01', a1 INTEGER, a2 INTEGER, e INTEGER);",
        )
        .unwrap();
    let sqlite = lite::introspect(&lite_conn, &IntrospectOptions::default()).unwrap();
    let c = diff::compare(&want, &sqlite, None, &Default::default()).unwrap();
    let kinds: Vec<String> = c.changes.iter().map(|ch| format!("{ch:?}")).collect();
    assert!(
        !kinds.iter().any(|k| k.contains("Composite") || k.contains("Collation") || k.contains("Inherit")),
        "{kinds:#?}"
    );
    assert!(!kinds.iter().any(|k| k.contains("AddColumn") || k.contains("DropColumn")), "{kinds:#?}");
}

#[tokio::test]
async fn postgres_not_valid_constraints_and_deferrable_keys_are_kept_as_declared() {
    let db = TempPostgres::new().await;
    let mut conn = db.connect().await;
    run(
        &mut conn,
        "CREATE TABLE t (id int PRIMARY KEY, v int, CONSTRAINT loose CHECK (v > -100));
         INSERT INTO t SELECT g, g - 10 FROM generate_series(1, 40) g;",
    )
    .await;
    // `positive` is broken by ten rows: NOT VALID keeps them; `loose` becomes NOT VALID too;
    // the key becomes deferrable.
    let want = target(
        &db,
        "CREATE TABLE t (id int, v int, CONSTRAINT t_pkey PRIMARY KEY (id) DEFERRABLE INITIALLY DEFERRED);
         ALTER TABLE t ADD CONSTRAINT loose CHECK (v > -100) NOT VALID;
         ALTER TABLE t ADD CONSTRAINT positive CHECK (v > 0) NOT VALID;
         CREATE TABLE fresh (id int PRIMARY KEY, w int);
         ALTER TABLE fresh ADD CONSTRAINT w_small CHECK (w < 10) NOT VALID;",
    )
    .await;
    apply::migrate(&mut conn, &want, &ApplyOptions::default()).await.expect("applies");
    let now = pg::introspect(&mut conn, &IntrospectOptions::default()).await.unwrap();
    assert!(diff::diff(&now, &want).is_empty(), "{:?}", diff::diff(&now, &want));
    let states = rows(
        &mut conn,
        "SELECT conname || ':' || convalidated || ':' || condeferrable FROM pg_constraint \
         WHERE conrelid IN ('t'::regclass, 'fresh'::regclass) ORDER BY conname",
    )
    .await;
    assert_eq!(
        states,
        [
            "fresh_pkey:true:false",
            "loose:false:false",
            "positive:false:false",
            "t_pkey:true:true",
            "w_small:false:false"
        ]
    );
    assert_eq!(rows(&mut conn, "SELECT count(*)::text FROM t WHERE v <= 0").await, ["10"], "no row touched");
    // Declared validated again: finished with VALIDATE where the rows allow it.
    let valid = target(
        &db,
        "CREATE TABLE t (id int PRIMARY KEY, v int, CONSTRAINT loose CHECK (v > -100));
                             CREATE TABLE fresh (id int PRIMARY KEY, w int);",
    )
    .await;
    let out = apply::migrate(&mut conn, &valid, &ApplyOptions { allow_destructive: true, ..Default::default() })
        .await
        .expect("applies");
    assert!(out.statements.iter().any(|s| s.sql.contains("VALIDATE CONSTRAINT \"loose\"")), "{:#?}", out.statements);
    let now = pg::introspect(&mut conn, &IntrospectOptions::default()).await.unwrap();
    assert!(diff::diff(&now, &valid).is_empty(), "{:?}", diff::diff(&now, &valid));
}

#[tokio::test]
async fn postgres_a_trigger_that_is_disabled_or_fires_on_replicas_is_set_so_with_rows_kept() {
    let setup = "CREATE TABLE t (id int PRIMARY KEY, touched int NOT NULL DEFAULT 0);
         CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := NEW.touched + 1; RETURN NEW; END $$;
         CREATE TRIGGER a_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
         CREATE TRIGGER b_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
         INSERT INTO t (id) SELECT g FROM generate_series(1, 20) g;";
    let (x, _y, mut applied, mut written) = two(setup).await;
    let want = target(
        &x,
        &format!("{setup} ALTER TABLE t DISABLE TRIGGER a_touch; ALTER TABLE t ENABLE REPLICA TRIGGER b_touch;"),
    )
    .await;
    let fires: Vec<_> = want.triggers.iter().map(|t| (t.name.as_str(), t.fires)).collect();
    assert_eq!(fires, [("a_touch", TriggerFiring::Disabled), ("b_touch", TriggerFiring::Replica)]);
    apply::migrate(&mut applied, &want, &ApplyOptions::default()).await.expect("applies");
    let script = run_written(&mut written, &want).await;
    assert!(script.contains("ALTER TABLE \"public\".\"t\" DISABLE TRIGGER \"a_touch\""), "{script}");
    for conn in [&mut applied, &mut written] {
        let now = pg::introspect(&mut *conn, &IntrospectOptions::default()).await.unwrap();
        assert!(diff::diff(&now, &want).is_empty(), "{:?}", diff::diff(&now, &want));
        // Neither fires in an ordinary session now; every row is still there.
        run(&mut *conn, "UPDATE t SET id = id").await;
        assert_eq!(rows(&mut *conn, "SELECT count(*)::text FROM t WHERE touched = 0").await, ["20"]);
    }
}

#[tokio::test]
async fn postgres_schemas_are_created_even_empty_and_dropped_only_on_request() {
    let db = TempPostgres::new().await;
    let mut conn = db.connect().await;
    run(&mut conn, "CREATE SCHEMA old; CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2);").await;
    let scope =
        IntrospectOptions { schemas: vec!["public".into(), "old".into(), "reports".into()], ..Default::default() };
    let now = pg::introspect(&mut conn, &scope).await.unwrap();
    assert_eq!(now.namespaces, ["old", "public"]);
    // The target has an empty `reports` schema and no `old`.
    let mut want = now.clone();
    want.namespaces = vec!["public".into(), "reports".into()];
    let mut live = apply::postgres::PgDatabase::new(&mut conn).with_scope(scope.clone());
    let err = apply::migrate_database(&mut live, &want, &ApplyOptions::default()).await.expect_err("drops a schema");
    assert!(err.to_string().contains("drops schema `old`"), "{err}");
    let opts = ApplyOptions { allow_destructive: true, ..Default::default() };
    let out = apply::migrate_database(&mut live, &want, &opts).await.expect("applies");
    let sql: Vec<&str> = out.statements.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(sql, ["CREATE SCHEMA IF NOT EXISTS \"reports\"", "DROP SCHEMA \"old\""]);
    drop(live);
    let after = pg::introspect(&mut conn, &scope).await.unwrap();
    assert_eq!(after.namespaces, ["public", "reports"]);
    assert!(diff::diff(&after, &want).is_empty(), "{:?}", diff::diff(&after, &want));
    assert_eq!(rows(&mut conn, "SELECT count(*)::text FROM t").await, ["2"]);
    // Models name no schemas: nothing is created or dropped for them.
    let mut models = want.clone();
    models.namespaces.clear();
    assert!(diff::diff(&after, &models).is_empty(), "{:?}", diff::diff(&after, &models));
}
