//! `sync`: postgres-wins keeps SQLite's rows, merge adds to both sides, a real conflict stops.

use crate::{cli, lite_rows, pg_exec, pg_rows};
use schema_sync::testing::{TempPostgres, TempSqlite};

const LITE: &str = "
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, age INTEGER);
INSERT INTO users VALUES (1, 'ada@example.com', 36), (2, 'bob@example.com', NULL), (3, 'çé@example.com', 7);
";

#[tokio::test]
async fn postgres_wins_rebuilds_sqlite_and_keeps_every_row() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    let lite = TempSqlite::new();
    lite.connect().execute_batch(LITE).unwrap();
    pg_exec(
        pg.url(),
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, age integer, created_at timestamptz DEFAULT now());
         CREATE TABLE tags (id bigint PRIMARY KEY, label text NOT NULL UNIQUE);",
    )
    .await;
    let before = lite_rows(&lite.connect(), "SELECT id, email, age FROM users ORDER BY id");
    let dry = cli(&["sync", "--sqlite", &lite.url(), "--postgres", pg.url(), "--strategy", "postgres-wins"]).expect(1);
    assert!(dry.stdout.contains("CREATE TABLE \"tags\""), "{dry:?}");
    assert!(
        dry.stdout.contains(&format!("-- {}: no changes", schema_sync::core::url::redact_url(pg.url()))),
        "{dry:?}"
    );
    // Dry run changed nothing.
    assert!(lite_rows(&lite.connect(), "SELECT name FROM sqlite_schema WHERE name = 'tags'").is_empty());

    let done =
        cli(&["sync", "--sqlite", &lite.url(), "--postgres", pg.url(), "--strategy", "postgres-wins", "--apply"])
            .expect(0);
    assert!(done.stdout.contains("Synced (postgres-wins)"), "{done:?}");
    let conn = lite.connect();
    assert_eq!(lite_rows(&conn, "SELECT id, email, age FROM users ORDER BY id"), before);
    assert_eq!(lite_rows(&conn, "SELECT \"notnull\" FROM pragma_table_info('users') WHERE name = 'email'"), vec!["1"]);
    assert_eq!(lite_rows(&conn, "PRAGMA integrity_check"), vec!["ok"]);
    cli(&["audit", "--sqlite", &lite.url(), "--postgres", pg.url()]).expect(0);
    // Same checksum on both sides.
    let l = lite_rows(&conn, "SELECT checksum, description FROM schema_version ORDER BY version DESC LIMIT 1");
    let p = pg_rows(pg.url(), "SELECT checksum, description FROM schema_version ORDER BY version DESC LIMIT 1").await;
    assert_eq!(l, p);
    assert_eq!(l[0].split('|').nth(1), Some("sync postgres-wins"));
}

#[tokio::test]
async fn merge_adds_each_sides_tables_and_stops_on_a_real_conflict() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    let lite = TempSqlite::new();
    lite.connect()
        .execute_batch(&format!("{LITE} CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL); INSERT INTO notes VALUES (1, 'keep me');"))
        .unwrap();
    pg_exec(
        pg.url(),
        "CREATE TABLE users (id bigint PRIMARY KEY, email text, age integer, bio text);
         CREATE TABLE tags (id bigint PRIMARY KEY, label text NOT NULL);
         INSERT INTO users VALUES (10, 'pg@example.com', 1, 'hi');",
    )
    .await;
    let dry = cli(&["sync", "--sqlite", &lite.url(), "--postgres", pg.url(), "--strategy", "merge"]).expect(1);
    assert!(
        dry.stdout.contains("\"tags\"") && dry.stdout.contains("\"notes\"") && dry.stdout.contains("\"bio\""),
        "{dry:?}"
    );
    cli(&["sync", "--sqlite", &lite.url(), "--postgres", pg.url(), "--strategy", "merge", "--apply"]).expect(0);
    let conn = lite.connect();
    let tables = lite_rows(
        &conn,
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name <> 'schema_version' ORDER BY name",
    );
    assert_eq!(tables, vec!["notes", "tags", "users"]);
    assert_eq!(lite_rows(&conn, "SELECT count(*) FROM users"), vec!["3"]);
    assert_eq!(pg_rows(pg.url(), "SELECT to_regclass('public.notes')::text AS t").await, vec!["notes"]);
    assert_eq!(pg_rows(pg.url(), "SELECT email FROM users").await, vec!["pg@example.com"]);
    cli(&["audit", "--sqlite", &lite.url(), "--postgres", pg.url()]).expect(0);

    // A real conflict: the same column, incompatible types on the two sides.
    conn.execute_batch("ALTER TABLE notes ADD COLUMN rating TEXT").unwrap();
    pg_exec(pg.url(), "ALTER TABLE notes ADD COLUMN rating integer; ALTER TABLE tags ADD COLUMN color text").await;
    let stopped =
        cli(&["sync", "--sqlite", &lite.url(), "--postgres", pg.url(), "--strategy", "merge", "--apply"]).expect(1);
    assert!(stopped.stderr.contains("conflict: column `notes.rating`"), "{stopped:?}");
    assert!(stopped.stderr.contains("sync stopped: 1 conflict(s); nothing was changed"), "{stopped:?}");
    // Nothing changed on either side (tags.color did not reach SQLite).
    assert!(lite_rows(&conn, "SELECT name FROM pragma_table_info('tags') WHERE name = 'color'").is_empty());
    let json =
        cli(&["sync", "--sqlite", &lite.url(), "--postgres", pg.url(), "--strategy", "merge", "--format", "json"])
            .expect(1);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["blocked"], true);
    assert_eq!(v["conflicts"][0]["kind"], "type");
    assert_eq!(v["conflicts"][0]["column"], "rating");

    // Picking a side resolves it; SQLite's TEXT column becomes Postgres' integer, rows kept.
    conn.execute_batch("UPDATE notes SET rating = '5'").unwrap();
    cli(&[
        "sync",
        "--sqlite",
        &lite.url(),
        "--postgres",
        pg.url(),
        "--strategy",
        "merge",
        "--on-conflict",
        "postgres",
        "--apply",
    ])
    .expect(0);
    assert_eq!(lite_rows(&conn, "SELECT id, body, rating FROM notes"), vec!["1|keep me|5"]);
    assert_eq!(lite_rows(&conn, "SELECT name FROM pragma_table_info('tags') WHERE name = 'color'"), vec!["color"]);
    cli(&["audit", "--sqlite", &lite.url(), "--postgres", pg.url()]).expect(0);
}

/// A side that would fail stops the whole sync before either database changes: the SQLite side
/// of this merge needs a NOT NULL column without a default on a table with rows.
#[tokio::test]
async fn a_failing_side_stops_the_sync_before_anything_changes() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    let lite = TempSqlite::new();
    lite.connect()
        .execute_batch(
            "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO items (name) VALUES ('a'), ('b');
             CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);",
        )
        .unwrap();
    pg_exec(pg.url(), "CREATE TABLE items (id bigint PRIMARY KEY, name text, sku text NOT NULL);").await;
    let failed =
        cli(&["sync", "--sqlite", &lite.url(), "--postgres", pg.url(), "--strategy", "merge", "--apply"]).expect(2);
    assert!(failed.stderr.contains("SQLite side"), "{failed:?}");
    assert!(failed.stderr.contains("`items.sku` has 2"), "{failed:?}");
    // Postgres did not get SQLite's `notes` table, and no schema_version row was written anywhere.
    let tables =
        pg_rows(pg.url(), "SELECT count(*)::text FROM pg_tables WHERE tablename IN ('notes', 'schema_version')").await;
    assert_eq!(tables, vec!["0"]);
    assert!(lite_rows(&lite.connect(), "SELECT name FROM sqlite_schema WHERE name = 'schema_version'").is_empty());
}

/// A real SQLite database whose second write transaction fails to start — what a SQLite side
/// that breaks after the Postgres side committed looks like (disk full, a lock, a crash).
struct FailsSecondBegin<'c> {
    inner: schema_sync::core::apply::sqlite::SqliteDatabase<'c>,
    begins: usize,
}

impl schema_sync::core::apply::Database for FailsSecondBegin<'_> {
    fn dialect(&self) -> schema_sync::Dialect {
        self.inner.dialect()
    }
    fn scope_to(&mut self, target: &schema_sync::Schema) {
        self.inner.scope_to(target)
    }
    async fn capabilities(&mut self) -> schema_sync::Result<schema_sync::core::plan::Capabilities> {
        self.inner.capabilities().await
    }
    async fn read_schema(&mut self) -> schema_sync::Result<schema_sync::Schema> {
        self.inner.read_schema().await
    }
    async fn probe(&mut self, probe: &schema_sync::core::apply::preflight::Probe) -> schema_sync::Result<i64> {
        self.inner.probe(probe).await
    }
    async fn begin(&mut self, plan: &schema_sync::core::plan::Plan) -> schema_sync::Result<()> {
        self.begins += 1;
        if self.begins == 2 {
            return Err(schema_sync::Error::input("injected: the disk is full"));
        }
        self.inner.begin(plan).await
    }
    async fn limit(&mut self, limits: &schema_sync::core::apply::StepLimits) -> schema_sync::Result<()> {
        self.inner.limit(limits).await
    }
    async fn table_sizes(
        &mut self,
        tables: &[schema_sync::model::TableRef],
    ) -> schema_sync::Result<std::collections::HashMap<String, schema_sync::core::plan::TableSize>> {
        self.inner.table_sizes(tables).await
    }
    async fn blockers(
        &mut self,
        tables: &[schema_sync::model::TableRef],
    ) -> schema_sync::Result<Vec<schema_sync::core::apply::Blocker>> {
        self.inner.blockers(tables).await
    }
    async fn pause(&mut self, d: std::time::Duration) {
        self.inner.pause(d).await
    }
    async fn before_steps(&mut self, plan: &schema_sync::core::plan::Plan) -> schema_sync::Result<()> {
        self.inner.before_steps(plan).await
    }
    async fn run_step(&mut self, step: &schema_sync::core::plan::Step, sql: &[&str]) -> schema_sync::Result<u64> {
        self.inner.run_step(step, sql).await
    }
    async fn after_steps(&mut self) -> schema_sync::Result<()> {
        self.inner.after_steps().await
    }
    async fn record_version(&mut self, r: &schema_sync::core::apply::VersionRecord) -> schema_sync::Result<i64> {
        self.inner.record_version(r).await
    }
    async fn finish(&mut self, commit: bool) -> schema_sync::Result<()> {
        self.inner.finish(commit).await
    }
    async fn run_alone(&mut self, sql: &str, limits: &schema_sync::core::apply::StepLimits) -> schema_sync::Result<()> {
        self.inner.run_alone(sql, limits).await
    }
    async fn hold(&mut self, on: bool) -> schema_sync::Result<()> {
        self.inner.hold(on).await
    }
    async fn versions(&mut self) -> schema_sync::Result<Vec<schema_sync::core::apply::VersionRow>> {
        self.inner.versions().await
    }
}

impl<'c> schema_sync::core::apply::IntoDatabase for FailsSecondBegin<'c> {
    type Database = Self;
    fn into_database(self) -> Self {
        self
    }
}

#[tokio::test]
async fn a_sync_that_fails_on_sqlite_after_postgres_says_so_and_the_next_one_finishes() {
    use schema_sync::core::apply::sqlite::SqliteDatabase;
    use schema_sync::core::sync::{self, Strategy, SyncOptions};
    let pg: TempPostgres = schema_sync::require_postgres!();
    let lite = TempSqlite::new();
    lite.connect().execute_batch(LITE).unwrap();
    pg_exec(pg.url(), "CREATE TABLE tags (id bigint PRIMARY KEY, label text NOT NULL)").await;
    let opts =
        SyncOptions { strategy: Strategy::Merge, on_conflict: None, apply: true, apply_options: Default::default() };
    let mut conn = lite.connect();
    let mut pg_conn = pg.connect().await;
    let failing = FailsSecondBegin { inner: SqliteDatabase::new(&mut conn), begins: 0 };
    let err = sync::sync(failing, &mut pg_conn, &opts).await.expect_err("SQLite fails after Postgres");
    assert!(matches!(err, schema_sync::Error::HalfApplied { changed: "Postgres", failed: "SQLite", .. }), "{err}");
    assert!(err.to_string().contains("run the same sync again"), "{err}");
    // Postgres got SQLite's table; SQLite is untouched.
    assert_eq!(pg_rows(pg.url(), "SELECT count(*) FROM users").await, ["0"]);
    assert!(lite_rows(&conn, "SELECT name FROM sqlite_schema WHERE name = 'tags'").is_empty());
    // The next sync finishes the SQLite side, and both carry one checksum.
    let report = sync::sync(&mut conn, &mut pg_conn, &opts).await.expect("finishes");
    assert!(report.applied);
    assert_eq!(lite_rows(&conn, "SELECT count(*) FROM sqlite_schema WHERE name = 'tags'"), ["1"]);
    cli(&["audit", "--sqlite", &lite.url(), "--postgres", pg.url()]).expect(0);
}
