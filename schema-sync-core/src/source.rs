//! Where a schema comes from (`SRC` on the command line) and how it is read.
//!
//! | form | source |
//! |---|---|
//! | `sqlite:PATH`, `PATH.db`, `PATH.sqlite`, `PATH.sqlite3` | a live SQLite file |
//! | `postgres://…`, `postgresql://…` | a live Postgres database |
//! | `PATH.json` | a snapshot ([`crate::snapshot`]) |
//! | `PATH.sql` | a DDL file: SQLite DDL is loaded into an in-memory SQLite; Postgres DDL needs a `--dev-url` database and is loaded into a scratch database (or schema) there, then dropped |
//!
//! ```
//! use schema_sync_core::source::Source;
//! assert!(matches!(Source::parse("sqlite:app.db").unwrap(), Source::Sqlite(_)));
//! assert!(matches!(Source::parse("schema.json").unwrap(), Source::Snapshot(_)));
//! assert!(Source::parse("ftp://nope").is_err());
//! ```

use crate::introspect::IntrospectOptions;
use crate::model::Schema;
use crate::types::Dialect;
use crate::url::{redact_loose, redact_url};
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// A parsed `SRC`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A SQLite database file (must exist).
    Sqlite(PathBuf),
    /// A Postgres URL.
    Postgres(String),
    /// A JSON snapshot file.
    Snapshot(PathBuf),
    /// A DDL file.
    Ddl(PathBuf),
    /// Models compiled into the running binary (`schema_sync::cli::run(schema![…])`).
    Models,
}

impl Source {
    /// Parses a `SRC` string.
    pub fn parse(text: &str) -> Result<Source> {
        let lower = text.to_ascii_lowercase();
        if let Some(path) = text.strip_prefix("sqlite:").or_else(|| text.strip_prefix("sqlite3:")) {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(Error::input("`sqlite:` needs a path, e.g. sqlite:app.db"));
            }
            return Ok(Source::Sqlite(PathBuf::from(path)));
        }
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(Source::Postgres(text.to_string()));
        }
        if lower == "models" {
            return Ok(Source::Models);
        }
        if lower.contains("://") {
            return Err(Error::input(format!(
                "unsupported source {}: expected sqlite:PATH, postgres://…, a .json snapshot or a .sql file",
                redact_url(text)
            )));
        }
        let ext = Path::new(&lower).extension().and_then(|e| e.to_str()).unwrap_or("");
        match ext {
            "db" | "sqlite" | "sqlite3" | "db3" => Ok(Source::Sqlite(PathBuf::from(text))),
            "json" => Ok(Source::Snapshot(PathBuf::from(text))),
            "sql" => Ok(Source::Ddl(PathBuf::from(text))),
            _ => Err(Error::input(format!(
                "cannot tell what `{}` is: use sqlite:PATH, a postgres:// URL, a .json snapshot or a .sql DDL file",
                redact_loose(text)
            ))),
        }
    }

    /// The dialect of a live source, if it is one.
    pub fn live_dialect(&self) -> Option<Dialect> {
        match self {
            Source::Sqlite(_) => Some(Dialect::Sqlite),
            Source::Postgres(_) => Some(Dialect::Postgres),
            _ => None,
        }
    }

    /// A printable name with secrets removed.
    pub fn display(&self) -> String {
        match self {
            Source::Sqlite(p) => format!("sqlite:{}", p.display()),
            Source::Postgres(u) => redact_url(u),
            Source::Snapshot(p) | Source::Ddl(p) => p.display().to_string(),
            Source::Models => "models".to_string(),
        }
    }
}

/// Options for [`load`].
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Catalog options (Postgres schemas, excluded tables).
    pub introspect: IntrospectOptions,
    /// A Postgres database where Postgres DDL files are loaded (into a scratch database or
    /// schema that is dropped afterwards).
    pub dev_url: Option<String>,
    /// The models, for [`Source::Models`].
    pub models: Option<Schema>,
}

/// Reads the schema of any source.
pub async fn load(src: &Source, opts: &LoadOptions) -> Result<Schema> {
    match src {
        #[cfg(feature = "sqlite")]
        Source::Sqlite(path) => {
            let conn = crate::introspect::sqlite::open(path)?;
            crate::introspect::sqlite::introspect(&conn, &opts.introspect)
        }
        #[cfg(feature = "postgres")]
        Source::Postgres(url) => {
            let mut conn = crate::introspect::postgres::connect(url).await?;
            crate::introspect::postgres::introspect(&mut conn, &opts.introspect).await
        }
        Source::Snapshot(path) => crate::snapshot::read(path),
        Source::Ddl(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::io(format!("reading DDL file {}", path.display()), e))?;
            let mut schema = load_ddl(&text, &path.display().to_string(), opts).await?;
            crate::hints::apply(&mut schema, &crate::hints::rename_hints(&text));
            Ok(schema)
        }
        Source::Models => opts.models.clone().ok_or_else(|| {
            Error::input("the `models` source exists only in a binary built with schema_sync::cli::run(schema![…])")
        }),
        #[allow(unreachable_patterns)]
        other => Err(Error::input(format!("{} support is not compiled in", other.display()))),
    }
}

/// Loads DDL text: into a scratch Postgres when `opts.dev_url` is set, else into an in-memory
/// SQLite.
pub async fn load_ddl(text: &str, origin: &str, opts: &LoadOptions) -> Result<Schema> {
    let _ = (text, origin);
    match &opts.dev_url {
        #[cfg(feature = "postgres")]
        Some(url) => load_postgres_ddl(text, origin, url, &opts.introspect).await,
        #[cfg(feature = "sqlite")]
        None => load_sqlite_ddl(text, origin, &opts.introspect),
        #[allow(unreachable_patterns)]
        _ => Err(Error::input("DDL loading needs the sqlite or postgres feature")),
    }
}

/// Loads SQLite DDL into an in-memory database and reads it back. The file can touch nothing
/// but that database: no other database can be attached (`ATTACH`, `VACUUM INTO` refused), the
/// schema tables are read-only (defensive mode), extensions cannot be loaded.
#[cfg(feature = "sqlite")]
pub fn load_sqlite_ddl(text: &str, origin: &str, iopts: &IntrospectOptions) -> Result<Schema> {
    crate::introspect::sqlite::introspect(&sqlite_scratch(text, origin)?, iopts)
}

/// The sealed in-memory SQLite of [`load_sqlite_ddl`] with `text` run in it.
#[cfg(feature = "sqlite")]
pub fn sqlite_scratch(text: &str, origin: &str) -> Result<rusqlite::Connection> {
    use rusqlite::config::DbConfig;
    use rusqlite::limits::Limit;
    let conn = rusqlite::Connection::open_in_memory().map_err(|e| Error::sqlite("opening an in-memory SQLite", e))?;
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0).map_err(|e| Error::sqlite("sealing the scratch SQLite", e))?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
        .and_then(|_| conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false))
        .map_err(|e| Error::sqlite("sealing the scratch SQLite", e))?;
    conn.execute_batch(text).map_err(|e| Error::Ddl {
        origin: origin.to_string(),
        reason: e.to_string(),
        loaded_as: Dialect::Sqlite,
    })?;
    Ok(conn)
}

#[cfg(feature = "postgres")]
/// Refuses a DDL file that controls its own transaction: its statements run inside one that is
/// rolled back once the file has been read, and a `COMMIT` in it would end that early.
fn refuse_transaction_control(text: &str, origin: &str) -> Result<()> {
    match crate::sql::split(text).into_iter().find(|s| crate::sql::transaction_control(s)) {
        Some(s) => Err(Error::Ddl {
            origin: origin.to_string(),
            reason: format!(
                "`{}`: a schema file may not control transactions (it is read inside one that is rolled back)",
                crate::sql::short(&s)
            ),
            loaded_as: Dialect::Postgres,
        }),
        None => Ok(()),
    }
}

/// Loads Postgres DDL on the `dev_url` server and reads it back, changing nothing that lasts:
/// the file runs inside one transaction that is rolled back after reading — in a fresh scratch
/// database ([`crate::scratch`], dropped right after), or in a scratch schema when the role may
/// not create databases. Statements that cannot run in a transaction (`CREATE DATABASE`,
/// `VACUUM`, …) and transaction control are refused. The file runs with the dev URL role's
/// privileges: point it at a throwaway server or a role without superuser.
#[cfg(feature = "postgres")]
pub async fn load_postgres_ddl(text: &str, origin: &str, dev_url: &str, iopts: &IntrospectOptions) -> Result<Schema> {
    use sqlx::{AssertSqlSafe, Connection};
    refuse_transaction_control(text, origin)?;
    let mut admin = crate::introspect::postgres::connect(dev_url).await?;
    crate::scratch::sweep_stale(&mut admin).await;
    let name = crate::scratch::new_name();
    let ddl_err = |e: sqlx::Error| Error::Ddl {
        origin: origin.to_string(),
        reason: crate::error::pg_message(&e),
        loaded_as: Dialect::Postgres,
    };
    if crate::scratch::create(&mut admin, dev_url, &name).await {
        let opts: sqlx::postgres::PgConnectOptions =
            dev_url.parse().map_err(|_| Error::input(format!("invalid dev database URL {}", redact_url(dev_url))))?;
        let result = async {
            let mut conn = sqlx::PgConnection::connect_with(&opts.database(&name).statement_cache_capacity(0))
                .await
                .map_err(|e| Error::postgres("connecting to the scratch database", e))?;
            let mut tx = conn.begin().await.map_err(|e| Error::postgres("starting a transaction", e))?;
            sqlx::raw_sql(AssertSqlSafe(text.to_string())).execute(&mut *tx).await.map_err(ddl_err)?;
            let schema = crate::introspect::postgres::introspect(&mut tx, iopts).await;
            let _ = tx.rollback().await;
            let _ = conn.close().await;
            schema
        }
        .await;
        crate::scratch::drop_database(&mut admin, &name).await?;
        return result;
    }
    // No CREATE DATABASE privilege: a scratch schema first on the search path, renamed back to
    // `public` in the result.
    let q = crate::sql::quote_ident(&name);
    let mut tx = admin.begin().await.map_err(|e| Error::postgres("starting a transaction", e))?;
    sqlx::raw_sql(AssertSqlSafe(format!("CREATE SCHEMA {q}; SET LOCAL search_path TO {q}")))
        .execute(&mut *tx)
        .await
        .map_err(|e| Error::postgres("creating a scratch schema", e))?;
    sqlx::raw_sql(AssertSqlSafe(text.to_string())).execute(&mut *tx).await.map_err(ddl_err)?;
    let scratch_opts = IntrospectOptions { schemas: vec![name.clone()], ..iopts.clone() };
    let mut schema = crate::introspect::postgres::introspect(&mut tx, &scratch_opts).await?;
    let _ = tx.rollback().await;
    let public = iopts.schemas.first().cloned().unwrap_or_else(|| "public".to_string());
    schema.rehome(&name, &public);
    Ok(schema)
}
