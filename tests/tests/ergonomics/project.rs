//! A project configured once: `schema-sync.toml` in a temporary project directory, commands
//! with no arguments against a real SQLite file and a real Postgres, exit codes as documented;
//! `init`; a missing environment variable named in the error; a user's own binary with the
//! models built in (`schema_sync::cli::run(schema![…])`).

use schema_sync::testing::TempPostgres;
use schema_sync_tests::{schema_sync_bin, ScratchDir};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Project {
    dir: ScratchDir,
}

impl Project {
    fn new(tag: &str) -> Self {
        let dir = ScratchDir::new(&format!("project-{tag}"));
        std::fs::create_dir_all(dir.join("nested/deeper")).unwrap();
        Self { dir }
    }

    fn run(&self, bin: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = Command::new(bin);
        c.args(args)
            .current_dir(self.dir.join("nested/deeper"))
            .env_remove("DATABASE_URL")
            .env_remove("SUPABASE_DB_URL")
            .env_remove("SCHEMA_SYNC_DEV_URL")
            .env_remove("SCHEMA_SYNC_SQL_DIR");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    }
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

const CONFIG: &str = r#"
[sqlite]
path = "app.db"

[postgres]
url = { env = "SS_PROJECT_PG_URL" }

[sync]
strategy = "sqlite-wins"
"#;

#[tokio::test]
async fn zero_argument_diff_sync_audit_with_a_config() {
    let pg = schema_sync::require_postgres!();
    let bin = schema_sync_bin();
    let p = Project::new("zeroarg");
    std::fs::write(p.dir.join("schema-sync.toml"), CONFIG).unwrap();
    let conn = rusqlite::Connection::open(p.dir.join("app.db")).unwrap();
    conn.execute_batch("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO items (name) VALUES ('a'), ('b');").unwrap();
    drop(conn);
    let env = [("SS_PROJECT_PG_URL", pg.url())];

    // Postgres is empty: drift, exit 1, naming the table.
    let o = p.run(&bin, &["diff"], &env);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("items"), "{}", text(&o));
    // `-v` says where the URL came from, without printing it.
    let o = p.run(&bin, &["-v", "diff"], &env);
    assert!(text(&o).contains("from $SS_PROJECT_PG_URL"), "{}", text(&o));
    // sync with the configured strategy: dry run exits 1, --apply makes them agree.
    let o = p.run(&bin, &["sync"], &env);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = p.run(&bin, &["sync", "--apply"], &env);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = p.run(&bin, &["diff"], &env);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = p.run(&bin, &["audit"], &env);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // A change on the SQLite side shows up in audit.
    let conn = rusqlite::Connection::open(p.dir.join("app.db")).unwrap();
    conn.execute_batch("ALTER TABLE items ADD COLUMN price REAL").unwrap();
    drop(conn);
    let o = p.run(&bin, &["audit"], &env);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("price"), "{}", text(&o));

    // The variable the config names is missing: exit 2, the message names it.
    let o = p.run(&bin, &["diff"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("SS_PROJECT_PG_URL"), "{}", text(&o));
    assert_eq!(text(&o).lines().filter(|l| l.starts_with("error")).count(), 1);
    // A .env file next to the config is read like sqlx-cli reads it.
    std::fs::write(p.dir.join(".env"), format!("SS_PROJECT_PG_URL={}\n", pg.url())).unwrap();
    let o = p.run(&bin, &["audit"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

#[test]
fn init_writes_a_starter_file_once() {
    let bin = schema_sync_bin();
    let p = Project::new("init");
    let o = Command::new(&bin).arg("init").current_dir(p.dir.path()).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let cfg = std::fs::read_to_string(p.dir.join("schema-sync.toml")).unwrap();
    assert!(cfg.contains("url = { env = [\"DATABASE_URL\", \"SUPABASE_DB_URL\"] }"));
    assert!(p.dir.join("supabase/migrations").is_dir());
    let o = Command::new(&bin).arg("init").current_dir(p.dir.path()).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("already exists"));
}

#[tokio::test]
async fn own_binary_with_models_migrates_a_real_database() {
    let models_cli = PathBuf::from(env!("CARGO_BIN_EXE_models_cli"));
    let p = Project::new("models");
    let db = p.dir.join("app.db");
    rusqlite::Connection::open(&db).unwrap();
    let url = format!("sqlite:{}", db.display());
    let o = p.run(&models_cli, &["diff", "--from", &url, "--to", "models"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = p.run(&models_cli, &["apply", "--db", &url, "--to", "models"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = p.run(&models_cli, &["diff", "--from", &url, "--to", "models"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("INSERT INTO orgs (slug) VALUES ('acme')", []).unwrap();
    conn.execute("INSERT INTO users (org_id, email) VALUES (1, 'a@x')", []).unwrap();
    // The same binary against Postgres.
    let Some(pg) = TempPostgres::try_new().await else { return };
    let o = p.run(&models_cli, &["apply", "--db", pg.url(), "--to", "models", "--yes"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = p.run(&models_cli, &["diff", "--from", pg.url(), "--to", "models"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[tokio::test]
async fn own_binary_merges_declarative_sql_files_with_its_models() {
    let models_cli = PathBuf::from(env!("CARGO_BIN_EXE_models_cli"));
    let p = Project::new("declarative");
    let sql = p.dir.join("schemas");
    std::fs::create_dir_all(&sql).unwrap();
    std::fs::write(
        sql.join("10_users.sql"),
        "CREATE FUNCTION lower_email() RETURNS trigger LANGUAGE plpgsql AS $$ \
           BEGIN NEW.email := lower(NEW.email); RETURN NEW; END $$;
         CREATE TRIGGER users_lower_email BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION lower_email();
         CREATE VIEW user_emails AS SELECT id, email FROM users;",
    )
    .unwrap();
    let pg = schema_sync::require_postgres!();
    let dir = sql.display().to_string();
    let with_sql = |cmd: &[&str]| {
        let mut a: Vec<&str> = cmd.to_vec();
        a.extend(["--sql-dir", dir.as_str(), "--dev-url", pg.url()]);
        p.run(&models_cli, &a, &[])
    };
    let o = with_sql(&["apply", "--db", pg.url(), "--to", "models", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = with_sql(&["diff", "--from", pg.url(), "--to", "models"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // The trigger runs: the files' objects are really there.
    let mut conn = pg.connect().await;
    sqlx::raw_sql("INSERT INTO orgs (slug) VALUES ('acme'); INSERT INTO users (org_id, email) VALUES (1, 'A@X')")
        .execute(&mut conn)
        .await
        .unwrap();
    let email: String = sqlx::query_scalar("SELECT email FROM user_emails").fetch_one(&mut conn).await.unwrap();
    assert_eq!(email, "a@x");
    // The models alone: the files' objects are drift, named.
    let o = p.run(&models_cli, &["diff", "--from", pg.url(), "--to", "models"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("user_emails"), "{}", text(&o));
    // Without a dev database the files cannot be read: one line, exit 2.
    let o = p.run(&models_cli, &["diff", "--from", pg.url(), "--to", "models", "--sql-dir", &dir], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--dev-url"), "{}", text(&o));
}

/// Runs `cmd` under a pseudo-terminal (util-linux `script`), answering `answer` to the prompt.
fn under_pty(cmd: &str, answer: &str, cwd: &Path) -> String {
    let mut child = Command::new("script")
        .args(["-qec", cmd, "/dev/null"])
        .current_dir(cwd)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("util-linux `script` for a pseudo-terminal");
    use std::io::Write;
    // Give the program time to ask before answering.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let _ = child.stdin.as_mut().unwrap().write_all(answer.as_bytes());
    let out = child.wait_with_output().unwrap();
    text(&out)
}

#[test]
fn confirmation_prompt_on_a_terminal_only() {
    let bin = schema_sync_bin();
    let p = Project::new("prompt");
    let db = p.dir.join("app.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY)").unwrap();
    drop(conn);
    let target = p.dir.join("target.sql");
    std::fs::write(&target, "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT);").unwrap();
    let cmd = format!("{} apply --db sqlite:{} --to {}", bin.display(), db.display(), target.display());
    let columns = || -> usize {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.query_row("SELECT count(*) FROM pragma_table_info('t')", [], |r| r.get::<_, i64>(0)).unwrap() as usize
    };
    // Answer n: nothing changes.
    let out = under_pty(&cmd, "n\n", p.dir.path());
    assert!(out.contains("Apply 1 statements to sqlite:"), "{out}");
    assert!(out.contains("Nothing applied"), "{out}");
    assert_eq!(columns(), 1);
    // Answer y: applied.
    let out = under_pty(&cmd, "y\n", p.dir.path());
    assert!(out.contains("Applied 1 statement"), "{out}");
    assert_eq!(columns(), 2);
    // Without a terminal nothing is asked: the explicit command is the consent.
    std::fs::write(&target, "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT, extra TEXT);").unwrap();
    let o = Command::new(&bin)
        .args(["apply", "--db", &format!("sqlite:{}", db.display()), "--to"])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!text(&o).contains("[y/N]"), "{}", text(&o));
    assert_eq!(columns(), 3);
}
