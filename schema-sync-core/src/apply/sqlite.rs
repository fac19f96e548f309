//! The SQLite backend: `BEGIN IMMEDIATE` as the write lock, and the runtime half of the 12-step
//! table rebuild (foreign keys off *outside* the transaction, row
//! counts compared, `PRAGMA foreign_key_check` before commit).

use super::budget::StepLimits;
use super::database::{Blocking, Database, IntoDatabase, VersionRecord, VersionRow, VERSION_TABLE};
use super::preflight::Probe;
use crate::error::Blocker;
use crate::introspect::{sqlite as introspect, IntrospectOptions};
use crate::model::{Schema, TableRef};
use crate::plan::{Capabilities, Plan, Step, TableSize};
use crate::sql::quote_ident;
use crate::types::Dialect;
use crate::{Error, Result};
use rusqlite::{Connection, OptionalExtension};
use std::collections::HashMap;
use std::time::Duration;

/// A SQLite database behind a `rusqlite::Connection`, as a [`Database`].
///
/// ```
/// use schema_sync_core::apply::{sqlite::SqliteDatabase, Database};
/// let mut conn = rusqlite::Connection::open_in_memory().unwrap();
/// let mut db = SqliteDatabase::new(&mut conn);
/// let versions = schema_sync_core::apply::block_on(db.versions()).unwrap();
/// assert!(versions.is_empty());
/// ```
#[derive(Debug)]
pub struct SqliteDatabase<'c> {
    conn: &'c mut Connection,
    /// Tables left out of every read.
    exclude_tables: Vec<String>,
    /// `PRAGMA foreign_keys` was on and `begin` turned it off (restored by `finish`).
    restore_foreign_keys: bool,
    /// Foreign-key violations before the steps, when the plan rebuilds or drops tables.
    violations_before: Option<u64>,
}

impl<'c> SqliteDatabase<'c> {
    /// Wraps an open connection.
    pub fn new(conn: &'c mut Connection) -> Self {
        Self { conn, exclude_tables: Vec::new(), restore_foreign_keys: false, violations_before: None }
    }

    /// Leaves these tables out of every read (besides schema-sync's own bookkeeping).
    pub fn excluding(mut self, tables: Vec<String>) -> Self {
        self.exclude_tables = tables;
        self
    }

    /// The connection.
    pub fn connection(&mut self) -> &mut Connection {
        self.conn
    }

    fn exec(&self, sql: &str) -> Result<()> {
        self.conn.execute_batch(sql).map_err(|e| Error::sqlite(format!("running `{}`", crate::sql::short(sql)), e))
    }

    /// `PRAGMA quick_check`: `Ok` when it says `ok`, else [`Error::Corrupt`] with its first line.
    fn integrity(&self) -> Result<()> {
        let database = match self.conn.path() {
            Some(p) if !p.is_empty() => format!("sqlite:{p}"),
            _ => "the in-memory SQLite database".to_string(),
        };
        let result: std::result::Result<String, rusqlite::Error> =
            self.conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0));
        match result {
            Ok(ok) if ok == "ok" => Ok(()),
            Ok(detail) => Err(Error::Corrupt { database, detail }),
            Err(e) => Err(Error::Corrupt { database, detail: e.to_string() }),
        }
    }

    fn count_rows(&self, table: &str) -> Result<u64> {
        self.conn
            .query_row(&format!("SELECT count(*) FROM {}", quote_ident(table)), [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| Error::sqlite(format!("counting rows of `{table}`"), e))
    }

    fn fk_violations(&self) -> Result<u64> {
        self.conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| Error::sqlite("running PRAGMA foreign_key_check", e))
    }
}

/// Steps whose SQLite form needs foreign keys off: a rebuild drops and renames a table that
/// others may reference, a drop removes one.
fn needs_foreign_keys_off(plan: &Plan) -> bool {
    plan.steps.iter().any(|s| matches!(s, Step::RebuildTable { .. } | Step::DropTable { .. }))
}

impl Database for SqliteDatabase<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn scope_to(&mut self, _target: &Schema) {}

    async fn capabilities(&mut self) -> Result<Capabilities> {
        Ok(Capabilities::sqlite(introspect::server_version(self.conn)?))
    }

    async fn read_schema(&mut self) -> Result<Schema> {
        let opts = IntrospectOptions { exclude_tables: self.exclude_tables.clone(), ..Default::default() };
        introspect::introspect(self.conn, &opts)
    }

    async fn probe(&mut self, probe: &Probe) -> Result<i64> {
        let what = format!("checking {}", probe.finding.subject());
        let count = probe
            .setup
            .iter()
            .try_for_each(|sql| self.exec(sql))
            .and_then(|()| self.conn.query_row(&probe.sql, [], |r| r.get(0)).map_err(|e| Error::sqlite(&what, e)));
        // The teardown runs whatever happened; its own error counts only when the check ran.
        let teardown = probe.teardown.iter().try_for_each(|sql| self.exec(sql));
        let n = count?;
        teardown.map(|()| n)
    }

    async fn begin(&mut self, plan: &Plan) -> Result<()> {
        // Step 1 of the SQLite procedure: foreign keys off, outside the transaction (the
        // pragma is a no-op inside one).
        let on: bool = self
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get::<_, i64>(0))
            .map_err(|e| Error::sqlite("reading PRAGMA foreign_keys", e))?
            == 1;
        self.restore_foreign_keys = on && needs_foreign_keys_off(plan);
        if self.restore_foreign_keys {
            self.exec("PRAGMA foreign_keys = OFF")?;
        }
        if let Err(e) = self.conn.execute_batch("BEGIN IMMEDIATE") {
            if self.restore_foreign_keys {
                self.exec("PRAGMA foreign_keys = ON")?;
                self.restore_foreign_keys = false;
            }
            return Err(Error::sqlite("starting a write transaction (BEGIN IMMEDIATE)", e));
        }
        // A damaged file is never changed: checked under the write lock, so nothing else
        // writes between the check and the change.
        if let Err(e) = self.integrity() {
            let _ = self.finish(false).await;
            return Err(e);
        }
        Ok(())
    }

    async fn limit(&mut self, _limits: &StepLimits) -> Result<()> {
        Ok(())
    }

    async fn table_sizes(&mut self, _tables: &[TableRef]) -> Result<HashMap<String, TableSize>> {
        Ok(HashMap::new())
    }

    async fn blockers(&mut self, _tables: &[TableRef]) -> Result<Vec<Blocker>> {
        Ok(Vec::new())
    }

    async fn pause(&mut self, d: Duration) {
        std::thread::sleep(d);
    }

    async fn before_steps(&mut self, plan: &Plan) -> Result<()> {
        self.violations_before = if needs_foreign_keys_off(plan) { Some(self.fk_violations()?) } else { None };
        Ok(())
    }

    async fn run_step(&mut self, step: &Step, statements: &[&str]) -> Result<u64> {
        let Step::RebuildTable { from, to, .. } = step else {
            for sql in statements {
                self.exec(sql)?;
            }
            return Ok(0);
        };
        // The table's triggers were set aside by the plan's own steps (`DropTrigger` before,
        // `CreateTrigger` after): the written SQL does the same.
        let before = self.count_rows(&from.name)?;
        for sql in statements {
            self.exec(sql)?;
        }
        let after = self.count_rows(&to.name)?;
        if before != after {
            return Err(Error::Verify(crate::error::Verification::RowsLost { table: to.name.clone(), before, after }));
        }
        Ok(after)
    }

    async fn after_steps(&mut self) -> Result<()> {
        if let Some(before) = self.violations_before.take() {
            let after = self.fk_violations()?;
            if after > before {
                return Err(Error::Verify(crate::error::Verification::ForeignKeys { new_violations: after - before }));
            }
        }
        Ok(())
    }

    async fn record_version(&mut self, record: &VersionRecord) -> Result<i64> {
        let name = quote_ident(VERSION_TABLE);
        self.exec(&format!(
            "CREATE TABLE IF NOT EXISTS {name} (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, checksum TEXT NOT NULL, description TEXT)"
        ))?;
        self.conn
            .execute(
                &format!(
                    "INSERT INTO {name} (version, checksum, description) SELECT COALESCE(MAX(version), 0) + 1, ?1, ?2 FROM {name}"
                ),
                rusqlite::params![record.checksum, record.description],
            )
            .map_err(|e| Error::sqlite("recording schema_version", e))?;
        self.conn
            .query_row(&format!("SELECT MAX(version) FROM {name}"), [], |r| r.get(0))
            .map_err(|e| Error::sqlite("reading schema_version", e))
    }

    async fn finish(&mut self, commit: bool) -> Result<()> {
        let result = if self.conn.is_autocommit() {
            Ok(())
        } else if commit {
            self.conn.execute_batch("COMMIT").map_err(|e| Error::sqlite("committing", e))
        } else {
            self.conn.execute_batch("ROLLBACK").map_err(|e| Error::sqlite("rolling back", e))
        };
        if std::mem::take(&mut self.restore_foreign_keys) {
            self.exec("PRAGMA foreign_keys = ON")?;
        }
        result
    }

    async fn run_alone(&mut self, sql: &str, _limits: &StepLimits) -> Result<()> {
        self.exec(sql)
    }

    async fn hold(&mut self, _on: bool) -> Result<()> {
        Ok(())
    }

    async fn versions(&mut self) -> Result<Vec<VersionRow>> {
        let exists: Option<String> = self
            .conn
            .query_row("SELECT name FROM sqlite_schema WHERE type = 'table' AND name = ?1", [VERSION_TABLE], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| Error::sqlite("looking for schema_version", e))?;
        if exists.is_none() {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT version, applied_at, checksum, description FROM {} ORDER BY version",
                quote_ident(VERSION_TABLE)
            ))
            .map_err(|e| Error::sqlite("reading schema_version", e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(VersionRow {
                    version: r.get(0)?,
                    applied_at: r.get(1)?,
                    checksum: r.get(2)?,
                    description: r.get(3)?,
                })
            })
            .map_err(|e| Error::sqlite("reading schema_version", e))?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::sqlite("reading schema_version", e))?;
        Ok(rows)
    }
}

impl Blocking for SqliteDatabase<'_> {}

impl<'c> IntoDatabase for &'c mut Connection {
    type Database = SqliteDatabase<'c>;
    fn into_database(self) -> SqliteDatabase<'c> {
        SqliteDatabase::new(self)
    }
}

impl<'c> IntoDatabase for SqliteDatabase<'c> {
    type Database = SqliteDatabase<'c>;
    fn into_database(self) -> SqliteDatabase<'c> {
        self
    }
}
