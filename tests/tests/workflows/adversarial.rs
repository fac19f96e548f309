//! Regression tests for the defects a careful user found by abusing the tool for an hour
//! (issue "Nothing lost, nothing leaked"). Each test reproduces the defect as it was reported
//! and asserts the fixed behaviour; each failed before its fix.

use super::{cli, lite_rows, pg_exec, pg_rows, ScratchDir};
use schema_sync::testing::TempSqlite;

/// D2: a `.sql` source is loaded into a sealed scratch database — it cannot attach, change or
/// create any other file.
#[test]
fn a_sql_source_cannot_touch_other_files() {
    let dir = ScratchDir::new("evil-sql");
    let victim = TempSqlite::new();
    victim.connect().execute_batch("CREATE TABLE keep (x); INSERT INTO keep VALUES (1), (2);").unwrap();
    let attach = dir.join("attach.sql");
    std::fs::write(
        &attach,
        format!(
            "ATTACH DATABASE '{}' AS v; DROP TABLE v.keep; CREATE TABLE t (id INTEGER PRIMARY KEY);",
            victim.path().display()
        ),
    )
    .unwrap();
    let vacuum = dir.join("vacuum.sql");
    let created = dir.join("copy.db");
    std::fs::write(&vacuum, format!("CREATE TABLE t (id INTEGER PRIMARY KEY); VACUUM INTO '{}';", created.display()))
        .unwrap();
    for file in [&attach, &vacuum] {
        let r = cli(&["inspect", &file.display().to_string()]).expect(2);
        assert!(r.stderr.contains("invalid DDL"), "{r:?}");
        let r = cli(&["diff", "--from", &file.display().to_string(), "--to", &victim.url()]).expect(2);
        assert!(r.stderr.starts_with("error: "), "{r:?}");
    }
    assert_eq!(lite_rows(&victim.connect(), "SELECT x FROM keep ORDER BY x"), ["1", "2"], "the other file is intact");
    assert!(!created.exists(), "VACUUM INTO created no file");
}

/// D3: passwords that are not percent-encoded never leak, and unrelated words are not starred.
#[test]
fn unencoded_passwords_are_redacted_by_structure() {
    for (url, secret) in [
        ("postgresql://u:Xq7/zKp9@127.0.0.1:1/db", "Xq7/zKp9"),
        ("postgres://u:p@ss:w/rd@127.0.0.1:1/db", "ss:w/rd"),
        ("postgres://u:p@ss:w/rd@host:notaport/db", "ss:w/rd"),
    ] {
        let r = cli(&["inspect", url]).expect(2);
        assert!(!r.stderr.contains(secret) && !r.stdout.contains(secret), "{url}: {r:?}");
        assert!(r.stderr.contains("u:***@"), "{url}: {r:?}");
        assert!(!r.stderr.contains("***ort"), "a word was starred: {r:?}");
    }
}

/// D4: ignored tables are ignored by the live re-check and the verification too.
#[test]
fn ignore_table_does_not_break_apply() {
    let dir = ScratchDir::new("ignore");
    let db = TempSqlite::new();
    db.connect()
        .execute_batch(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); CREATE TABLE _litestream_seq (id INTEGER PRIMARY KEY, seq INTEGER);
             INSERT INTO _litestream_seq VALUES (1, 42);",
        )
        .unwrap();
    let target = dir.join("target.sql");
    std::fs::write(&target, "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT);").unwrap();
    let r =
        cli(&["apply", "--db", &db.url(), "--to", &target.display().to_string(), "--ignore-table", "_litestream_*"])
            .expect(0);
    assert!(r.stdout.contains("Applied"), "{r:?}");
    assert_eq!(lite_rows(&db.connect(), "SELECT seq FROM _litestream_seq"), ["42"], "the ignored table is untouched");
    cli(&["diff", "--from", &db.url(), "--to", &target.display().to_string(), "--ignore-table", "_litestream_*"])
        .expect(0);
}

#[tokio::test]
async fn ignore_table_does_not_break_apply_on_postgres() {
    let pg = schema_sync::require_postgres!();
    let dir = ScratchDir::new("ignore-pg");
    pg_exec(pg.url(), "CREATE TABLE users (id bigint PRIMARY KEY); CREATE TABLE audit_log (id bigint PRIMARY KEY); INSERT INTO audit_log VALUES (7);")
        .await;
    let target = dir.join("target.json");
    let mut t = schema_sync::model::Table::new("users");
    t.columns.push(schema_sync::model::Column::new("id", schema_sync::SqlType::BigInt).not_null());
    t.columns.push(schema_sync::model::Column::new("name", schema_sync::SqlType::Text));
    t.primary_key = Some(schema_sync::model::PrimaryKey::on(["id"]));
    schema_sync::core::snapshot::write(&target, &schema_sync::Schema { tables: vec![t], ..Default::default() })
        .unwrap();
    cli(&["apply", "--db", pg.url(), "--to", &target.display().to_string(), "--ignore-table", "audit_*"]).expect(0);
    assert_eq!(pg_rows(pg.url(), "SELECT id FROM audit_log").await, ["7"]);
}

/// D5: with `--schema app`, new tables (and their foreign keys) go to `app`; `migration new`
/// does not drop `app`'s own tables; a schema that does not exist is an error.
#[tokio::test]
async fn non_public_schemas_are_the_home_of_new_objects() {
    let pg = schema_sync::require_postgres!();
    let dir = ScratchDir::new("schemas");
    pg_exec(
        pg.url(),
        "CREATE SCHEMA app; CREATE TABLE app.widgets (id bigint PRIMARY KEY); INSERT INTO app.widgets VALUES (1);",
    )
    .await;
    let target = dir.join("target.json");
    let mut widgets = schema_sync::model::Table::new("widgets");
    widgets.columns.push(schema_sync::model::Column::new("id", schema_sync::SqlType::BigInt).not_null());
    widgets.primary_key = Some(schema_sync::model::PrimaryKey::on(["id"]));
    let mut gadgets = schema_sync::model::Table::new("gadgets");
    gadgets.columns.push(schema_sync::model::Column::new("id", schema_sync::SqlType::BigInt).not_null());
    gadgets.columns.push(schema_sync::model::Column::new("widget_id", schema_sync::SqlType::BigInt));
    gadgets.primary_key = Some(schema_sync::model::PrimaryKey::on(["id"]));
    gadgets.foreign_keys.push(schema_sync::model::ForeignKey {
        name: None,
        columns: vec!["widget_id".into()],
        ref_schema: None,
        ref_table: "widgets".into(),
        ref_columns: vec!["id".into()],
        on_delete: Default::default(),
        on_update: Default::default(),
        deferrable: Default::default(),
        match_full: false,
        not_valid: false,
    });
    let models = schema_sync::Schema { tables: vec![widgets, gadgets], ..Default::default() };
    schema_sync::core::snapshot::write(&target, &models).unwrap();
    let to = target.display().to_string();
    // The migration file creates gadgets in app, referencing app.widgets, and drops nothing.
    let m = dir.s("m");
    cli(&["migration", "new", "gadgets", "--from", pg.url(), "--to", &to, "--schema", "app", "--dir", &m]).expect(0);
    let file = std::fs::read_dir(dir.join("m")).unwrap().next().unwrap().unwrap().path();
    let sql = std::fs::read_to_string(file).unwrap();
    assert!(sql.contains(r#"CREATE TABLE "app"."gadgets""#) && sql.contains(r#"REFERENCES "app"."widgets""#), "{sql}");
    assert!(!sql.contains("DROP TABLE") && !sql.contains(r#""public""#), "{sql}");
    // apply does the same.
    cli(&["apply", "--db", pg.url(), "--to", &to, "--schema", "app"]).expect(0);
    assert_eq!(pg_rows(pg.url(), "SELECT count(*) FROM app.gadgets").await, ["0"]);
    assert_eq!(pg_rows(pg.url(), "SELECT id FROM app.widgets").await, ["1"]);
    cli(&["diff", "--from", pg.url(), "--to", &to, "--schema", "app"]).expect(0);
    // A schema that does not exist is an error, not an empty schema.
    for args in [
        vec!["inspect", pg.url(), "--schema", "nope"],
        vec!["diff", "--from", pg.url(), "--to", &to, "--schema", "nope"],
    ] {
        let r = cli(&args).expect(2);
        assert!(r.stderr.contains("schema `nope` does not exist"), "{r:?}");
    }
}

/// D6: a migration file with its own transaction control never ends half-applied.
#[tokio::test]
async fn transaction_control_in_migration_files() {
    let pg = schema_sync::require_postgres!();
    let dir = ScratchDir::new("txn-files");
    let m = dir.join("m");
    std::fs::create_dir_all(&m).unwrap();
    // The usual BEGIN … COMMIT around a whole file is accepted (the transaction is ours).
    std::fs::write(m.join("20240101000000_wrapped.sql"), "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n").unwrap();
    cli(&["migrate", "--db", pg.url(), "--dir", &dir.s("m")]).expect(0);
    assert_eq!(pg_rows(pg.url(), "SELECT count(*) FROM a").await, ["0"]);
    // A COMMIT in the middle would leave the file half-applied: refused before anything runs.
    std::fs::write(
        m.join("20240102000000_split.sql"),
        "CREATE TABLE b (id int);\nCOMMIT;\nCREATE TABLE c (id int REFERENCES nope (id));\n",
    )
    .unwrap();
    let r = cli(&["migrate", "--db", pg.url(), "--dir", &dir.s("m")]).expect(2);
    assert!(r.stderr.contains("controls the transaction"), "{r:?}");
    assert_eq!(pg_rows(pg.url(), "SELECT count(*) FROM pg_class WHERE relname = 'b'").await, ["0"]);
    assert_eq!(pg_rows(pg.url(), "SELECT count(*) FROM supabase_migrations.schema_migrations").await, ["1"]);
}

/// D7: when a later file fails, the earlier ones are reported as applied in every format; a
/// file dated before the last applied one is refused without `--include-all`.
#[tokio::test]
async fn migrate_reports_what_was_applied_before_a_failure() {
    let pg = schema_sync::require_postgres!();
    let dir = ScratchDir::new("partial");
    let m = dir.join("m");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(m.join("20240101000000_one.sql"), "CREATE TABLE one (id int);").unwrap();
    std::fs::write(m.join("20240102000000_two.sql"), "CREATE TABLE two (id int);").unwrap();
    std::fs::write(m.join("20240103000000_bad.sql"), "CREATE TABLE three (id int REFERENCES nope (id));").unwrap();
    let r = cli(&["migrate", "--db", pg.url(), "--dir", &dir.s("m")]).expect(2);
    assert!(
        r.stdout.contains("Applied 20240101000000_one.sql") && r.stdout.contains("Applied 20240102000000_two.sql"),
        "{r:?}"
    );
    assert!(
        r.stderr.contains("20240103000000_bad.sql failed and was rolled back (2 earlier migration(s) applied"),
        "{r:?}"
    );
    std::fs::write(m.join("20240103000000_bad.sql"), "CREATE TABLE three (id int REFERENCES nope2 (id));").unwrap();
    let r = cli(&["migrate", "--db", pg.url(), "--dir", &dir.s("m"), "--format", "json"]).expect(2);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON on stdout even when a file fails");
    assert_eq!(doc["applied"], serde_json::json!([]));
    assert_eq!(doc["failed"], "20240103000000_bad.sql");
    std::fs::remove_file(m.join("20240103000000_bad.sql")).unwrap();
    // A file dated before the newest applied one: refused, then applied with --include-all.
    std::fs::write(m.join("20231231000000_late.sql"), "CREATE TABLE late (id int);").unwrap();
    let r = cli(&["migrate", "--db", pg.url(), "--dir", &dir.s("m")]).expect(2);
    assert!(r.stderr.contains("20231231000000") && r.stderr.contains("--include-all"), "{r:?}");
    assert_eq!(pg_rows(pg.url(), "SELECT count(*) FROM pg_class WHERE relname = 'late'").await, ["0"]);
    cli(&["migrate", "--db", pg.url(), "--dir", &dir.s("m"), "--include-all"]).expect(0);
    assert_eq!(pg_rows(pg.url(), "SELECT count(*) FROM late").await, ["0"]);
}

/// D9: a closed pipe ends the run quietly.
#[test]
fn broken_pipe_exits_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let dir = ScratchDir::new("pipe");
    let big = dir.join("big.json");
    let mut s = schema_sync::Schema::default();
    for i in 0..3000 {
        let mut t = schema_sync::model::Table::new(format!("table_{i}"));
        t.columns.push(schema_sync::model::Column::new("id", schema_sync::SqlType::BigInt));
        s.tables.push(t);
    }
    schema_sync::core::snapshot::write(&big, &s).unwrap();
    let mut child = Command::new(schema_sync_tests::schema_sync_bin())
        .args(["inspect", &big.display().to_string(), "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(child.stdout.take()); // what `| head -c 16` does
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(141), "{stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("failed printing"), "{stderr}");
}

/// D10: a damaged SQLite file is never changed.
#[test]
fn a_corrupt_sqlite_file_is_refused() {
    let dir = ScratchDir::new("corrupt");
    let path = dir.join("app.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("PRAGMA page_size = 1024; CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT); CREATE INDEX t_body ON t (body);")
            .unwrap();
        for i in 0..400 {
            c.execute("INSERT INTO t (body) VALUES (?1)", [format!("row {i} {}", "x".repeat(100))]).unwrap();
        }
    }
    // Flip bytes in the middle of the index's pages: the table still reads, the file is damaged.
    let mut bytes = std::fs::read(&path).unwrap();
    let page = bytes.len() / 1024 - 2;
    for b in &mut bytes[page * 1024 + 100..page * 1024 + 140] {
        *b ^= 0x5a;
    }
    std::fs::write(&path, &bytes).unwrap();
    let before = std::fs::read(&path).unwrap();
    let target = dir.join("target.sql");
    std::fs::write(
        &target,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT, extra TEXT); CREATE INDEX t_body ON t (body);",
    )
    .unwrap();
    let r = cli(&["apply", "--db", &path.display().to_string(), "--to", &target.display().to_string()]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("is damaged (PRAGMA quick_check"), "{r:?}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "the file was not changed");
}

/// D11: scratch databases from `--dev-url` are dropped on SIGTERM, and stale ones are swept.
#[tokio::test]
async fn scratch_databases_do_not_outlive_their_run() {
    let pg = schema_sync::require_postgres!();
    let dir = ScratchDir::new("scratch");
    let scratch = |url: String| async move {
        pg_rows(&url, "SELECT datname FROM pg_database WHERE datname LIKE 'ss\\_scratch\\_%' ORDER BY 1").await
    };
    // A stale one left by a killed run (marked, created long ago, nobody connected) is swept.
    let stale = format!("ss_scratch_1_{}", std::process::id());
    pg_exec(pg.url(), &format!("CREATE DATABASE {stale}")).await;
    pg_exec(pg.url(), &format!("COMMENT ON DATABASE {stale} IS '{}1000'", schema_sync::core::scratch::MARKER)).await;
    let ddl = dir.join("schema.sql");
    std::fs::write(&ddl, "CREATE TABLE t (id int);").unwrap();
    cli(&["inspect", &ddl.display().to_string(), "--dev-url", pg.url()]).expect(0);
    assert!(!scratch(pg.url().to_string()).await.contains(&stale), "the stale scratch database was swept");
    // A run stopped by SIGTERM while its file loads drops its scratch database.
    let slow = dir.join("slow.sql");
    std::fs::write(&slow, "CREATE TABLE t (id int); SELECT pg_sleep(30);").unwrap();
    let child = std::process::Command::new(schema_sync_tests::schema_sync_bin())
        .args(["inspect", &slow.display().to_string(), "--dev-url", pg.url()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut waited = 0;
    while scratch(pg.url().to_string()).await.is_empty() && waited < 100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    assert!(!scratch(pg.url().to_string()).await.is_empty(), "the run made its scratch database");
    std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(143), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(scratch(pg.url().to_string()).await.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// D12: a broken configuration is reported as a configuration error.
#[test]
fn a_config_error_is_reported_as_one() {
    let dir = ScratchDir::new("badcfg");
    std::fs::write(dir.join("schema-sync.toml"), "[names]\nmatch = \"exact\"\nignore_tables = [\"x\"]\n").unwrap();
    let r = schema_sync_tests::cli_in(Some(dir.path()), &["diff"], &[]).expect(2);
    let stderr = r.stderr;
    assert!(stderr.contains("schema-sync.toml") && stderr.contains("ignore_tables"), "{stderr}");
    assert!(!stderr.contains("diff needs --from"), "{stderr}");
}
