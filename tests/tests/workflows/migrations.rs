//! `migration new` → `migrate` → `audit`, the Supabase ledger, concurrent runs, bad input.

use crate::{cli, pg_exec, pg_rows, write_models, ScratchDir};
use schema_sync::testing::{TempPostgres, TempSqlite};

fn sql_files(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn models_to_migration_to_migrate_to_audit_then_drift_and_sqlite_wins() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    let lite = TempSqlite::new();
    drop(lite.connect());
    let dir = ScratchDir::new("flow");
    let models = dir.s("models.json");
    write_models(&dir.join("models.json"));
    let migrations = dir.s("supabase/migrations");

    cli(&["apply", "--db", &lite.url(), "--to", &models]).expect(0);
    let made =
        cli(&["migration", "new", "Create users and posts", "--from", pg.url(), "--to", &models, "--dir", &migrations])
            .expect(0);
    let files = sql_files(&dir.join("supabase/migrations"));
    assert_eq!(files.len(), 1, "{made:?}");
    let f = &files[0];
    assert_eq!(f.len(), "20240101000000_create_users_and_posts.sql".len(), "{f}");
    assert!(f[..14].bytes().all(|b| b.is_ascii_digit()) && f.ends_with("_create_users_and_posts.sql"), "{f}");
    let text = std::fs::read_to_string(dir.join("supabase/migrations").join(f)).unwrap();
    assert!(text.starts_with("-- Migration: Create users and posts\n"), "{text}");
    assert!(text.contains("--   + table public.users") || text.contains("--   + table users"), "{text}");
    assert!(text.contains("CREATE TABLE \"public\".\"users\""), "{text}");

    // Nothing left to migrate to: refuses to write an empty migration… once Postgres is there.
    cli(&["migrate", "--db", pg.url(), "--dir", &migrations, "--dry-run"]).expect(0);
    assert!(pg_rows(pg.url(), "SELECT to_regclass('public.users')::text AS t").await == vec!["NULL"]);
    let applied = cli(&["migrate", "--db", pg.url(), "--dir", &migrations]).expect(0);
    assert!(applied.stdout.contains("Applied"), "{applied:?}");
    let again = cli(&["migrate", "--db", pg.url(), "--dir", &migrations]).expect(0);
    assert!(again.stdout.contains("up to date"), "{again:?}");
    let empty = cli(&["migration", "new", "noop", "--from", pg.url(), "--to", &models, "--dir", &migrations]).expect(1);
    assert!(empty.stderr.contains("no changes"), "{empty:?}");
    assert_eq!(sql_files(&dir.join("supabase/migrations")).len(), 1);

    let clean = cli(&[
        "audit",
        "--sqlite",
        &lite.url(),
        "--postgres",
        pg.url(),
        "--migrations",
        &migrations,
        "--models",
        &models,
    ])
    .expect(0);
    assert!(clean.stdout.contains("clean"), "{clean:?}");
    let json = cli(&[
        "audit",
        "--sqlite",
        &lite.url(),
        "--postgres",
        pg.url(),
        "--migrations",
        &migrations,
        "--format",
        "json",
    ])
    .expect(0);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["clean"], true);
    assert_eq!(v["versions"]["mismatch"], false);
    assert_eq!(v["versions"]["sqlite"]["checksum"], v["versions"]["postgres"]["checksum"]);

    // The SQLite side moves on: audit names the column and exits 1.
    lite.connect().execute_batch("ALTER TABLE users ADD COLUMN nickname TEXT").unwrap();
    let drift = cli(&["audit", "--sqlite", &lite.url(), "--postgres", pg.url(), "--migrations", &migrations]).expect(1);
    assert!(drift.stdout.contains("nickname") && drift.stdout.contains("DRIFT"), "{drift:?}");

    // sqlite-wins: the dry run prints the Postgres plan and exits 1; --apply fixes it.
    let dry = cli(&["sync", "--sqlite", &lite.url(), "--postgres", pg.url(), "--strategy", "sqlite-wins"]).expect(1);
    assert!(dry.stdout.contains("ADD COLUMN \"nickname\""), "{dry:?}");
    cli(&["sync", "--sqlite", &lite.url(), "--postgres", pg.url(), "--strategy", "sqlite-wins", "--apply"]).expect(0);
    cli(&["audit", "--sqlite", &lite.url(), "--postgres", pg.url(), "--migrations", &migrations]).expect(0);
    cli(&["sync", "--sqlite", &lite.url(), "--postgres", pg.url(), "--strategy", "sqlite-wins"]).expect(0);
}

#[tokio::test]
async fn ledger_rows_match_the_supabase_cli_and_edits_are_reported() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    let dir = ScratchDir::new("ledger");
    std::fs::write(
        dir.join("20240101000000_init.sql"),
        "-- header; with a semicolon\nCREATE TABLE t (id int PRIMARY KEY, note text DEFAULT 'a;b');\n\n\
         CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n/* block; */ INSERT INTO t VALUES (1, 'it''s; fine');\n",
    )
    .unwrap();
    std::fs::write(dir.join("20240102000000_add_tags.sql"), "CREATE TABLE tags (name text);").unwrap();
    std::fs::write(dir.join("README.md"), "not a migration").unwrap();
    cli(&["migrate", "--db", pg.url(), "--dir", &dir.s("")]).expect(0);

    let cols = pg_rows(
        pg.url(),
        "SELECT column_name, data_type, udt_name, is_nullable FROM information_schema.columns \
         WHERE table_schema = 'supabase_migrations' AND table_name = 'schema_migrations' ORDER BY ordinal_position",
    )
    .await;
    assert_eq!(cols, vec!["version|text|text|NO", "statements|ARRAY|_text|YES", "name|text|text|YES"]);
    let pk = pg_rows(pg.url(), "SELECT a.attname::text AS c FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'supabase_migrations.schema_migrations'::regclass AND i.indisprimary").await;
    assert_eq!(pk, vec!["version"]);
    let rows = pg_rows(pg.url(), "SELECT version, name, array_length(statements, 1) AS n FROM supabase_migrations.schema_migrations ORDER BY version").await;
    assert_eq!(rows, vec!["20240101000000|init|3", "20240102000000|add_tags|1"]);
    let stmts = pg_rows(
        pg.url(),
        "SELECT unnest(statements) AS s FROM supabase_migrations.schema_migrations WHERE version = '20240101000000'",
    )
    .await;
    assert_eq!(
        stmts,
        vec![
            "CREATE TABLE t (id int PRIMARY KEY, note text DEFAULT 'a;b')",
            "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
            "INSERT INTO t VALUES (1, 'it''s; fine')",
        ]
    );
    assert_eq!(pg_rows(pg.url(), "SELECT note FROM t").await, vec!["it's; fine"]);
    // Each file wrote a schema_version row in its transaction.
    let versions = pg_rows(pg.url(), "SELECT version, description FROM schema_version ORDER BY version").await;
    assert_eq!(
        versions,
        vec!["1|supabase migration 20240101000000_init", "2|supabase migration 20240102000000_add_tags"]
    );

    // Editing an applied file is reported by migrate and audit; the file is not re-run.
    std::fs::write(dir.join("20240102000000_add_tags.sql"), "CREATE TABLE tags (name text, color text);").unwrap();
    let edited = cli(&["migrate", "--db", pg.url(), "--dir", &dir.s("")]).expect(1);
    assert!(edited.stderr.contains("20240102000000 was edited"), "{edited:?}");
    let lite = TempSqlite::new();
    drop(lite.connect());
    let audit = cli(&[
        "audit",
        "--sqlite",
        &lite.url(),
        "--postgres",
        pg.url(),
        "--migrations",
        &dir.s(""),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&audit.stdout).unwrap();
    assert_eq!(audit.code, 1);
    assert_eq!(v["migrations"]["edited"], serde_json::json!(["20240102000000"]));
    // A recorded version without a file is "unknown".
    std::fs::remove_file(dir.join("20240101000000_init.sql")).unwrap();
    let unknown = cli(&["migrate", "--db", pg.url(), "--dir", &dir.s(""), "--dry-run"]).expect(1);
    assert!(unknown.stderr.contains("20240101000000 is recorded in the database but has no file"), "{unknown:?}");
}

#[tokio::test]
async fn two_concurrent_migrate_runs_apply_each_file_once() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    let dir = ScratchDir::new("concurrent");
    std::fs::write(
        dir.join("20240101000000_one.sql"),
        "CREATE TABLE hits (n int); SELECT pg_sleep(0.4); INSERT INTO hits VALUES (1);",
    )
    .unwrap();
    std::fs::write(
        dir.join("20240101000001_two.sql"),
        "CREATE TABLE two (n int); SELECT pg_sleep(0.2); INSERT INTO hits VALUES (2);",
    )
    .unwrap();
    std::fs::write(dir.join("20240101000002_three.sql"), "CREATE TABLE three (n int); INSERT INTO hits VALUES (3);")
        .unwrap();
    let d = dir.s("");
    let url = pg.url().to_string();
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let (d, url) = (d.clone(), url.clone());
            std::thread::spawn(move || cli(&["migrate", "--db", &url, "--dir", &d]))
        })
        .collect();
    let outs: Vec<_> = runs.into_iter().map(|h| h.join().unwrap()).collect();
    for o in &outs {
        assert_eq!(o.code, 0, "{o:?}");
    }
    let applied: usize = outs.iter().map(|o| o.stdout.matches("Applied ").count()).sum();
    assert_eq!(applied, 3, "{outs:?}");
    assert_eq!(pg_rows(&url, "SELECT n FROM hits ORDER BY n").await, vec!["1", "2", "3"]);
    assert_eq!(pg_rows(&url, "SELECT count(*) FROM supabase_migrations.schema_migrations").await, vec!["3"]);
}

#[tokio::test]
async fn bad_input_is_reported_and_changes_nothing() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    let dir = ScratchDir::new("bad");
    let missing = cli(&["migrate", "--db", pg.url(), "--dir", &dir.s("nope")]).expect(2);
    assert!(missing.stderr.contains("does not exist") && missing.stderr.contains("nope"), "{missing:?}");

    std::fs::write(dir.join("20240101000000_ok.sql"), "CREATE TABLE ok (id int);").unwrap();
    std::fs::write(dir.join("add_users.sql"), "CREATE TABLE users (id int);").unwrap();
    let malformed = cli(&["migrate", "--db", pg.url(), "--dir", &dir.s("")]).expect(2);
    assert!(malformed.stderr.contains("malformed migration file name `add_users.sql`"), "{malformed:?}");
    assert_eq!(
        pg_rows(pg.url(), "SELECT to_regclass('supabase_migrations.schema_migrations')::text AS t").await,
        vec!["NULL"]
    );
    std::fs::remove_file(dir.join("add_users.sql")).unwrap();

    std::fs::write(
        dir.join("20240101000001_halfway.sql"),
        "CREATE TABLE half (id int);\nINSERT INTO half VALUES (1);\nINSERT INTO no_such_table VALUES (1);\nCREATE TABLE never (id int);",
    )
    .unwrap();
    let failed = cli(&["migrate", "--db", pg.url(), "--dir", &dir.s("")]).expect(2);
    assert!(
        failed.stderr.contains("20240101000001_halfway.sql") && failed.stderr.contains("statement 3 of 4"),
        "{failed:?}"
    );
    assert!(failed.stderr.contains("no_such_table"), "{failed:?}");
    assert_eq!(
        pg_rows(pg.url(), "SELECT version FROM supabase_migrations.schema_migrations").await,
        vec!["20240101000000"]
    );
    assert_eq!(pg_rows(pg.url(), "SELECT to_regclass('public.half')::text AS t").await, vec!["NULL"]);
    assert_eq!(pg_rows(pg.url(), "SELECT count(*) FROM schema_version").await, vec!["1"]);

    // A wrong password: exit 2, and the password is never printed. On a server that trusts
    // every local role (an external SCHEMA_SYNC_TEST_PG_URL) the login succeeds instead; the
    // redaction is still checked on what it prints.
    let group = pg.password_auth_group();
    let role = format!("ss_wf_pw_{}", std::process::id());
    let group_sql = match group {
        Some(g) => format!(
            "DO $$ BEGIN CREATE ROLE {g} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$; \
             DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN PASSWORD 'right-Pa55' IN ROLE {g}"
        ),
        None => format!("DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN PASSWORD 'right-Pa55'"),
    };
    pg_exec(pg.url(), &group_sql).await;
    let lite = TempSqlite::new();
    drop(lite.connect());
    let lite_url = lite.url();
    let at = pg.url().find('@').unwrap();
    let bad_url = format!("postgres://{role}:Wr0ngSecretXYZ{}", &pg.url()[at..]);
    for args in [
        vec!["migrate", "--db", bad_url.as_str(), "--dir", &dir.s("")],
        vec!["audit", "--sqlite", lite_url.as_str(), "--postgres", bad_url.as_str()],
    ] {
        let r = cli(&args);
        assert!(!r.stderr.contains("Wr0ngSecretXYZ") && !r.stdout.contains("Wr0ngSecretXYZ"), "{r:?}");
        if group.is_some() {
            let r = r.expect(2);
            assert!(r.stderr.starts_with("error: "), "{r:?}");
        }
    }
    if group.is_some() {
        let r = cli(&["migrate", "--db", &bad_url, "--dir", &dir.s("")]);
        assert!(r.stderr.contains("***") && r.stderr.contains("password authentication failed"), "{r:?}");
    }
    pg_exec(pg.url(), &format!("DROP ROLE {role}")).await;
    let no_dir =
        cli(&["migration", "new", "x", "--from", pg.url(), "--to", "nope.json", "--dir", &dir.s("m")]).expect(2);
    assert!(no_dir.stderr.contains("nope.json"), "{no_dir:?}");
}

#[test]
fn migrations_made_within_one_second_get_increasing_versions() {
    let dir = ScratchDir::new("versions");
    schema_sync::core::snapshot::write(&dir.join("empty.json"), &schema_sync::Schema::default()).unwrap();
    write_models(&dir.join("models.json"));
    let m = dir.s("m");
    for name in ["first", "second", "third"] {
        cli(&["migration", "new", name, "--from", &dir.s("empty.json"), "--to", &dir.s("models.json"), "--dir", &m])
            .expect(0);
    }
    let files = sql_files(&dir.join("m"));
    assert_eq!(files.len(), 3, "{files:?}");
    let versions: Vec<&str> = files.iter().map(|f| &f[..14]).collect();
    assert!(versions[0] < versions[1] && versions[1] < versions[2], "{versions:?}");
    assert!(files[0].ends_with("_first.sql") && files[2].ends_with("_third.sql"), "{files:?}");
    // The same models to the same models: nothing to write, exit 1.
    let none =
        cli(&["migration", "new", "x", "--from", &dir.s("models.json"), "--to", &dir.s("models.json"), "--dir", &m]);
    assert_eq!(none.code, 1, "{none:?}");
    assert!(none.stderr.contains("no changes"), "{none:?}");
    assert_eq!(sql_files(&dir.join("m")).len(), 3);
}
