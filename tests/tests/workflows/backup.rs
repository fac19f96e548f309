//! `--backup`: back up, apply a destructive change, restore, and the data is what it was.

use crate::{cli, lite_rows, pg_exec, pg_rows, ScratchDir};
use schema_sync::core::backup::{self, Method, PgBackupOptions};
use schema_sync::core::introspect::{postgres as pgi, IntrospectOptions};
use schema_sync::testing::{TempPostgres, TempSqlite};

#[test]
fn sqlite_backup_restores_a_dropped_column() {
    let lite = TempSqlite::new();
    lite.connect()
        .execute_batch(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, legacy TEXT);
             INSERT INTO users VALUES (1, 'a@x', 'old 1'), (2, 'b@x', NULL), (3, 'c@x', 'ünï');",
        )
        .unwrap();
    let dir = ScratchDir::new("lite-backup");
    std::fs::write(dir.join("target.sql"), "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);")
        .unwrap();
    let before = lite_rows(&lite.connect(), "SELECT * FROM users ORDER BY id");
    let bak = dir.s("before.db");

    // Refused without --allow-destructive, and then no backup is written either.
    cli(&["apply", "--db", &lite.url(), "--to", &dir.s("target.sql"), "--backup", &bak]).expect(2);
    assert!(!dir.join("before.db").exists());
    let r = cli(&["apply", "--db", &lite.url(), "--to", &dir.s("target.sql"), "--backup", &bak, "--allow-destructive"])
        .expect(0);
    assert!(r.stdout.contains("Backed up") && r.stdout.contains("verified"), "{r:?}");
    assert!(lite_rows(&lite.connect(), "SELECT name FROM pragma_table_info('users') WHERE name = 'legacy'").is_empty());
    // Already in sync: nothing to back up, and nothing is written.
    let backup_bytes = std::fs::read(dir.join("before.db")).unwrap();
    cli(&["apply", "--db", &lite.url(), "--to", &dir.s("target.sql"), "--backup", &bak]).expect(0);
    // An existing backup file is never overwritten: a change that needs a backup is refused.
    std::fs::write(
        dir.join("target2.sql"),
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nick TEXT);",
    )
    .unwrap();
    let r = cli(&["apply", "--db", &lite.url(), "--to", &dir.s("target2.sql"), "--backup", &bak]).expect(2);
    assert!(r.stderr.contains("already exists"), "{r:?}");
    assert_eq!(std::fs::read(dir.join("before.db")).unwrap(), backup_bytes, "the old backup is untouched");
    assert!(lite_rows(&lite.connect(), "SELECT name FROM pragma_table_info('users') WHERE name = 'nick'").is_empty());

    let mut conn = lite.connect();
    backup::restore_sqlite(&mut conn, &dir.join("before.db")).unwrap();
    assert_eq!(lite_rows(&conn, "SELECT * FROM users ORDER BY id"), before);
    assert_eq!(lite_rows(&conn, "PRAGMA integrity_check"), vec!["ok"]);
}

async fn seed(url: &str) {
    pg_exec(
        url,
        "CREATE TYPE mood AS ENUM ('ok', 'meh');
         CREATE TABLE orgs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
         CREATE TABLE users (id serial PRIMARY KEY, org_id bigint REFERENCES orgs(id), email text NOT NULL,
                             legacy text, tags text[], m mood, raw bytea, meta jsonb);
         INSERT INTO orgs (name) VALUES ('acme'), ('it''s; odd');
         INSERT INTO users (org_id, email, legacy, tags, m, raw, meta) VALUES
           (1, 'a@x', 'old', '{a,\"b c\"}', 'ok', '\\x00ff', '{\"k\": [1, null]}'),
           (2, 'b@x', NULL, NULL, NULL, NULL, NULL);",
    )
    .await;
}

const USERS: &str = "SELECT id, org_id, email, legacy, tags, m, raw, meta FROM users ORDER BY id";

#[tokio::test]
async fn postgres_backup_restores_a_dropped_column_both_methods() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    seed(pg.url()).await;
    let dir = ScratchDir::new("pg-backup");
    let before_users = pg_rows(pg.url(), USERS).await;
    let before_orgs = pg_rows(pg.url(), "SELECT * FROM orgs ORDER BY id").await;

    // The target: the live schema without users.legacy, as a snapshot.
    let mut conn = pgi::connect(pg.url()).await.unwrap();
    let mut target = pgi::introspect(&mut conn, &IntrospectOptions::default()).await.unwrap();
    target.tables.iter_mut().find(|t| t.name == "users").unwrap().columns.retain(|c| c.name != "legacy");
    schema_sync::core::snapshot::write(&dir.join("target.json"), &target).unwrap();

    // CLI: pg_dump when present, else our dump; either way verified and restorable.
    let r = cli(&[
        "apply",
        "--db",
        pg.url(),
        "--to",
        &dir.s("target.json"),
        "--allow-destructive",
        "--backup",
        &dir.s("cli.sql"),
    ])
    .expect(0);
    assert!(r.stdout.contains("Backed up"), "{r:?}");
    assert!(pg_rows(pg.url(), "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'legacy'").await.is_empty());
    backup::restore_postgres(&mut conn, &dir.join("cli.sql")).await.unwrap();
    assert_eq!(pg_rows(pg.url(), USERS).await, before_users);
    assert_eq!(pg_rows(pg.url(), "SELECT * FROM orgs ORDER BY id").await, before_orgs);

    // Our own dump, forced: same round trip, and sequences continue after the restored keys.
    let o = PgBackupOptions { use_pg_dump: false, tables: None, ..Default::default() };
    let b = backup::postgres(&mut conn, pg.url(), &dir.join("own.sql"), &o).await.unwrap();
    assert_eq!(b.method, Method::SchemaSyncDump);
    assert_eq!(b.tables, 2);
    cli(&["apply", "--db", pg.url(), "--to", &dir.s("target.json"), "--allow-destructive"]).expect(0);
    backup::restore_postgres(&mut conn, &dir.join("own.sql")).await.unwrap();
    assert_eq!(pg_rows(pg.url(), USERS).await, before_users);
    assert_eq!(pg_rows(pg.url(), "SELECT * FROM orgs ORDER BY id").await, before_orgs);
    pg_exec(pg.url(), "INSERT INTO orgs (name) VALUES ('next'); INSERT INTO users (email) VALUES ('c@x')").await;
    assert_eq!(pg_rows(pg.url(), "SELECT max(id) FROM orgs").await, vec!["3"]);
    assert_eq!(pg_rows(pg.url(), "SELECT max(id) FROM users").await, vec!["3"]);
    // The file says where it came from, with the URL's password hidden, and is complete.
    let text = std::fs::read_to_string(dir.join("own.sql")).unwrap();
    assert!(text.trim_end().ends_with(backup::DUMP_FOOTER));
    let shown = schema_sync::core::url::redact_url(pg.url());
    assert!(text.starts_with(&format!("-- schema-sync backup of {shown}")), "{}", &text[..200.min(text.len())]);
    if let Some(pw) = pg
        .url()
        .split_once("://")
        .and_then(|(_, r)| r.rsplit_once('@'))
        .and_then(|(u, _)| u.split_once(':'))
        .map(|(_, p)| p)
    {
        assert!(!text.contains(&format!(":{pw}@")), "the password is in the backup");
    }
    // Never overwrites.
    assert!(backup::postgres(&mut conn, pg.url(), &dir.join("own.sql"), &o).await.is_err());
}

#[tokio::test]
async fn migrate_and_sync_take_backups_first() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    seed(pg.url()).await;
    let dir = ScratchDir::new("wf-backup");
    std::fs::create_dir_all(dir.join("m")).unwrap();
    std::fs::write(dir.join("m/20240101000000_drop_legacy.sql"), "ALTER TABLE users DROP COLUMN legacy;").unwrap();
    let r = cli(&["migrate", "--db", pg.url(), "--dir", &dir.s("m"), "--backup", &dir.s("m.sql")]).expect(0);
    assert!(r.stdout.contains("Backed up 2 table(s)"), "{r:?}");
    assert!(std::fs::read_to_string(dir.join("m.sql")).unwrap().contains("old"));

    let lite = TempSqlite::new();
    lite.connect()
        .execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, 'x');")
        .unwrap();
    cli(&[
        "sync",
        "--sqlite",
        &lite.url(),
        "--postgres",
        pg.url(),
        "--strategy",
        "merge",
        "--apply",
        "--backup",
        &dir.s("sync"),
    ])
    .expect(0);
    assert!(dir.join("sync/sqlite.db").exists() && dir.join("sync/postgres.sql").exists());
    let copy = rusqlite::Connection::open(dir.join("sync/sqlite.db")).unwrap();
    assert_eq!(lite_rows(&copy, "SELECT body FROM notes"), vec!["x"]);
}
