//! [`TempPostgres`]: a throwaway Postgres database, on a server found or started once per test
//! process.
//!
//! Server resolution, done once (lazily) per process:
//! 1. `SCHEMA_SYNC_TEST_PG_URL`;
//! 2. `DATABASE_URL`, when it starts with `postgres://` or `postgresql://`;
//! 3. a throwaway cluster: `initdb`/`pg_ctl` from `PATH`, else the highest version under
//!    `/usr/lib/postgresql/*/bin`, run as the `postgres` user (via `runuser`) when the tests run
//!    as root. Data and socket directory live in a fresh temporary directory; the server listens
//!    on a free port of 127.0.0.1 with durability off (fsync, synchronous_commit,
//!    full_page_writes). A detached watchdog shell stops the cluster and removes the directory
//!    as soon as the test process is gone, because statics are never dropped.
//!
//! The throwaway cluster trusts every local connection, except members of the group role
//! [`PASSWORD_AUTH_GROUP`], who must give their password over TCP (`scram-sha-256`), so tests can
//! exercise a wrong password.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use sqlx::{AssertSqlSafe, PgConnection};

/// Group role whose members must authenticate with a password on the throwaway cluster.
pub const PASSWORD_AUTH_GROUP: &str = "ss_password_auth";

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Where the test databases are created.
#[derive(Debug)]
struct Server {
    /// URL of a database to connect to for `CREATE DATABASE` / `DROP DATABASE`.
    admin_url: String,
    /// `true` for the cluster this process started.
    ephemeral: bool,
}

/// A fresh, uniquely named database (`ss_test_<pid>_<n>`), dropped (`WITH (FORCE)`) on drop.
/// Safe to use from parallel tests; each gets its own database on the one shared server.
///
/// ```no_run
/// # async fn demo() {
/// let pg = schema_sync::testing::TempPostgres::new().await;
/// let mut conn = pg.connect().await;
/// sqlx::raw_sql("CREATE TABLE t (id int)").execute(&mut conn).await.unwrap();
/// println!("{}", pg.url());
/// # }
/// ```
#[derive(Debug)]
pub struct TempPostgres {
    url: String,
    database: String,
    admin_url: String,
}

impl TempPostgres {
    /// A fresh database, or `None` when no Postgres server can be found or started.
    ///
    /// # Panics
    /// When `CI=true` and there is no Postgres (a missing database must fail CI, never skip),
    /// and when the server is there but the database cannot be created.
    pub async fn try_new() -> Option<Self> {
        let server = available_server()?;
        let database = format!("ss_test_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        let mut conn = schema_sync_core::introspect::postgres::connect(&server.admin_url)
            .await
            .unwrap_or_else(|e| panic!("test Postgres: {e}"));
        let sql = format!("CREATE DATABASE {}", schema_sync_core::sql::quote_ident(&database));
        if let Err(e) = sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await {
            panic!("test Postgres: creating database {database}: {e}");
        }
        let url = with_database(&server.admin_url, &database);
        Some(Self { url, database, admin_url: server.admin_url.clone() })
    }

    /// A fresh database. Panics when no Postgres is available; see [`TempPostgres::try_new`] and
    /// [`require_postgres!`](crate::require_postgres) for skipping instead.
    pub async fn new() -> Self {
        match Self::try_new().await {
            Some(pg) => pg,
            None => panic!("{}", unavailable_message()),
        }
    }

    /// [`TempPostgres::try_new`] for tests without an async runtime (works inside one too: the
    /// work runs on its own thread).
    pub fn try_new_blocking() -> Option<Self> {
        on_own_runtime(Self::try_new())
    }

    /// [`TempPostgres::new`] for tests without an async runtime.
    pub fn new_blocking() -> Self {
        match Self::try_new_blocking() {
            Some(pg) => pg,
            None => panic!("{}", unavailable_message()),
        }
    }

    /// `postgres://…/<database>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database name (`ss_test_<pid>_<n>`).
    pub fn database(&self) -> &str {
        &self.database
    }

    /// A new connection to the database (statement cache off, like every schema-sync
    /// connection). Panics on failure.
    pub async fn connect(&self) -> PgConnection {
        schema_sync_core::introspect::postgres::connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("test Postgres: {e}"))
    }

    /// [`PASSWORD_AUTH_GROUP`] when the server is the throwaway cluster this process started
    /// (the only server known to ask members of that role for a password), else `None`.
    pub fn password_auth_group(&self) -> Option<&'static str> {
        match SERVER.get() {
            Some(Ok(s)) if s.ephemeral => Some(PASSWORD_AUTH_GROUP),
            _ => None,
        }
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let sql =
            format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", schema_sync_core::sql::quote_ident(&self.database));
        // Best effort, on a thread of its own so it works with or without a current runtime;
        // nothing here may panic (a panic in drop during unwinding aborts the test binary).
        let worker = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut conn) = schema_sync_core::introspect::postgres::connect(&admin_url).await {
                    let _ = sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await;
                }
            });
        });
        let _ = worker.join();
    }
}

/// Runs `fut` to completion on a fresh thread with a current-thread runtime.
pub(super) fn on_own_runtime<F>(fut: F) -> F::Output
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handle = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("test Postgres: cannot build a tokio runtime: {e}"));
        rt.block_on(fut)
    });
    match handle.join() {
        Ok(v) => v,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

fn unavailable_message() -> String {
    match SERVER.get() {
        Some(Err(why)) => format!("no Postgres for tests (set SCHEMA_SYNC_TEST_PG_URL): {why}"),
        _ => "no Postgres for tests (set SCHEMA_SYNC_TEST_PG_URL)".to_string(),
    }
}

/// The server, resolving it on first use; `None` when there is none (panics under `CI=true`).
fn available_server() -> Option<&'static Server> {
    match SERVER.get_or_init(resolve_server) {
        Ok(s) => Some(s),
        Err(why) => {
            if super::running_in_ci() {
                panic!("CI=true but no Postgres is available for tests (set SCHEMA_SYNC_TEST_PG_URL): {why}");
            }
            None
        }
    }
}

fn resolve_server() -> Result<Server, String> {
    if let Ok(url) = std::env::var("SCHEMA_SYNC_TEST_PG_URL") {
        if !url.trim().is_empty() {
            return Ok(Server { admin_url: url.trim().to_string(), ephemeral: false });
        }
    }
    if let Ok(url) = std::env::var("DATABASE_URL") {
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(Server { admin_url: url, ephemeral: false });
        }
    }
    start_cluster().map(|admin_url| Server { admin_url, ephemeral: true })
}

/// `url` with its path (the database name) replaced by `/database`, query string kept.
fn with_database(url: &str, database: &str) -> String {
    let start = url.find("://").map(|i| i + 3).unwrap_or(0);
    let auth_end = url[start..].find(['/', '?', '#']).map(|i| i + start).unwrap_or(url.len());
    let path_end = url[auth_end..].find(['?', '#']).map(|i| i + auth_end).unwrap_or(url.len());
    format!("{}/{}{}", &url[..auth_end], database, &url[path_end..])
}

fn is_root() -> bool {
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        if let Some(line) = status.lines().find(|l| l.starts_with("Uid:")) {
            // Uid: real effective saved fs
            return line.split_whitespace().nth(2) == Some("0");
        }
    }
    std::env::var("USER").is_ok_and(|u| u == "root")
}

/// The directory holding `initdb` and `pg_ctl`.
fn find_bindir() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() {
                return Ok(dir);
            }
        }
    }
    let mut best: Option<(u32, PathBuf)> = None;
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        for e in entries.flatten() {
            let version = e.file_name().to_string_lossy().split('.').next().and_then(|v| v.parse::<u32>().ok());
            let bin = e.path().join("bin");
            if let Some(v) = version {
                if bin.join("initdb").is_file() && bin.join("pg_ctl").is_file() && best.as_ref().is_none_or(|b| v > b.0)
                {
                    best = Some((v, bin));
                }
            }
        }
    }
    best.map(|b| b.1).ok_or_else(|| "no initdb/pg_ctl on PATH or under /usr/lib/postgresql/*/bin".to_string())
}

/// `program` as the `postgres` user when we are root (Postgres refuses to run as root).
fn pg_command(program: &Path, as_postgres: bool) -> Command {
    if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn id_of(flag: &str) -> Result<u32, String> {
    let out = Command::new("id").args([flag, "postgres"]).output().map_err(|e| format!("running `id`: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| "running as root needs a `postgres` user to start a throwaway cluster".to_string())
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("finding a free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| format!("finding a free port: {e}"))
}

fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(5)..].join(" | ")
}

/// Starts the throwaway cluster; returns its admin URL.
fn start_cluster() -> Result<String, String> {
    use std::os::unix::fs::PermissionsExt;

    let bindir = find_bindir()?;
    let root = is_root();
    // As root, /tmp rather than $TMPDIR: the postgres user must be able to reach the directory.
    let base = if root { PathBuf::from("/tmp") } else { std::env::temp_dir() };
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    let dir = base.join(format!("schema-sync-pg-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let cleanup = |why: String| -> String {
        let _ = std::fs::remove_dir_all(&dir);
        why
    };
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| cleanup(format!("chmod {}: {e}", dir.display())))?;
    if root {
        let (uid, gid) = match (id_of("-u"), id_of("-g")) {
            (Ok(u), Ok(g)) => (u, g),
            (Err(e), _) | (_, Err(e)) => return Err(cleanup(e)),
        };
        std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
            .map_err(|e| cleanup(format!("chown {}: {e}", dir.display())))?;
    }
    let data = dir.join("data");

    let out = pg_command(&bindir.join("initdb"), root)
        .arg("-D")
        .arg(&data)
        .args(["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| cleanup(format!("running initdb: {e}")))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or_default().to_string();
        return Err(cleanup(format!("initdb failed: {err}")));
    }
    // Members of the password group must authenticate over TCP; everyone else is trusted.
    let hba = data.join("pg_hba.conf");
    let original = std::fs::read_to_string(&hba).map_err(|e| cleanup(format!("reading pg_hba.conf: {e}")))?;
    let rule = format!("host all +{PASSWORD_AUTH_GROUP} 127.0.0.1/32 scram-sha-256\n");
    std::fs::write(&hba, format!("{rule}{original}")).map_err(|e| cleanup(format!("writing pg_hba.conf: {e}")))?;

    let pg_ctl = bindir.join("pg_ctl");
    let mut last_error = String::new();
    for _attempt in 0..3 {
        let port = free_port().map_err(&cleanup)?;
        let options = format!(
            "-F -p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200 -c password_encryption=scram-sha-256",
            dir.display()
        );
        let out_file = dir.join("pg_ctl.out");
        let stdout = std::fs::File::create(&out_file).map_err(|e| cleanup(format!("creating pg_ctl.out: {e}")))?;
        let stderr = stdout.try_clone().map_err(|e| cleanup(format!("creating pg_ctl.out: {e}")))?;
        let status = pg_command(&pg_ctl, root)
            .args(["-w", "-t", "60", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(dir.join("server.log"))
            .arg("-o")
            .arg(&options)
            .arg("start")
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .status()
            .map_err(|e| cleanup(format!("running pg_ctl: {e}")))?;
        if status.success() {
            spawn_watchdog(&pg_ctl, &data, &dir, root);
            return Ok(format!("postgres://postgres@127.0.0.1:{port}/postgres"));
        }
        last_error = format!("pg_ctl start failed: {} {}", tail(&out_file), tail(&dir.join("server.log")));
    }
    let _ = pg_command(&pg_ctl, root).args(["stop", "-m", "immediate", "-D"]).arg(&data).output();
    Err(cleanup(last_error))
}

/// A detached shell that waits for this process to end, then stops the cluster and removes
/// its directory.
fn spawn_watchdog(pg_ctl: &Path, data: &Path, dir: &Path, root: bool) {
    const SCRIPT: &str = r#"while kill -0 "$1" 2>/dev/null; do sleep 0.5; done
if [ -n "$5" ]; then runuser -u "$5" -- "$2" stop -m immediate -D "$3"; else "$2" stop -m immediate -D "$3"; fi
rm -rf "$4""#;
    let setsid = Path::new("/usr/bin/setsid").is_file() || Path::new("/bin/setsid").is_file();
    let mut cmd = if setsid {
        let mut c = Command::new("setsid");
        c.arg("sh");
        c
    } else {
        Command::new("sh")
    };
    cmd.arg("-c")
        .arg(SCRIPT)
        .arg("schema-sync-pg-watchdog")
        .arg(std::process::id().to_string())
        .arg(pg_ctl)
        .arg(data)
        .arg(dir)
        .arg(if root { "postgres" } else { "" })
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // Not waited for: it outlives us on purpose.
    let _ = cmd.spawn();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_database_in_a_url() {
        assert_eq!(with_database("postgres://u@h:5/postgres", "x"), "postgres://u@h:5/x");
        assert_eq!(with_database("postgres://u:p@h/db?sslmode=require", "x"), "postgres://u:p@h/x?sslmode=require");
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
        assert_eq!(with_database("postgres://h?sslmode=disable", "x"), "postgres://h/x?sslmode=disable");
    }
}
