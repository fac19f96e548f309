//! The backend interface: what schema-sync needs from a live database to change it safely.
//!
//! SQLite ([`super::sqlite::SqliteDatabase`]) and Postgres ([`super::postgres::PgDatabase`])
//! implement [`Database`]; the safety procedure ([`super::migrate`], [`super::rehearse`]) and
//! the Supabase file runner are written once on top of it. A new backend implements this trait
//! and gets every workflow (apply, sync, audit, migrate, the `testing` asserts) for free.

use super::budget::StepLimits;
use super::preflight::Probe;
use crate::error::Blocker;
use crate::model::{Schema, TableRef};
use crate::plan::{Capabilities, Plan, Step, TableSize};
use crate::types::Dialect;
use crate::Result;
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;

/// The name of the bookkeeping table kept in every managed database (see
/// [`crate::introspect::VERSION_TABLE`], which introspection leaves out).
pub const VERSION_TABLE: &str = crate::introspect::VERSION_TABLE;

/// One row of `schema_version`: one per change schema-sync applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionRow {
    /// 1, 2, 3, …
    pub version: i64,
    /// When it was applied (UTC, `YYYY-MM-DD HH:MM:SS`).
    pub applied_at: String,
    /// Checksum of the schema it brought the database to ([`crate::snapshot::checksum`]).
    pub checksum: String,
    /// What it was (`sync merge`, `supabase migration 2024…_add_users`, …).
    pub description: Option<String>,
}

/// What to write into `schema_version` in the same transaction as a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRecord {
    /// Checksum of the target schema.
    pub checksum: String,
    /// `schema_version.description`.
    pub description: Option<String>,
}

/// A live database that schema-sync reads and changes.
///
/// Every method that changes something runs inside the one transaction opened by
/// [`Database::begin`] and closed by [`Database::finish`]; the generic procedure guarantees that
/// `finish(false)` (roll back) follows any error. Implementations do IO only: deciding what to
/// run is the planner's job.
#[allow(async_fn_in_trait)] // used through generics only; each backend's futures are Send
pub trait Database {
    /// The dialect: which renderer prints for this database.
    fn dialect(&self) -> Dialect;

    /// Widens what [`Database::read_schema`] reads to what `target` touches (Postgres: the
    /// schemas `target`'s tables live in). SQLite has one namespace: nothing to do.
    fn scope_to(&mut self, target: &Schema);

    /// What the server can do in place (reads its version).
    async fn capabilities(&mut self) -> Result<Capabilities>;

    /// Reads the live schema (within the database's scope; bookkeeping tables left out).
    async fn read_schema(&mut self) -> Result<Schema>;

    /// Runs a read-only check ([`Probe`]: its setup statements, its `SELECT count(*) …`, its
    /// teardown whatever happened) and returns the count. The live schema is not changed.
    async fn probe(&mut self, probe: &Probe) -> Result<i64>;

    /// Takes the write lock and opens the one transaction (Postgres: `BEGIN` and the advisory
    /// lock; SQLite: foreign keys off *outside* the transaction when `plan` rebuilds or drops
    /// tables, then `BEGIN IMMEDIATE`).
    async fn begin(&mut self, plan: &Plan) -> Result<()>;

    /// Inside the transaction: the lock and statement timeouts for what runs next (Postgres
    /// `SET LOCAL lock_timeout`, `statement_timeout`; SQLite has its busy timeout instead).
    async fn limit(&mut self, limits: &StepLimits) -> Result<()>;

    /// Estimated rows and bytes of these tables, keyed by [`TableRef::display`] (empty when
    /// the backend cannot tell cheaply). One query for all of them.
    async fn table_sizes(&mut self, tables: &[TableRef]) -> Result<HashMap<String, TableSize>>;

    /// Other sessions holding locks on these tables (outside any transaction of ours): who a
    /// migration that ran out of lock budget was waiting for.
    async fn blockers(&mut self, tables: &[TableRef]) -> Result<Vec<Blocker>>;

    /// Waits `d` without holding anything (between attempts).
    async fn pause(&mut self, d: Duration);

    /// Inside the transaction, before the first step: set aside what the steps would break
    /// (Postgres: views over retyped or dropped columns are dropped, to be recreated by
    /// [`Database::after_steps`]; SQLite: foreign-key violations counted).
    async fn before_steps(&mut self, plan: &Plan) -> Result<()>;

    /// Runs one step's statements inside the transaction; returns the rows a table rebuild
    /// copied (verified equal before and after), else 0.
    async fn run_step(&mut self, step: &Step, statements: &[&str]) -> Result<u64>;

    /// Inside the transaction, after the last step: restore what [`Database::before_steps`] set
    /// aside and check what the steps must not have broken (SQLite: no new foreign-key
    /// violations).
    async fn after_steps(&mut self) -> Result<()>;

    /// Appends a `schema_version` row (creating the table when needed); returns its version.
    async fn record_version(&mut self, record: &VersionRecord) -> Result<i64>;

    /// Commits (`true`) or rolls back (`false`) the transaction of [`Database::begin`], and
    /// restores whatever `begin` changed around it. Rolling back when no transaction is open is
    /// not an error.
    async fn finish(&mut self, commit: bool) -> Result<()>;

    /// Runs one statement of a plan's online part on its own, outside any transaction
    /// schema-sync opened (`CREATE INDEX CONCURRENTLY`, which Postgres refuses inside one;
    /// `VALIDATE CONSTRAINT` in its own short transaction), under `limits` (Postgres: session
    /// `lock_timeout` and `statement_timeout`, reset afterwards).
    async fn run_alone(&mut self, sql: &str, limits: &StepLimits) -> Result<()>;

    /// Holds (`true`) or releases (`false`) the migration lock of [`Database::begin`] across
    /// transactions, for a plan with an online part: another migration of the same scope
    /// waits until the whole plan, online part included, is done. SQLite: nothing to do.
    async fn hold(&mut self, on: bool) -> Result<()>;

    /// Rows of `schema_version`, oldest first (empty when the table does not exist).
    async fn versions(&mut self) -> Result<Vec<VersionRow>>;
}

/// A backend whose futures never wait on a reactor (SQLite: every call completes when first
/// polled), so its procedures can run without an async runtime ([`super::migrate_blocking`]).
pub trait Blocking: Database {}

/// What can be turned into a [`Database`]: `&mut rusqlite::Connection`, `&mut PgConnection`,
/// a pooled Postgres connection, or a `Database` itself.
pub trait IntoDatabase {
    /// The backend.
    type Database: Database;
    /// Wraps `self` with the default scope (Postgres: schema `public`).
    fn into_database(self) -> Self::Database;
}
