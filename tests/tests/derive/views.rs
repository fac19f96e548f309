//! `#[derive(SyncView)]`: views declared as Rust types, created on real SQLite and Postgres
//! databases with rows behind them, read back equal to the models (Postgres through a scratch
//! database), and the rehearsal that makes a view naming a missing column fail `cargo test`.

// The structs are only read through their derived metadata.
#![allow(dead_code)]

use schema_sync::core::apply::postgres::PgDatabase;
use schema_sync::core::apply::{self, ApplyOptions};
use schema_sync::core::declarative;
use schema_sync::core::diff::{self, DiffOptions};
use schema_sync::core::introspect::{postgres as pg, IntrospectOptions};
use schema_sync::core::Dialect;
use schema_sync::testing::{assert_schema_matches, TempSqlite};
use schema_sync::{schema, SyncTable, SyncView};

#[derive(SyncTable)]
#[sync(table = "profiles")]
struct Profile {
    #[sync(primary_key)]
    id: i64,
    username: String,
    score: i32,
    is_public: bool,
}

/// The same profiles with a wider score (Postgres) and a CHECK (a rebuild on SQLite): the views
/// over the table must be set aside and put back.
#[derive(SyncTable)]
#[sync(table = "profiles")]
struct ProfileV2 {
    #[sync(primary_key)]
    id: i64,
    #[sync(check = "length(username) > 0")]
    username: String,
    score: i64,
    is_public: bool,
}

#[derive(SyncView)]
#[sync(
    view = "public_profiles",
    security_invoker,
    comment = "Profiles anyone may read",
    query = "SELECT id, username, score FROM profiles WHERE is_public"
)]
struct PublicProfile {
    id: i64,
    #[sync(comment = "Shown name")]
    username: String,
    score: i64,
}

#[derive(SyncView)]
#[sync(
    view = "leaderboard",
    query(
        postgres = "SELECT username, score::bigint * 10 AS points FROM profiles ORDER BY score DESC",
        sqlite = "SELECT username, score * 10 AS points FROM profiles ORDER BY score DESC"
    )
)]
struct Leader {
    username: String,
    points: i64,
}

#[derive(SyncView)]
#[sync(view = "score_totals", materialized, index(columns = ["is_public"], unique),
       query(postgres = "SELECT is_public, count(*) AS people, sum(score) AS total FROM profiles GROUP BY is_public"))]
struct ScoreTotal {
    is_public: bool,
    people: i64,
    total: i64,
}

/// Its query names a column the models do not have.
#[derive(SyncView)]
#[sync(view = "public_profiles", query = "SELECT id, nickname FROM profiles")]
struct Broken {
    id: i64,
    nickname: String,
}

/// Its query yields `username` where the struct says `name`.
#[derive(SyncView)]
#[sync(view = "public_profiles", query = "SELECT id, username FROM profiles")]
struct Misnamed {
    id: i64,
    name: String,
}

fn models() -> schema_sync::Schema {
    schema![Profile, PublicProfile, Leader, ScoreTotal]
}

fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let err = std::panic::catch_unwind(f).expect_err("the assertion should fail");
    err.downcast_ref::<String>().cloned().or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string())).unwrap()
}

#[test]
fn derived_views_carry_one_body_per_dialect() {
    let s = models();
    let by = |name: &str, d: Dialect| s.views.iter().find(|v| v.name == name && v.written_for == Some(d));
    let pg_view = by("public_profiles", Dialect::Postgres).unwrap();
    assert_eq!(pg_view.options.get("security_invoker").map(String::as_str), Some("true"));
    assert_eq!(pg_view.declared_columns, ["id", "username", "score"]);
    assert!(by("public_profiles", Dialect::Sqlite).unwrap().options.is_empty());
    assert!(by("leaderboard", Dialect::Sqlite).unwrap().definition.contains("score * 10"));
    assert!(by("score_totals", Dialect::Sqlite).is_none(), "a materialized view exists only in Postgres");
    assert_eq!(by("score_totals", Dialect::Postgres).unwrap().indexes[0].name, "score_totals_is_public_idx");
    assert!(s.comments.iter().any(|c| c.on.name == "username" && c.on.table.as_deref() == Some("public_profiles")));
}

#[test]
fn views_from_structs_on_sqlite_keep_rows_through_a_rebuild() {
    let db = TempSqlite::new();
    let mut conn = db.connect();
    apply::migrate_blocking(&mut conn, &models(), &ApplyOptions::default()).expect("create");
    for i in 0..40 {
        conn.execute(
            "INSERT INTO profiles (id, username, score, is_public) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![i, format!("user{i}"), i * 3, i % 2 == 0],
        )
        .unwrap();
    }
    assert_schema_matches(&db, &models());
    let public: i64 = conn.query_row("SELECT count(*) FROM public_profiles", [], |r| r.get(0)).unwrap();
    assert_eq!(public, 20);
    let top: (String, i64) =
        conn.query_row("SELECT username, points FROM leaderboard LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(top, ("user39".to_string(), 39 * 3 * 10));
    // Widening the score rebuilds the table; the views over it are set aside and put back.
    let v2 = schema![ProfileV2, PublicProfile, Leader, ScoreTotal];
    let out = apply::migrate_blocking(&mut conn, &v2, &ApplyOptions::default()).expect("widen");
    assert!(out.applied);
    assert_schema_matches(&db, &v2);
    let rows: i64 = conn.query_row("SELECT count(*) FROM profiles", [], |r| r.get(0)).unwrap();
    let sum: i64 = conn.query_row("SELECT sum(score) FROM public_profiles", [], |r| r.get(0)).unwrap();
    assert_eq!((rows, sum), (40, (0..40).filter(|i| i % 2 == 0).map(|i| i * 3).sum::<i64>()));
    let again = apply::migrate_blocking(&mut conn, &v2, &ApplyOptions::default()).unwrap();
    assert!(again.plan.is_empty(), "second plan: {:?}", again.plan.steps);
}

#[test]
fn a_view_naming_a_missing_column_fails_the_sqlite_rehearsal() {
    let db = TempSqlite::new();
    apply::migrate_blocking(&mut db.connect(), &schema![Profile], &ApplyOptions::default()).unwrap();
    let m = panic_message(|| assert_schema_matches(&db, &schema![Profile, Broken]));
    assert!(m.contains("public_profiles") && m.contains("no such column: nickname"), "{m}");
    let m = panic_message(|| assert_schema_matches(&db, &schema![Profile, Misnamed]));
    assert!(m.contains("yields the columns (id, username), but its struct declares (id, name)"), "{m}");
    // The library refuses too, before anything runs against a database.
    let err = declarative::merge_sqlite(&schema![Profile, Broken], &[], &IntrospectOptions::default()).unwrap_err();
    assert!(err.to_string().contains("nickname"), "{err}");
}

#[tokio::test]
async fn views_from_structs_on_postgres_read_back_equal_through_a_scratch_database() {
    let db = schema_sync::require_postgres!();
    let mut conn = db.connect().await;
    let iopts = IntrospectOptions::default();
    // As the catalog prints them: the scratch database is on the same server.
    let settled = declarative::merge(&models(), &[], Dialect::Postgres, Some(db.url()), &iopts).await.expect("settle");
    let out = apply::migrate(PgDatabase::new(&mut conn), &settled, &ApplyOptions::default()).await.expect("create");
    assert!(out.applied);
    sqlx::raw_sql(
        "INSERT INTO profiles SELECT i, 'user' || i, i * 3, i % 2 = 0 FROM generate_series(0, 39) i; \
         REFRESH MATERIALIZED VIEW score_totals",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let live = pg::introspect(&mut conn, &iopts).await.unwrap();
    let cmp = diff::compare(&live, &settled, None, &DiffOptions::default()).unwrap();
    assert!(cmp.is_empty(), "Postgres differs from the models:\n{}", diff::render_text(&cmp));
    let v = live.views.iter().find(|v| v.name == "public_profiles").unwrap();
    assert_eq!(v.options.get("security_invoker").map(String::as_str), Some("true"));
    assert!(live.views.iter().any(|v| v.name == "score_totals" && v.materialized && v.indexes.len() == 1));
    let (n, points): (i64, i64) =
        sqlx::query_as("SELECT count(*), max(points) FROM leaderboard").fetch_one(&mut conn).await.unwrap();
    assert_eq!((n, points), (40, 39 * 3 * 10));
    // The blocking assertion settles the models itself.
    let url = db.url().to_string();
    tokio::task::spawn_blocking(move || assert_schema_matches(url.as_str(), &models())).await.unwrap();
    // Widening the score sets the views over it aside and puts them back; rows stay.
    let v2 = declarative::merge(
        &schema![ProfileV2, PublicProfile, Leader, ScoreTotal],
        &[],
        Dialect::Postgres,
        Some(db.url()),
        &iopts,
    )
    .await
    .unwrap();
    let out = apply::migrate(PgDatabase::new(&mut conn), &v2, &ApplyOptions::default()).await.expect("widen");
    assert!(out.applied);
    let (rows, public): (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM profiles), (SELECT count(*) FROM public_profiles)")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!((rows, public), (40, 20));
    let again = apply::migrate(PgDatabase::new(&mut conn), &v2, &ApplyOptions::default()).await.unwrap();
    assert!(again.plan.is_empty(), "second plan: {:?}", again.plan.steps);
}

#[tokio::test]
async fn a_view_naming_a_missing_column_fails_the_postgres_rehearsal() {
    let db = schema_sync::require_postgres!();
    let iopts = IntrospectOptions::default();
    let err = declarative::merge(&schema![Profile, Broken], &[], Dialect::Postgres, Some(db.url()), &iopts)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("column \"nickname\" does not exist"), "{err}");
    let err = declarative::merge(&schema![Profile, Misnamed], &[], Dialect::Postgres, Some(db.url()), &iopts)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("yields the columns (id, username), but its struct declares (id, name)"), "{err}");
    // Nothing was left behind on the server's database.
    let mut conn = db.connect().await;
    let (tables,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM pg_class WHERE relname IN ('profiles', 'public_profiles')")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(tables, 0);
    let url = db.url().to_string();
    let m = tokio::task::spawn_blocking(move || {
        panic_message(move || assert_schema_matches(url.as_str(), &schema![Profile, Broken]))
    })
    .await
    .unwrap();
    assert!(m.contains("nickname"), "{m}");
}

#[derive(SyncTable)]
#[sync(table = "notes")]
struct DeclaredNote {
    #[sync(primary_key)]
    id: i64,
    body: String,
    #[sync(default = "0")]
    edits: i64,
}

/// `schema![…; sql_dir = …, platform = …, sqlite_sql_dir = …]` embeds the files with their
/// dialects; the assertions merge them: a SQLite database built with the SQLite trigger
/// matches, one built from the structs alone does not, naming the trigger.
#[test]
fn schema_with_sql_files_carries_them_per_dialect_into_the_assertions() {
    use schema_sync::core::declarative::merge_sqlite;
    use schema_sync::core::introspect::IntrospectOptions;
    use schema_sync::{Dialect, Models};
    let models: Models = schema![
        DeclaredNote;
        sql_dir = "tests/derive/declared/postgres",
        platform = "tests/derive/declared/platform.sql",
        sqlite_sql_dir = "tests/derive/declared/sqlite",
    ];
    let origins = |d: Dialect| models.sql_for(d).into_iter().map(|f| f.origin).collect::<Vec<_>>();
    assert_eq!(origins(Dialect::Postgres), ["tests/derive/declared/postgres/10_functions.sql"]);
    assert_eq!(origins(Dialect::Sqlite), ["tests/derive/declared/sqlite/20_triggers.sql"]);
    let platform = models.platform.as_ref().expect("the platform file");
    assert!(platform.first && platform.text.contains("CREATE ROLE app_reader"), "{platform:?}");

    let local = merge_sqlite(&models.schema, &models.sql_for(Dialect::Sqlite), &IntrospectOptions::default()).unwrap();
    assert_eq!(local.triggers.len(), 1);
    let with = schema_sync::testing::TempSqlite::new();
    let mut conn = with.connect();
    schema_sync::migrate_blocking(&mut conn, &local, &Default::default()).unwrap();
    conn.execute_batch("INSERT INTO notes (id, body) VALUES (1, 'a'); UPDATE notes SET body = 'b';").unwrap();
    let edits: i64 = conn.query_row("SELECT edits FROM notes", [], |r| r.get(0)).unwrap();
    assert_eq!(edits, 1, "the embedded SQLite trigger fires");
    schema_sync::assert_schema_matches!(conn, models);

    let without = schema_sync::testing::TempSqlite::new();
    schema_sync::migrate_blocking(&mut without.connect(), &models.schema, &Default::default()).unwrap();
    let failed = std::panic::catch_unwind(|| schema_sync::testing::assert_schema_matches(&without, &models));
    let message = *failed.expect_err("the trigger is missing").downcast::<String>().unwrap();
    assert!(message.contains("trigger notes_stamp"), "{message}");
}
