//! SQLite ↔ Postgres on a real third-party schema (Chinook, generated for both dialects by one
//! tool): the diff reports only real differences once names are folded (`AlbumId` ↔
//! `album_id`), and migrating either way converges with every row kept.

use rusqlite::Connection;
use schema_sync::testing::{TempPostgres, TempSqlite};
use schema_sync_core::apply::postgres::PgDatabase;
use schema_sync_core::apply::{self, ApplyOptions};
use schema_sync_core::diff::{self, Change, DiffOptions};
use schema_sync_core::introspect::{postgres as pg, sqlite as lite, IntrospectOptions};
use schema_sync_core::Schema;
use schema_sync_tests::conformance_dir;

fn chinook(file: &str) -> String {
    std::fs::read_to_string(conformance_dir().join("real-schemas/chinook").join(file)).unwrap()
}

/// The Postgres script without its psql meta-commands and database (re)creation.
fn chinook_pg_sql() -> String {
    chinook("Chinook_PostgreSql.sql")
        .lines()
        .filter(|l| !l.starts_with("\\c") && !l.contains("DROP DATABASE") && !l.contains("CREATE DATABASE"))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn load_pg(sql: &str) -> (TempPostgres, Schema) {
    let db = TempPostgres::new().await;
    let mut conn = db.connect().await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).execute(&mut conn).await.expect("Chinook loads on Postgres");
    let schema = pg::introspect(&mut conn, &IntrospectOptions::default()).await.unwrap();
    (db, schema)
}

fn load_sqlite(sql: &str) -> (TempSqlite, Schema) {
    let db = TempSqlite::new();
    let conn = db.connect();
    conn.execute_batch(sql).expect("Chinook loads on SQLite");
    let schema = lite::introspect(&conn, &IntrospectOptions::default()).unwrap();
    (db, schema)
}

fn folded() -> DiffOptions {
    DiffOptions { fold_names: true, ..Default::default() }
}

#[tokio::test]
async fn chinook_cross_dialect_diff_reports_only_real_differences() {
    let _guard = schema_sync::require_postgres!();
    let (_pg_db, pg_schema) = load_pg(&chinook_pg_sql()).await;
    let (_lite_db, lite_schema) = load_sqlite(&chinook("Chinook_Sqlite.sql"));

    // Without a name mapping every table differs only by spelling: reported, not guessed.
    let raw = diff::compare(&pg_schema, &lite_schema, None, &DiffOptions::default()).unwrap();
    assert_eq!(raw.changes.iter().filter(|c| matches!(c, Change::CreateTable { .. })).count(), 11);

    // With names folded, the two generated schemas agree on every table, column, type, key,
    // and foreign key: the type pairs (INTEGER/int, NVARCHAR/varchar, NUMERIC/numeric,
    // DATETIME/timestamp) are compatible by rule.
    let cmp = diff::compare(&pg_schema, &lite_schema, None, &folded()).unwrap();
    let text = diff::render_text(&cmp);
    eprintln!("postgres ← sqlite (folded):\n{text}");
    for n in cmp.notes.iter().filter(|n| !n.compatible) {
        eprintln!("incompatible: {} {}", n.subject, n.message);
    }
    assert!(cmp.notes.iter().filter(|n| n.rule.is_some()).count() >= 60, "every column pair judged by a rule");
    // Index names are local spelling (`IFK_AlbumArtistId` vs `album_artist_id_idx`): the same
    // columns make the same index, so nothing is left.
    assert!(cmp.is_empty(), "unexpected differences:\n{text}");
    let back = diff::compare(&lite_schema, &pg_schema, None, &folded()).unwrap();
    assert!(back.is_empty(), "unexpected differences:\n{}", diff::render_text(&back));

    // A real difference is reported, naming the rule that failed.
    let mut changed = lite_schema.clone();
    changed.table_mut(None, "Track").unwrap().column_mut("Milliseconds").unwrap().ty =
        schema_sync_core::types::sqlite::parse("TEXT");
    let cmp = diff::compare(&pg_schema, &changed, None, &folded()).unwrap();
    let text = diff::render_text(&cmp);
    assert_eq!(cmp.changes.len(), 1, "{text}");
    assert!(text.contains("milliseconds") && text.contains("integer"), "{text}");
}

fn row_counts(conn: &Connection, schema: &Schema) -> Vec<(String, i64)> {
    schema
        .tables
        .iter()
        .map(|t| {
            (t.name.clone(), conn.query_row(&format!("SELECT count(*) FROM \"{}\"", t.name), [], |r| r.get(0)).unwrap())
        })
        .collect()
}

#[tokio::test]
async fn chinook_sqlite_to_postgres_and_back_converges() {
    let _guard = schema_sync::require_postgres!();
    let (lite_db, lite_schema) = load_sqlite(&chinook("Chinook_Sqlite.sql"));

    // sqlite → postgres: an empty Postgres made to match SQLite.
    let target_pg = TempPostgres::new().await;
    let mut conn = target_pg.connect().await;
    let iopts = IntrospectOptions::default();
    let out =
        apply::migrate(PgDatabase::new(&mut conn).with_scope(iopts.clone()), &lite_schema, &ApplyOptions::default())
            .await
            .unwrap();
    assert!(out.applied);
    let pg_after = pg::introspect(&mut conn, &iopts).await.unwrap();
    let cmp = diff::compare(&pg_after, &lite_schema, None, &DiffOptions::default()).unwrap();
    assert!(cmp.is_empty(), "postgres after sqlite-wins:\n{}", diff::render_text(&cmp));

    // postgres → sqlite: an empty SQLite made to match that Postgres.
    let fresh = TempSqlite::new();
    let mut lite = fresh.connect();
    apply::migrate_blocking(&mut lite, &pg_after, &ApplyOptions::default()).unwrap();
    let lite_after = lite::introspect(&lite, &iopts).unwrap();
    let cmp = diff::compare(&lite_after, &pg_after, None, &DiffOptions::default()).unwrap();
    assert!(cmp.is_empty(), "sqlite after postgres-wins:\n{}", diff::render_text(&cmp));
    let cmp = diff::compare(&pg_after, &lite_after, None, &DiffOptions::default()).unwrap();
    assert!(cmp.is_empty(), "and the other way round:\n{}", diff::render_text(&cmp));

    // The populated SQLite made to match the *original* Chinook Postgres (snake_case names
    // folded onto SQLite's): every row survives.
    let (_pg_db, pg_schema) = load_pg(&chinook_pg_sql()).await;
    let mut populated = lite_db.connect();
    let before = row_counts(&populated, &lite_schema);
    assert!(before.iter().map(|(_, n)| n).sum::<i64>() > 15_000);
    let (contents_before, types_before) = schema_sync_tests::rows::contents_sqlite(&populated);
    let opts = ApplyOptions { diff: folded(), ..Default::default() };
    let out = apply::migrate_blocking(&mut populated, &pg_schema, &opts).unwrap();
    eprintln!(
        "postgres-wins on populated Chinook: {} step(s), {} row(s) copied",
        out.plan.steps.len(),
        out.rows_copied
    );
    assert_eq!(row_counts(&populated, &lite_schema), before);
    // Not only the counts: every value of every column that kept its name and type.
    let (contents_after, types_after) = schema_sync_tests::rows::contents_sqlite(&populated);
    let lost = schema_sync_tests::rows::lost(&contents_before, &contents_after, &types_before, &types_after);
    assert!(
        lost.is_empty(),
        "values changed: {:?}",
        lost.iter().map(|l| l.chars().take(200).collect::<String>()).collect::<Vec<_>>()
    );
    let compared = types_before.keys().filter(|k| types_after.get(*k) == types_before.get(*k)).count();
    assert!(compared > 20, "only {compared} columns kept their type");
    let fk: i64 = populated.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    assert_eq!(fk, 0);
    let after = lite::introspect(&populated, &iopts).unwrap();
    assert!(diff::compare(&after, &pg_schema, None, &folded()).unwrap().is_empty());
}
