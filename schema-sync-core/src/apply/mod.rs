//! Running a plan against a live database, safely — written once for every backend.
//!
//! [`migrate`] is the one safety procedure every caller uses (the CLI's `apply`, `sync`, the
//! `testing` asserts, the examples): compare the live schema with the target, plan, render,
//! refuse destructive steps unless allowed, count the rows a step would fail on and refuse with
//! the numbers, optionally rehearse in a transaction that is rolled back, then take the write
//! lock and run everything in one transaction — re-reading the live schema first (refusing when
//! it moved), verifying the result equals the target, and recording a `schema_version` row —
//! and commit. Any error rolls everything back.
//!
//! A backend is a [`Database`] ([`sqlite::SqliteDatabase`], [`postgres::PgDatabase`]); the
//! procedure never asks which one it has.
//!
//! ```
//! # #[cfg(feature = "sqlite")] {
//! use schema_sync_core::apply::{migrate_blocking, ApplyOptions};
//! use schema_sync_core::model::{Column, PrimaryKey, Schema, Table};
//! use schema_sync_core::types::SqlType;
//!
//! let mut conn = rusqlite::Connection::open_in_memory().unwrap();
//! let mut users = Table::new("users");
//! users.columns.push(Column::new("id", SqlType::BigInt).not_null());
//! users.primary_key = Some(PrimaryKey::on(["id"]));
//! let target = Schema { tables: vec![users], ..Schema::default() };
//! let outcome = migrate_blocking(&mut conn, &target, &ApplyOptions::default()).unwrap();
//! assert!(outcome.applied);
//! assert_eq!(outcome.version, Some(1));
//! # }
//! ```

mod budget;
mod database;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod preflight;
#[cfg(feature = "sqlite")]
pub mod sqlite;

pub use crate::error::Blocker;
pub use budget::{LockBudget, StepLimits};
pub use database::{Blocking, Database, IntoDatabase, VersionRecord, VersionRow, VERSION_TABLE};

use crate::diff::{self, Comparison, DiffOptions};
use crate::error::Verification;
use crate::model::Schema;
use crate::plan::{self, Capabilities, Plan, PlanOptions};
use crate::render::{self, Statement};
use crate::{Error, Result};
use serde::Serialize;

/// How to apply.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Run steps that delete data or drop objects (`DeletesData`, `DropsObject` hazards). Off
    /// by default.
    pub allow_destructive: bool,
    /// Plan and render only; change nothing.
    pub dry_run: bool,
    /// Record a `schema_version` row in the same transaction (default on).
    pub record_version: bool,
    /// `schema_version.description`.
    pub description: Option<String>,
    /// `schema_version.checksum`; default: checksum of the target schema as given.
    pub checksum: Option<String>,
    /// Diff options (renames, name folding, ignored tables).
    pub diff: DiffOptions,
    /// Plan options (online form — on by default —, conversions, backfills).
    pub plan: PlanOptions,
    /// Count rows that would make a step fail before anything runs, and refuse with the
    /// numbers (default on).
    pub preflight: bool,
    /// Rehearse the plan first: run it in a transaction that is always rolled back, so a step
    /// that fails on the live data stops the run before anything is committed.
    pub validate: bool,
    /// Lock and statement timeouts and retries (Postgres).
    pub budget: LockBudget,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        Self {
            allow_destructive: false,
            dry_run: false,
            record_version: true,
            description: None,
            checksum: None,
            diff: DiffOptions::default(),
            // A live Postgres gets the online form (SQLite plans are never online).
            plan: PlanOptions { online: true, ..PlanOptions::default() },
            preflight: true,
            validate: false,
            budget: LockBudget::default(),
        }
    }
}

/// What happened.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The comparison the plan was built from.
    pub comparison: Comparison,
    /// The plan.
    pub plan: Plan,
    /// The statements (run, or that would run).
    pub statements: Vec<Statement>,
    /// `true` when the statements ran and were committed.
    pub applied: bool,
    /// The `schema_version` recorded, if any.
    pub version: Option<i64>,
    /// Rows copied by SQLite rebuilds (each verified equal before and after).
    pub rows_copied: u64,
}

/// Compares `live` with `target`, plans for `caps` and renders: the pure part of every apply.
pub fn prepare(live: &Schema, target: &Schema, caps: &Capabilities, opts: &ApplyOptions) -> Result<Outcome> {
    let comparison = diff::compare(live, target, Some(caps.dialect), &opts.diff)?;
    let plan = plan::plan(&comparison, caps, &opts.plan);
    let statements = render::render(&plan)?;
    Ok(Outcome { comparison, plan, statements, applied: false, version: None, rows_copied: 0 })
}

/// Brings the database behind `db` to `target` (models, a snapshot, a DDL file or another
/// database's schema): the safety procedure described in the [module docs](self). With
/// `opts.dry_run` it plans and changes nothing.
///
/// `db` is a `&mut rusqlite::Connection`, a `&mut PgConnection`, a pooled Postgres connection,
/// or any [`Database`].
pub async fn migrate<D: IntoDatabase>(db: D, target: &Schema, opts: &ApplyOptions) -> Result<Outcome> {
    let mut db = db.into_database();
    migrate_database(&mut db, target, opts).await
}

/// [`migrate`] for a backend that never waits on a reactor (SQLite), without an async runtime.
pub fn migrate_blocking<D>(db: D, target: &Schema, opts: &ApplyOptions) -> Result<Outcome>
where
    D: IntoDatabase,
    D::Database: Blocking,
{
    block_on(migrate(db, target, opts))
}

/// The `schema_version` rows of `db`, oldest first (empty when it has none).
pub async fn versions<D: IntoDatabase>(db: D) -> Result<Vec<VersionRow>> {
    db.into_database().versions().await
}

/// [`migrate`] on a [`Database`] value (keeps its scope, e.g. the Postgres schemas to read).
pub async fn migrate_database<D: Database + ?Sized>(
    db: &mut D,
    target: &Schema,
    opts: &ApplyOptions,
) -> Result<Outcome> {
    let mut outcome = plan_against(db, target, opts).await?;
    if opts.dry_run || outcome.plan.is_empty() {
        return Ok(outcome);
    }
    check(db, &outcome, opts).await?;
    let record = opts.record_version.then(|| version_record(target, opts));
    if !outcome.plan.has_online_part() {
        let done = execute_within_budget(db, &outcome, opts, record.as_ref(), true).await?;
        outcome.applied = true;
        outcome.version = done.version;
        outcome.rows_copied = done.rows_copied;
        return Ok(outcome);
    }
    // The transaction, then the online part, then the check and the `schema_version` row in
    // a last short transaction — all under the migration lock, held across them.
    db.hold(true).await?;
    let result = async {
        let done = execute_within_budget(db, &outcome, opts, None, true).await?;
        run_online(db, &outcome, &opts.budget).await?;
        let version = finish_online(db, &outcome, opts, record.as_ref()).await?;
        Ok::<_, Error>((done, version))
    }
    .await;
    let released = db.hold(false).await;
    let (done, version) = result?;
    released?;
    outcome.applied = true;
    outcome.version = version;
    outcome.rows_copied = done.rows_copied;
    Ok(outcome)
}

/// Runs the online part of a plan whose transaction committed: each statement on its own,
/// under the step's budget, retried with backoff when a lock is not available. An index build
/// that fails is dropped again (`DROP INDEX CONCURRENTLY IF EXISTS`) so the next attempt, or
/// the next run, starts clean; a failure stops here, leaving a valid database that the next
/// run finishes.
pub async fn run_online<D: Database + ?Sized>(db: &mut D, outcome: &Outcome, budget: &LockBudget) -> Result<()> {
    let plan = &outcome.plan;
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    for st in outcome.statements.iter().filter(|s| !s.transactional) {
        let limits = budget.limits_for(plan, st.step);
        let cleanup = match &plan.steps[st.step] {
            crate::plan::Step::CreateIndex { table, index, concurrently: true } => Some(format!(
                "DROP INDEX CONCURRENTLY IF EXISTS {}",
                crate::sql::qualified(table.schema.as_deref(), &index.name)
            )),
            _ => None,
        };
        let mut attempt = 0;
        loop {
            match db.run_alone(&st.sql, &limits).await {
                Ok(()) => break,
                Err(e) => {
                    if let Some(sql) = &cleanup {
                        let _ = db.run_alone(sql, &budget.transaction_limits()).await;
                    }
                    if !e.is_lock_timeout() {
                        return Err(e);
                    }
                    if attempt >= budget.retries {
                        let tables: Vec<_> = plan.locks_of(st.step).map(|l| l.table.clone()).collect();
                        let blockers = db.blockers(&tables).await.unwrap_or_default();
                        return Err(Error::LockTimeout {
                            attempts: attempt + 1,
                            lock_timeout: budget.lock_timeout,
                            blockers,
                        });
                    }
                    attempt += 1;
                    db.pause(budget.pause(attempt, seed.wrapping_add(u64::from(attempt)))).await;
                }
            }
        }
    }
    Ok(())
}

/// After the online part: the live schema must equal the target; then the `schema_version`
/// row, in one short transaction.
async fn finish_online<D: Database + ?Sized>(
    db: &mut D,
    outcome: &Outcome,
    opts: &ApplyOptions,
    record: Option<&VersionRecord>,
) -> Result<Option<i64>> {
    db.begin(&Plan::empty(db.dialect())).await?;
    let result = async {
        db.limit(&opts.budget.transaction_limits()).await?;
        verify(&db.read_schema().await?, &outcome.comparison.to, &opts.diff)?;
        match record {
            Some(r) => Ok(Some(db.record_version(r).await?)),
            None => Ok(None),
        }
    }
    .await;
    finish_with(db, result).await
}

/// Closes the transaction of `db.begin` by `result`: commit on `Ok`, roll back on `Err`.
async fn finish_with<D: Database + ?Sized, T>(db: &mut D, result: Result<T>) -> Result<T> {
    match result {
        Ok(v) => {
            db.finish(true).await?;
            Ok(v)
        }
        Err(e) => {
            let _ = db.finish(false).await;
            Err(e)
        }
    }
}

/// Reads the live schema behind `db` and plans the change to `target` (nothing runs).
pub async fn plan_against<D: Database + ?Sized>(db: &mut D, target: &Schema, opts: &ApplyOptions) -> Result<Outcome> {
    db.scope_to(target);
    let live = db.read_schema().await?;
    let caps = db.capabilities().await?;
    let mut outcome = prepare(&live, target, &caps, opts)?;
    let tables = outcome.plan.locked_tables();
    if !tables.is_empty() {
        let sizes = db.table_sizes(&tables).await?;
        outcome.plan.estimate(&sizes);
    }
    Ok(outcome)
}

/// Every check that runs before a planned change, in order: destructive steps refused unless
/// allowed, the preflight row counts (with `opts.preflight`), the rehearsal (with
/// `opts.validate`). Changes nothing; `Ok` means the change may run.
pub async fn check<D: Database + ?Sized>(db: &mut D, outcome: &Outcome, opts: &ApplyOptions) -> Result<()> {
    check_destructive(&outcome.plan, opts.allow_destructive)?;
    if opts.preflight {
        let findings = preflight(db, outcome).await?;
        if !findings.is_empty() {
            return Err(Error::WouldFail { findings });
        }
    }
    if opts.validate {
        rehearse(db, outcome, opts).await?;
    }
    Ok(())
}

/// Runs the transactional part of `outcome` and the verification in a transaction that is
/// always rolled back: a rehearsal on the live data that changes nothing.
pub async fn rehearse<D: Database + ?Sized>(db: &mut D, outcome: &Outcome, opts: &ApplyOptions) -> Result<()> {
    match execute_within_budget(db, outcome, opts, None, false).await {
        Ok(_) => Ok(()),
        Err(e @ Error::LockTimeout { .. }) => Err(e),
        Err(e) => Err(Error::Rehearsal(Box::new(e))),
    }
}

/// [`execute`] under `opts.budget`: an attempt that runs out of lock budget is rolled back
/// (holding nothing while it waits), paused with backoff and jitter, and tried again; when the
/// retries are spent, [`Error::LockTimeout`] names the sessions holding the locks.
async fn execute_within_budget<D: Database + ?Sized>(
    db: &mut D,
    outcome: &Outcome,
    opts: &ApplyOptions,
    record: Option<&VersionRecord>,
    commit: bool,
) -> Result<Executed> {
    let budget = &opts.budget;
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
        ^ u64::from(std::process::id()) << 32;
    let mut attempt = 0;
    loop {
        match execute(db, outcome, &opts.diff, budget, record, commit).await {
            Err(e) if e.is_lock_timeout() && attempt < budget.retries => {
                attempt += 1;
                db.pause(budget.pause(attempt, seed.wrapping_add(u64::from(attempt)))).await;
            }
            Err(e) if e.is_lock_timeout() => {
                let blockers = db.blockers(&outcome.plan.locked_tables()).await.unwrap_or_default();
                return Err(Error::LockTimeout { attempts: attempt + 1, lock_timeout: budget.lock_timeout, blockers });
            }
            other => return other,
        }
    }
}

/// Runs the read-only preflight probes of `outcome`'s plan and returns those that found rows.
pub async fn preflight<D: Database + ?Sized>(db: &mut D, outcome: &Outcome) -> Result<Vec<preflight::Finding>> {
    let mut out = Vec::new();
    for probe in preflight::probes(&outcome.plan, &outcome.comparison.from) {
        match db.probe(&probe).await {
            Ok(0) => {}
            Ok(rows) => out.push(probe.found(rows)),
            // A value the cast rejects outright: the change would fail, say why.
            Err(e) if e.is_data_exception() => match &probe.finding.problem {
                preflight::Problem::ChangedValues { from, to } => {
                    let problem = preflight::Problem::Unconvertible {
                        from: from.clone(),
                        to: to.clone(),
                        reason: e.innermost().database_message().unwrap_or_else(|| e.to_string()),
                    };
                    out.push(preflight::Finding { problem, rows: 0, ..probe.finding.clone() })
                }
                _ => return Err(e),
            },
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Appends a `schema_version` row alone, in its own locked transaction (a database a
/// two-sided operation brought to a checksum without changing it).
pub async fn record_only<D: Database + ?Sized>(db: &mut D, record: &VersionRecord) -> Result<i64> {
    db.begin(&Plan::empty(db.dialect())).await?;
    let result = db.record_version(record).await;
    finish_with(db, result).await
}

/// The `schema_version` row a change to `target` records.
pub fn version_record(target: &Schema, opts: &ApplyOptions) -> VersionRecord {
    VersionRecord {
        checksum: opts.checksum.clone().unwrap_or_else(|| crate::snapshot::checksum(target)),
        description: opts.description.clone(),
    }
}

/// What [`execute`] did.
struct Executed {
    version: Option<i64>,
    rows_copied: u64,
}

/// The one transaction: lock, re-check the live schema, run every step of the transaction,
/// verify (unless an online part is still to come), record, then commit (or roll back when
/// `commit` is false, or on any error). The online part is [`run_online`]'s.
async fn execute<D: Database + ?Sized>(
    db: &mut D,
    outcome: &Outcome,
    diff_opts: &DiffOptions,
    budget: &LockBudget,
    record: Option<&VersionRecord>,
    commit: bool,
) -> Result<Executed> {
    let online = outcome.plan.has_online_part();
    db.begin(&outcome.plan).await?;
    let result = async {
        db.limit(&budget.transaction_limits()).await?;
        let live = db.read_schema().await?;
        check_unchanged(&live, &outcome.comparison.from, diff_opts)?;
        db.before_steps(&outcome.plan).await?;
        let mut rows_copied = 0;
        for (i, step) in outcome.plan.steps.iter().enumerate().take(outcome.plan.online_from) {
            let sql: Vec<&str> =
                outcome.statements.iter().filter(|s| s.step == i && s.transactional).map(|s| s.sql.as_str()).collect();
            if !sql.is_empty() {
                db.limit(&budget.limits_for(&outcome.plan, i)).await?;
            }
            rows_copied += db.run_step(step, &sql).await?;
        }
        db.limit(&budget.transaction_limits()).await?;
        db.after_steps().await?;
        if !online {
            verify(&db.read_schema().await?, &outcome.comparison.to, diff_opts)?;
        }
        let version = match record {
            Some(r) => Some(db.record_version(r).await?),
            None => None,
        };
        Ok::<_, Error>(Executed { version, rows_copied })
    }
    .await;
    match result {
        Ok(done) if commit => {
            db.finish(true).await?;
            Ok(done)
        }
        Ok(done) => {
            db.finish(false).await?;
            Ok(done)
        }
        Err(e) => {
            let _ = db.finish(false).await;
            Err(e)
        }
    }
}

/// Refuses a destructive plan unless allowed; the error lists what would be lost.
pub fn check_destructive(plan: &Plan, allow: bool) -> Result<()> {
    if allow {
        return Ok(());
    }
    let losses: Vec<String> =
        plan.hazards.iter().filter(|h| h.code.is_destructive()).map(|h| h.message.clone()).collect();
    if losses.is_empty() {
        Ok(())
    } else {
        Err(Error::Destructive { losses })
    }
}

/// `schema` without the tables a comparison leaves out (`ignore_tables`), so a live re-read
/// is compared the way the plan was.
fn compared(mut schema: Schema, opts: &DiffOptions) -> Schema {
    diff::drop_ignored(&mut schema, opts);
    schema
}

/// After running a plan: the live schema must equal the target.
fn verify(after: &Schema, target: &Schema, opts: &DiffOptions) -> Result<()> {
    let after = compared(after.clone(), opts);
    let left = diff::diff(&after, target);
    if left.is_empty() {
        return Ok(());
    }
    let c = Comparison::between(after, target.clone(), left);
    Err(Error::Verify(Verification::Differs { summary: diff::render_text(&c).replace('\n', " ").trim().to_string() }))
}

/// Before running a plan: the live schema must still be what the plan was made from.
fn check_unchanged(live: &Schema, expected: &Schema, opts: &DiffOptions) -> Result<()> {
    if diff::diff(&compared(live.clone(), opts), expected).is_empty() {
        Ok(())
    } else {
        Err(Error::SchemaChanged)
    }
}

/// Runs a future to completion on the current thread, parking between polls. For backends
/// whose futures never wait on an IO reactor ([`Blocking`]): they complete when first polled.
pub fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = std::pin::pin!(fut);
    loop {
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(v) => return v,
            Poll::Pending => std::thread::park(),
        }
    }
}
