//! `schema-sync.toml`: a project configured once, so `schema-sync diff`, `sync` and `audit` need
//! no arguments.
//!
//! The file is found by walking up from the working directory (or given with `--config`).
//! Secrets stay out of it: `url = { env = "DATABASE_URL" }` names an environment variable, and
//! `.env` files are read the way sqlx-cli reads them (the working directory and its parents,
//! never overriding a variable that is already set). Flags override the file; the environment is
//! used only where the file says so, and `-v` says which value won.
//!
//! ```
//! let cfg = schema_sync::config::Config::parse(
//!     r#"
//!     [sqlite]
//!     path = "app.db"
//!     [postgres]
//!     url = "postgres://localhost/app"
//!     "#,
//!     std::path::Path::new("/project"),
//! ).unwrap();
//! assert_eq!(cfg.sqlite.as_deref(), Some("sqlite:/project/app.db"));
//! assert_eq!(cfg.migrations_dir, std::path::Path::new("/project/supabase/migrations"));
//! ```

use schema_sync_core::sync::{Side, Strategy};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The file name looked for.
pub const FILE_NAME: &str = "schema-sync.toml";

/// A commented starter file, written by `schema-sync init`.
pub const STARTER: &str = r#"# schema-sync project configuration. Flags given on the command line win over this file.
# Every commented line below is a valid option as written: remove the `# ` to use it.

# Tables never compared or changed (globs).
# ignore_tables = ["_litestream_*", "spatial_ref_sys"]

[sqlite]
# The local SQLite database (relative to this file).
path = "app.db"

[postgres]
# Never write a password here: name the environment variable that holds the URL.
# `.env` files are read like sqlx-cli does. Supabase: the direct URL or the session pooler (port
# 5432); through the transaction pooler (6543) use `--no-online` (docs/online.md).
url = { env = ["DATABASE_URL", "SUPABASE_DB_URL"] }
# Schemas schema-sync manages (Supabase's auth, storage, … are never touched unless listed).
schemas = ["public"]
# Roles whose privileges (GRANT/REVOKE) are compared and changed; no other role is ever read or
# revoked (docs/privileges.md). Default: Supabase's API roles.
# managed_roles = ["anon", "authenticated", "service_role"]
# Lock budget of every live change (docs/online.md): the longest wait for a table lock before the
# attempt rolls back and is retried, the retries, and the longest statement ("0": no limit).
# lock_timeout = "3s"
# lock_retries = 5
# statement_timeout = "10m"
# The online form (docs/online.md) is the default for a live Postgres; false: one transaction.
# online = false
# Fill columns added with a volatile default in batches of this many rows.
# backfill_batch = 10000

[migrations]
dir = "supabase/migrations"

[models]
# Snapshot of the Rust models, kept fresh by `schema_sync::testing::assert_snapshot_fresh`.
# snapshot = "schema.json"
# Declarative SQL (functions, triggers, views, …) merged with the models; read in a scratch
# database on --dev-url, never run against a live one.
# sql_dir = "supabase/schemas"
# The same for the SQLite side (its triggers and views, in SQLite's SQL): read in memory.
# sqlite_sql_dir = "sqlite/schemas"
# What the platform provides (Supabase's auth schema and API roles), run first in scratch
# databases so the files above load there (what it makes outside the schemas read, like
# auth.users, is never taken into the app's schema).
# platform_sql = "supabase/platform.sql"

[names]
# How SQLite and Postgres names correspond: "exact", or "fold" (AlbumId <-> album_id).
match = "exact"

[sync]
# Default strategy for `schema-sync sync`: sqlite-wins, postgres-wins or merge.
strategy = "sqlite-wins"
# on_conflict = "postgres"
"#;

/// Where a value came from (for `-v`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Written in the file.
    File,
    /// From the named environment variable (the file said so).
    Env(String),
}

/// A loaded configuration, paths resolved against the file's directory.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file this came from.
    pub path: Option<PathBuf>,
    /// SQLite source (`sqlite:PATH`).
    pub sqlite: Option<String>,
    /// Postgres URL, resolved.
    pub postgres: Option<String>,
    /// Where the Postgres URL came from.
    pub postgres_origin: Option<Origin>,
    /// Postgres schemas to manage.
    pub schemas: Vec<String>,
    /// Roles whose privileges are managed (`postgres.managed_roles`); `None`: Supabase's API
    /// roles.
    pub managed_roles: Option<Vec<String>>,
    /// Migrations directory.
    pub migrations_dir: PathBuf,
    /// Models snapshot.
    pub models_snapshot: Option<PathBuf>,
    /// Declarative SQL files merged with the models (`[models] sql_dir`).
    pub sql_dir: Option<PathBuf>,
    /// What the platform provides, run first in scratch databases (`[models] platform_sql`).
    pub platform_sql: Option<PathBuf>,
    /// Declarative SQLite SQL files merged with the models (`[models] sqlite_sql_dir`).
    pub sqlite_sql_dir: Option<PathBuf>,
    /// Fold names across dialects (`AlbumId` ↔ `album_id`).
    pub fold_names: bool,
    /// Table globs to ignore.
    pub ignore_tables: Vec<String>,
    /// Default sync strategy.
    pub strategy: Option<Strategy>,
    /// Default conflict side for `merge`.
    pub on_conflict: Option<Side>,
    /// `postgres.lock_timeout` (`--lock-timeout`).
    pub lock_timeout: Option<String>,
    /// `postgres.statement_timeout` (`--statement-timeout`).
    pub statement_timeout: Option<String>,
    /// `postgres.lock_retries` (`--lock-retries`).
    pub lock_retries: Option<u32>,
    /// `postgres.online` (`--no-online`).
    pub online: Option<bool>,
    /// `postgres.backfill_batch` (`--backfill-batch`).
    pub backfill_batch: Option<u64>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    sqlite: Option<RawSqlite>,
    #[serde(default)]
    postgres: Option<RawPostgres>,
    #[serde(default)]
    migrations: Option<RawMigrations>,
    #[serde(default)]
    models: Option<RawModels>,
    #[serde(default)]
    names: Option<RawNames>,
    #[serde(default)]
    ignore_tables: Vec<String>,
    #[serde(default)]
    sync: Option<RawSync>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSqlite {
    path: Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPostgres {
    url: Value,
    #[serde(default)]
    schemas: Vec<String>,
    #[serde(default)]
    managed_roles: Option<Vec<String>>,
    #[serde(default)]
    lock_timeout: Option<String>,
    #[serde(default)]
    statement_timeout: Option<String>,
    #[serde(default)]
    lock_retries: Option<u32>,
    #[serde(default)]
    online: Option<bool>,
    /// Zero is refused where it is read (a batch of no rows would fill nothing).
    #[serde(default)]
    backfill_batch: Option<std::num::NonZeroU64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMigrations {
    dir: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModels {
    snapshot: Option<String>,
    sql_dir: Option<String>,
    platform_sql: Option<String>,
    sqlite_sql_dir: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNames {
    #[serde(rename = "match")]
    matching: NameMatch,
}

/// `names.match`: how names are matched across dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum NameMatch {
    /// Names must be equal.
    Exact,
    /// `AlbumId` matches `album_id`.
    Fold,
    /// Same as `fold`.
    SnakeCase,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSync {
    strategy: Option<Strategy>,
    on_conflict: Option<Side>,
}

/// A literal or `{ env = "NAME" }` / `{ env = ["A", "B"] }`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Value {
    Literal(String),
    Env { env: EnvNames },
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum EnvNames {
    One(String),
    Many(Vec<String>),
}

/// A configuration problem (one line, names the key or variable).
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ConfigError {
    /// The file.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

fn resolve(value: Value, key: &str, file: &str) -> Result<(String, Origin), ConfigError> {
    match value {
        Value::Literal(s) => Ok((s, Origin::File)),
        Value::Env { env } => {
            let names = match env {
                EnvNames::One(n) => vec![n],
                EnvNames::Many(v) => v,
            };
            for n in &names {
                if let Ok(v) = std::env::var(n) {
                    if !v.is_empty() {
                        return Ok((v, Origin::Env(n.clone())));
                    }
                }
            }
            Err(ConfigError {
                file: file.to_string(),
                message: format!(
                    "`{key}` reads the environment variable {}, which is not set (export it or put it in .env)",
                    names.join(" or ")
                ),
            })
        }
    }
}

impl Config {
    /// Finds `schema-sync.toml` in `start` or a parent directory.
    pub fn find(start: &Path) -> Option<PathBuf> {
        let mut dir = Some(start);
        while let Some(d) = dir {
            let candidate = d.join(FILE_NAME);
            if candidate.is_file() {
                return Some(candidate);
            }
            dir = d.parent();
        }
        None
    }

    /// Reads `.env` (working directory and parents, then the config's directory) without
    /// overriding variables already set, then loads the file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let _ = dotenvy::dotenv();
        let root = path.parent().unwrap_or(Path::new("."));
        let _ = dotenvy::from_path(root.join(".env"));
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError { file: path.display().to_string(), message: e.to_string() })?;
        let mut cfg = Self::parse_named(&text, root, &path.display().to_string())?;
        cfg.path = Some(path.to_path_buf());
        Ok(cfg)
    }

    /// Parses config text; relative paths are resolved against `root`.
    pub fn parse(text: &str, root: &Path) -> Result<Config, ConfigError> {
        Self::parse_named(text, root, FILE_NAME)
    }

    fn parse_named(text: &str, root: &Path, file: &str) -> Result<Config, ConfigError> {
        let raw: Raw = toml::from_str(text).map_err(|e| ConfigError {
            file: file.to_string(),
            message: e.to_string().lines().filter(|l| !l.trim().is_empty()).collect::<Vec<_>>().join(" "),
        })?;
        let mut cfg = Config { migrations_dir: root.join("supabase/migrations"), ..Default::default() };
        if let Some(s) = raw.sqlite {
            let (p, _) = resolve(s.path, "sqlite.path", file)?;
            let p = p.strip_prefix("sqlite:").unwrap_or(&p).to_string();
            let full = if Path::new(&p).is_absolute() { PathBuf::from(&p) } else { root.join(&p) };
            cfg.sqlite = Some(format!("sqlite:{}", full.display()));
        }
        if let Some(pg) = raw.postgres {
            let (url, origin) = resolve(pg.url, "postgres.url", file)?;
            cfg.postgres = Some(url);
            cfg.postgres_origin = Some(origin);
            cfg.schemas = pg.schemas;
            cfg.managed_roles = pg.managed_roles;
            cfg.lock_timeout = pg.lock_timeout;
            cfg.statement_timeout = pg.statement_timeout;
            cfg.lock_retries = pg.lock_retries;
            cfg.online = pg.online;
            cfg.backfill_batch = pg.backfill_batch.map(std::num::NonZeroU64::get);
        }
        if let Some(m) = raw.migrations {
            cfg.migrations_dir = root.join(m.dir);
        }
        if let Some(m) = raw.models {
            cfg.models_snapshot = m.snapshot.map(|s| root.join(s));
            cfg.sql_dir = m.sql_dir.map(|s| root.join(s));
            cfg.platform_sql = m.platform_sql.map(|s| root.join(s));
            cfg.sqlite_sql_dir = m.sqlite_sql_dir.map(|s| root.join(s));
        }
        if let Some(n) = raw.names {
            cfg.fold_names = n.matching != NameMatch::Exact;
        }
        cfg.ignore_tables = raw.ignore_tables;
        if let Some(s) = raw.sync {
            cfg.strategy = s.strategy;
            cfg.on_conflict = s.on_conflict;
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_urls_and_errors_name_the_variable() {
        std::env::set_var("SS_TEST_CFG_URL", "postgres://u@h/db");
        let cfg =
            Config::parse("[postgres]\nurl = { env = [\"SS_TEST_MISSING\", \"SS_TEST_CFG_URL\"] }\n", Path::new("/p"))
                .unwrap();
        assert_eq!(cfg.postgres.as_deref(), Some("postgres://u@h/db"));
        assert_eq!(cfg.postgres_origin, Some(Origin::Env("SS_TEST_CFG_URL".into())));
        let err = Config::parse("[postgres]\nurl = { env = \"SS_TEST_NOT_SET_EVER\" }\n", Path::new("/p")).unwrap_err();
        assert!(err.to_string().contains("SS_TEST_NOT_SET_EVER"), "{err}");
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        assert!(Config::parse("[sqlite]\npth = \"x\"\n", Path::new("/p")).is_err());
        assert!(Config::parse("[sync]\nstrategy = \"yolo\"\n", Path::new("/p"))
            .unwrap_err()
            .to_string()
            .contains("yolo"));
        assert!(Config::parse("[names]\nmatch = \"fold\"\n", Path::new("/p")).unwrap().fold_names);
        std::env::set_var("SS_TEST_CFG_BATCH_URL", "postgres://u@h/db");
        let zero = "[postgres]\nurl = { env = \"SS_TEST_CFG_BATCH_URL\" }\nbackfill_batch = 0\n";
        let err = Config::parse(zero, Path::new("/p")).unwrap_err().to_string();
        assert!(err.contains("backfill_batch") && err.contains("nonzero"), "{err}");
    }

    #[test]
    fn every_commented_option_of_the_starter_loads_as_written() {
        std::env::set_var("DATABASE_URL", "postgres://x@y/z");
        let options: Vec<&str> =
            STARTER.lines().filter(|l| l.starts_with("# ") && l.contains(" = ") && !l.contains(": ")).collect();
        assert!(options.len() >= 3, "{options:?}");
        for line in options {
            let enabled = STARTER.replacen(line, &line[2..], 1);
            let cfg = Config::parse(&enabled, Path::new("/proj"))
                .unwrap_or_else(|e| panic!("uncommenting `{line}` breaks the starter: {e}"));
            match &line[2..line.find(" = ").unwrap()] {
                "ignore_tables" => assert_eq!(cfg.ignore_tables, ["_litestream_*", "spatial_ref_sys"]),
                "snapshot" => assert_eq!(cfg.models_snapshot.as_deref(), Some(Path::new("/proj/schema.json"))),
                "sql_dir" => assert_eq!(cfg.sql_dir.as_deref(), Some(Path::new("/proj/supabase/schemas"))),
                "sqlite_sql_dir" => {
                    assert_eq!(cfg.sqlite_sql_dir.as_deref(), Some(Path::new("/proj/sqlite/schemas")))
                }
                "platform_sql" => {
                    assert_eq!(cfg.platform_sql.as_deref(), Some(Path::new("/proj/supabase/platform.sql")))
                }
                "on_conflict" => assert_eq!(cfg.on_conflict, Some(Side::Postgres)),
                "lock_timeout" => assert_eq!(cfg.lock_timeout.as_deref(), Some("3s")),
                "lock_retries" => assert_eq!(cfg.lock_retries, Some(5)),
                "statement_timeout" => assert_eq!(cfg.statement_timeout.as_deref(), Some("10m")),
                "online" => assert_eq!(cfg.online, Some(false)),
                "backfill_batch" => assert_eq!(cfg.backfill_batch, Some(10000)),
                "managed_roles" => {
                    assert_eq!(
                        cfg.managed_roles.as_deref(),
                        Some(&["anon", "authenticated", "service_role"].map(String::from)[..])
                    )
                }
                other => panic!("a commented option the test does not know: {other}"),
            }
        }
    }

    #[test]
    fn starter_file_parses() {
        std::env::set_var("DATABASE_URL", "postgres://x@y/z");
        let cfg = Config::parse(STARTER, Path::new("/proj")).unwrap();
        assert_eq!(cfg.sqlite.as_deref(), Some("sqlite:/proj/app.db"));
        assert_eq!(cfg.strategy, Some(Strategy::SqliteWins));
    }
}
