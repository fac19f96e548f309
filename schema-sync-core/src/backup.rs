//! Backups taken before a change, verified readable before the change starts.
//!
//! * **SQLite**: SQLite's online backup API copies the database page by page into a new file,
//!   consistent even while other connections write; the copy is then opened and must pass
//!   `PRAGMA integrity_check`. Restore with [`restore_sqlite`] (or copy the file back).
//! * **Postgres**: `pg_dump` when it is on `PATH` and accepts the server (same or newer major
//!   version), else a dump written by us: `DROP TABLE IF EXISTS … CASCADE`, the `CREATE`
//!   statements of [`crate::render::schema_sql`] without foreign keys, the rows as `INSERT`s,
//!   identity/serial sequences moved past the restored keys, then the foreign keys; wrapped in
//!   `BEGIN`/`COMMIT` so `psql -f` or [`restore_postgres`] restores it atomically. Either file is
//!   read back and checked complete before the change starts.

use crate::{Error, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// How a backup was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// SQLite online backup API.
    SqliteBackupApi,
    /// `pg_dump --clean --if-exists --inserts` of the tables.
    PgDump,
    /// schema-sync's own schema + data dump.
    SchemaSyncDump,
}

/// A verified backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backup {
    /// The file written.
    pub path: PathBuf,
    /// How.
    pub method: Method,
    /// Tables in the backup.
    pub tables: usize,
    /// Size of the file in bytes.
    pub bytes: u64,
}

/// Last line of a dump written by us; its presence proves the file was written completely.
pub const DUMP_FOOTER: &str = "-- schema-sync dump complete";

#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
fn refuse_existing(path: &Path) -> Result<()> {
    if path.exists() {
        return Err(Error::input(format!("backup file `{}` already exists; choose a new path", path.display())));
    }
    Ok(())
}

#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Copies the SQLite database behind `conn` to a new file `dest` with the online backup API,
/// then opens the copy and requires `PRAGMA integrity_check` to say `ok`.
#[cfg(feature = "sqlite")]
pub fn sqlite(conn: &rusqlite::Connection, dest: &Path) -> Result<Backup> {
    refuse_existing(dest)?;
    conn.backup(rusqlite::MAIN_DB, dest, None)
        .map_err(|e| Error::sqlite(format!("backing up to `{}`", dest.display()), e))?;
    let copy = rusqlite::Connection::open_with_flags(dest, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| Error::sqlite(format!("opening the backup `{}`", dest.display()), e))?;
    let check: String = copy
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| Error::sqlite(format!("verifying the backup `{}`", dest.display()), e))?;
    if check != "ok" {
        return Err(Error::Verify(crate::error::Verification::Backup {
            path: dest.to_path_buf(),
            reason: format!("fails integrity_check: {check}"),
        }));
    }
    let tables: i64 = copy
        .query_row("SELECT count(*) FROM sqlite_schema WHERE type = 'table'", [], |r| r.get(0))
        .map_err(|e| Error::sqlite(format!("reading the backup `{}`", dest.display()), e))?;
    Ok(Backup { path: dest.to_path_buf(), method: Method::SqliteBackupApi, tables: tables as usize, bytes: size(dest) })
}

/// Restores the SQLite database behind `conn` from a backup file (online backup API, the other
/// way round).
#[cfg(feature = "sqlite")]
pub fn restore_sqlite(conn: &mut rusqlite::Connection, backup: &Path) -> Result<()> {
    conn.restore(rusqlite::MAIN_DB, backup, None::<fn(rusqlite::backup::Progress)>)
        .map_err(|e| Error::sqlite(format!("restoring from `{}`", backup.display()), e))
}

#[cfg(feature = "postgres")]
mod pg;
#[cfg(feature = "postgres")]
pub use pg::{postgres, restore_postgres, PgBackupOptions};
