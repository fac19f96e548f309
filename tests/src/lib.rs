//! Shared helpers for schema-sync's integration tests: where the conformance material lives and
//! how to read its JSON Lines files.

use std::path::PathBuf;

pub mod oracle;
pub mod rows;

/// `shared/conformance/` beside the checkout (or `SCHEMA_SYNC_CONFORMANCE_DIR`). Read-only:
/// tests copy what they need and never write there.
pub fn conformance_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("SCHEMA_SYNC_CONFORMANCE_DIR") {
        return PathBuf::from(d);
    }
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let candidates = [here.join("../../shared/conformance"), here.join("../shared/conformance")];
    for c in &candidates {
        if c.is_dir() {
            return c.clone();
        }
    }
    panic!("conformance material not found (looked for ../shared/conformance beside the checkout); set SCHEMA_SYNC_CONFORMANCE_DIR")
}

/// One case of a conformance JSONL file.
#[derive(Debug, Clone)]
pub struct Case {
    /// `source` (unique key).
    pub source: String,
    /// Case name.
    pub name: String,
    /// Schema the database starts with.
    pub current: String,
    /// Schema it should end with.
    pub desired: String,
    /// Every other upstream field.
    pub flags: serde_json::Value,
}

/// Reads `conformance/<rel>` (JSON Lines).
pub fn read_cases(rel: &str) -> Vec<Case> {
    let path = conformance_dir().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("valid JSONL");
            let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
            Case {
                source: s("source"),
                name: s("name"),
                current: s("current"),
                desired: s("desired"),
                flags: v.get("flags").cloned().unwrap_or_default(),
            }
        })
        .collect()
}

/// `true` when Postgres SQL text uses objects the model does not cover yet: aggregates,
/// operators and rules.
pub fn uses_uncovered_objects(sql: &str) -> bool {
    uses_any(sql, POSTGRES_ONLY)
}

/// [`uses_uncovered_objects`] for a SQLite schema: views and triggers are in the model.
pub fn sqlite_uses_uncovered_objects(sql: &str) -> bool {
    uses_any(sql, POSTGRES_ONLY)
}

/// What the model does not cover yet on Postgres (views and materialized views with their
/// indexes, triggers, functions, aggregates, row-level security, policies, comments, extensions, domains,
/// composite types, collations, exclusion constraints, privileges, partitioned tables and
/// inheritance are covered).
const POSTGRES_ONLY: &[&str] = &["CREATE RULE", "CREATE OR REPLACE RULE", "CREATE OPERATOR"];

fn uses_any(sql: &str, keys: &[&str]) -> bool {
    let up = sql.to_ascii_uppercase();
    keys.iter().any(|k| up.contains(k))
}

/// The roles upstream suites create before their cases run (sqldef's list, pg-schema-diff's
/// `app_user`, migra's `schemainspect_test_role`): created once per cluster by
/// [`create_upstream_roles`].
pub const UPSTREAM_ROLES: &[&str] = &[
    "readonly_user",
    "app_user",
    "admin_role",
    "user-with-dash",
    "user.with.dot",
    "user with spaces",
    "CamelCaseUser",
    "UPPERCASE_USER",
    "user1",
    "user2",
    "user3",
    "user4",
    "My User",
    "reader",
    "writer",
    "admin",
    "reader1",
    "reader2",
    "writer1",
    "writer2",
    "role1",
    "role2",
    "power_user",
    "user@domain.com",
    "schemainspect_test_role",
];

/// Creates [`UPSTREAM_ROLES`] (and the folded spelling of the mixed-case ones, which cases also
/// write unquoted) on the cluster behind `conn`, if missing. Roles are cluster-wide: tests that
/// run at once may race, which is fine.
pub async fn create_upstream_roles(conn: &mut sqlx::PgConnection) {
    let mut names: Vec<String> = UPSTREAM_ROLES.iter().map(|r| r.to_string()).collect();
    names.extend(UPSTREAM_ROLES.iter().filter(|r| r.chars().any(|c| c.is_uppercase())).map(|r| r.to_lowercase()));
    create_roles(conn, &names).await;
}

/// Supabase's API roles, which schema-sync manages by default.
pub const API_ROLES: &[&str] = &["anon", "authenticated", "service_role"];

/// Creates the `NOLOGIN` roles `names` on the cluster behind `conn`, if missing (roles are
/// cluster-wide: tests that run at once may race to create one, which is fine).
pub async fn create_roles<S: AsRef<str>>(conn: &mut sqlx::PgConnection, names: &[S]) {
    for name in names {
        let sql = format!(
            "DO $$ BEGIN CREATE ROLE \"{}\" NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
            name.as_ref().replace('"', "\"\"")
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut *conn).await.expect("create a role");
    }
}

/// The roles a case creates itself before it runs (pg-schema-diff's `roles`, each string
/// going verbatim into `CREATE ROLE`, as upstream does: some are quoted identifiers such as
/// `"evil""role"` or an injection attempt), created once per cluster.
pub async fn create_case_roles(conn: &mut sqlx::PgConnection, case: &Case) {
    let Some(roles) = case.flags.get("roles").and_then(|r| r.as_array()) else { return };
    for role in roles.iter().filter_map(|r| r.as_str()) {
        let sql = format!(
            "DO {} ",
            schema_sync::core::sql::dollar_quote(&format!(
                " BEGIN CREATE ROLE {role} NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END "
            ))
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut *conn).await.expect("create a case's role");
    }
}

/// A role as a case names it, as the role's name (`"evil""role"` is `evil"role`).
fn role_name(s: &str) -> String {
    schema_sync::core::sql::unquote_ident(s)
}

/// The roles whose privileges a case manages: sqldef's `managed_roles` or the roles its
/// `manage.privilege` rules match, pg-schema-diff's `roles`; Supabase's API roles otherwise.
pub fn managed_roles(case: &Case) -> Vec<String> {
    let f = &case.flags;
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
    };
    if let Some(list) = f.get("managed_roles").or_else(|| f.get("roles")) {
        return strings(list).iter().map(|r| role_name(r)).collect();
    }
    if let Some(rules) = f.pointer("/manage/privilege").and_then(|r| r.as_array()) {
        let targets: Vec<&str> = rules.iter().filter_map(|r| r.get("target").and_then(|t| t.as_str())).collect();
        // The patterns upstream uses: a name, `.*`, or a name with `\d` for one digit.
        let matches = |pattern: &str, name: &str| {
            pattern == ".*"
                || pattern == name
                || (pattern.contains("\\d")
                    && pattern.len() - 1 == name.len()
                    && pattern
                        .replace("\\d", "#")
                        .chars()
                        .zip(name.chars())
                        .all(|(p, c)| p == c || (p == '#' && c.is_ascii_digit())))
        };
        return UPSTREAM_ROLES
            .iter()
            .filter(|r| targets.iter().any(|t| matches(t, r)))
            .map(|r| r.to_string())
            .collect();
    }
    schema_sync::core::introspect::DEFAULT_MANAGED_ROLES.iter().map(|r| r.to_string()).collect()
}

/// Tallies pass/fail/skip with reasons, prints a summary and returns the pass rate.
#[derive(Debug, Default)]
pub struct Tally {
    /// Cases that passed.
    pub passed: usize,
    /// Failed cases with reasons.
    pub failed: Vec<(String, String)>,
    /// Skipped cases with reasons.
    pub skipped: Vec<(String, String)>,
}

impl Tally {
    /// Prints a summary to stderr.
    pub fn report(&self, label: &str) {
        eprintln!("{label}: {} passed, {} failed, {} not runnable", self.passed, self.failed.len(), self.skipped.len());
        let mut reasons: std::collections::BTreeMap<&str, usize> = Default::default();
        for (_, r) in &self.skipped {
            *reasons.entry(r.as_str()).or_default() += 1;
        }
        for (r, n) in reasons {
            eprintln!("  not runnable ({n}): {r}");
        }
        for (c, r) in &self.failed {
            eprintln!("  FAILED {c}: {r}");
        }
    }

    /// Pass rate over runnable cases.
    pub fn rate(&self) -> f64 {
        let total = self.passed + self.failed.len();
        if total == 0 {
            0.0
        } else {
            self.passed as f64 / total as f64
        }
    }
}

/// The `schema-sync` binary for end-to-end CLI tests.
///
/// Integration tests of this package cannot use `CARGO_BIN_EXE_…` for another package's binary,
/// so this runs `cargo build -p schema-sync --features cli --bin schema-sync` once per test
/// process, in the same target directory as the running test (cargo releases its lock while
/// tests run, and reuses every dependency already built), and returns `<target>/<profile>/schema-sync`.
pub fn schema_sync_bin() -> PathBuf {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("test executable path");
        let deps = exe.parent().expect("deps directory").to_path_buf();
        let profile_dir = deps.parent().expect("profile directory").to_path_buf();
        let target_dir = profile_dir.parent().expect("target directory").to_path_buf();
        let mut cmd = std::process::Command::new(env!("CARGO"));
        cmd.args(["build", "-q", "-p", "schema-sync", "--features", "cli", "--bin", "schema-sync", "--target-dir"])
            .arg(&target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("running cargo build for the schema-sync binary");
        assert!(status.success(), "building the schema-sync binary failed");
        profile_dir.join("schema-sync")
    })
    .clone()
}

/// Every user schema (namespace) of the Postgres database behind `conn`: what a test must
/// introspect or drop to see or reset everything a case created.
pub async fn user_schemas(conn: &mut sqlx::PgConnection) -> Vec<String> {
    use sqlx::Row;
    sqlx::query(
        "SELECT nspname::text FROM pg_namespace \
         WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1",
    )
    .persistent(false)
    .fetch_all(&mut *conn)
    .await
    .expect("listing schemas")
    .iter()
    .map(|r| r.get::<String, _>(0))
    .collect()
}

/// A scratch directory under the system temp dir, unique per call (process id and a counter),
/// removed with everything in it on drop.
pub struct ScratchDir(pub PathBuf);

impl ScratchDir {
    /// Creates `ss-<tag>-<pid>-<n>`, emptied first if a crashed run left it behind.
    pub fn new(tag: &str) -> Self {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let d = std::env::temp_dir().join(format!("ss-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("cannot create {}: {e}", d.display()));
        ScratchDir(d)
    }

    /// The directory.
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }

    /// A path inside it.
    pub fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }

    /// [`ScratchDir::join`] as a string, for command lines.
    pub fn s(&self, p: &str) -> String {
        self.join(p).display().to_string()
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a CLI run printed and returned.
#[derive(Debug)]
pub struct Run {
    /// Exit code (`-1` when ended by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Panics with both streams unless the exit code is `code`.
    #[track_caller]
    pub fn expect(self, code: i32) -> Self {
        assert_eq!(self.code, code, "exit code\n--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr);
        self
    }
}

/// Runs `schema-sync ARGS` (the built binary; never a TTY, no colour, no database URL from the
/// environment).
pub fn cli(args: &[&str]) -> Run {
    cli_in(None, args, &[])
}

/// [`cli`] in the working directory `dir`, with `env` set.
pub fn cli_in(dir: Option<&std::path::Path>, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = std::process::Command::new(schema_sync_bin());
    cmd.args(args).env("NO_COLOR", "1").env_remove("DATABASE_URL").env_remove("SUPABASE_DB_URL");
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("running schema-sync");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    lint_written(dir, &run);
    run
}

/// Every migration file a CLI run wrote (`Wrote PATH (…)`) passes `schema-sync lint`: the
/// promise that schema-sync's own files are online-safe, checked on every file the test suite
/// makes. The files of one run are linted together, in order (a later file may rely on what
/// an earlier one validated).
fn lint_written(dir: Option<&std::path::Path>, run: &Run) {
    let written: Vec<PathBuf> = run
        .stdout
        .lines()
        .chain(run.stderr.lines())
        .filter_map(|l| l.trim().strip_prefix("Wrote ")?.split(" (").next())
        .filter(|p| p.ends_with(".sql"))
        .map(|p| match dir {
            Some(d) if std::path::Path::new(p).is_relative() => d.join(p),
            _ => PathBuf::from(p),
        })
        .collect();
    let mut cx = schema_sync::core::lint::Context::default();
    for path in &written {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let findings = schema_sync::core::lint::lint_in(&mut cx, &text, &path.display().to_string());
        assert!(
            findings.is_empty(),
            "a migration file schema-sync wrote does not pass its own lint:\n{}\n--- {}\n{text}",
            findings.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("\n"),
            path.display()
        );
    }
}
