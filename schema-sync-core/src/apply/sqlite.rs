//! Applying a plan to SQLite: `BEGIN IMMEDIATE`, the 12-step rebuild with its runtime parts
//! (foreign keys off outside the transaction, triggers saved and recreated, row counts checked,
//! `foreign_key_check` before commit), verification, `schema_version`, commit.

use super::{check_unchanged, verify, ApplyOptions, Outcome};
use crate::introspect::{sqlite as introspect, IntrospectOptions};
use crate::model::Schema;
use crate::plan::{Capabilities, Step};
use crate::render::{quote_ident, Statement};
use crate::types::Dialect;
use crate::{version, Error, Result};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

/// Capabilities of the SQLite library behind `conn`.
pub fn capabilities(conn: &Connection) -> Result<Capabilities> {
    Ok(Capabilities::sqlite(introspect::server_version(conn)?))
}

/// Brings the database behind `conn` to `target` (models, a snapshot, a DDL file or another
/// database's schema): compare, plan, refuse destructive steps unless allowed, then run it all
/// in one transaction. With `dry_run` nothing is changed.
pub fn migrate(conn: &mut Connection, target: &Schema, opts: &ApplyOptions) -> Result<Outcome> {
    let live = introspect::introspect(conn, &IntrospectOptions::default())?;
    let caps = capabilities(conn)?;
    let (mut outcome, run) = super::plan_outcome(&live, target, &caps, opts)?;
    if !run {
        return Ok(outcome);
    }
    if opts.preflight {
        super::refuse_findings(&preflight(conn, &outcome.plan, &outcome.comparison.from)?)?;
    }
    let checksum = opts.checksum.clone().unwrap_or_else(|| crate::snapshot::checksum(target));
    if opts.validate {
        // Rehearse on an in-memory copy (online backup API): the live file is not touched.
        let mut scratch = scratch_copy(conn)?;
        execute(&mut scratch, &outcome, &checksum, opts).map_err(|e| {
            Error::Refused(format!("validation on a scratch copy failed, nothing live was changed: {e}"))
        })?;
    }
    let (version, copied) = execute(conn, &outcome, &checksum, opts)?;
    outcome.applied = true;
    outcome.version = version;
    outcome.rows_copied = copied;
    Ok(outcome)
}

fn run(conn: &Connection, sql: &str) -> Result<()> {
    conn.execute_batch(sql).map_err(|e| Error::sqlite(format!("running `{}`", super::short(sql)), e))
}

fn count_rows(conn: &Connection, table: &str) -> Result<u64> {
    conn.query_row(&format!("SELECT count(*) FROM {}", quote_ident(table)), [], |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
        .map_err(|e| Error::sqlite(format!("counting rows of `{table}`"), e))
}

fn fk_violations(conn: &Connection) -> Result<u64> {
    conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
        .map_err(|e| Error::sqlite("running PRAGMA foreign_key_check", e))
}

fn triggers_of(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare(
            "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?1 COLLATE NOCASE AND sql IS NOT NULL",
        )
        .map_err(|e| Error::sqlite("reading triggers", e))?;
    let rows = stmt
        .query_map([table], |r| r.get::<_, String>(0))
        .map_err(|e| Error::sqlite("reading triggers", e))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::sqlite("reading triggers", e))?;
    Ok(rows)
}

/// An in-memory copy of the database behind `conn`, made with the online backup API.
fn scratch_copy(conn: &Connection) -> Result<Connection> {
    let mut scratch = Connection::open_in_memory().map_err(|e| Error::sqlite("opening a scratch database", e))?;
    {
        let backup = rusqlite::backup::Backup::new(conn, &mut scratch)
            .map_err(|e| Error::sqlite("copying the database for validation", e))?;
        backup
            .run_to_completion(256, std::time::Duration::ZERO, None)
            .map_err(|e| Error::sqlite("copying the database for validation", e))?;
    }
    Ok(scratch)
}

/// Rehearses bringing the database behind `conn` to `target` on an in-memory copy: the live
/// file is never touched. Fails as the real run would (preflight, destructive, SQL errors).
pub fn rehearse(conn: &Connection, target: &Schema, opts: &ApplyOptions) -> Result<()> {
    let mut scratch = scratch_copy(conn)?;
    let o = ApplyOptions { dry_run: false, validate: false, ..opts.clone() };
    migrate(&mut scratch, target, &o)
        .map(|_| ())
        .map_err(|e| Error::Refused(format!("validation on a scratch copy failed, nothing live was changed: {e}")))
}

/// Runs the preflight probes of `plan` (read-only) and returns those that found rows.
pub fn preflight(conn: &Connection, plan: &crate::plan::Plan, live: &Schema) -> Result<Vec<super::preflight::Finding>> {
    let mut out = Vec::new();
    for probe in super::preflight::probes(plan, live) {
        let rows: i64 = conn
            .query_row(&probe.sql, [], |r| r.get(0))
            .map_err(|e| Error::sqlite(format!("checking {}", probe.subject), e))?;
        if rows > 0 {
            out.push(super::preflight::Finding { probe, rows });
        }
    }
    Ok(out)
}

/// Runs a prepared plan. Returns the recorded version and the number of rows copied by rebuilds.
fn execute(
    conn: &mut Connection,
    outcome: &Outcome,
    checksum: &str,
    opts: &ApplyOptions,
) -> Result<(Option<i64>, u64)> {
    let plan = &outcome.plan;
    // Step 1 of the SQLite procedure: foreign keys off, outside the transaction (the pragma is a
    // no-op inside one). Needed by rebuilds and drops, restored whatever happens.
    let needs_fk_off = plan.steps.iter().any(|s| matches!(s, Step::RebuildTable { .. } | Step::DropTable { .. }));
    let fk_was_on: bool = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get::<_, i64>(0))
        .map_err(|e| Error::sqlite("reading PRAGMA foreign_keys", e))?
        == 1;
    if needs_fk_off && fk_was_on {
        run(conn, "PRAGMA foreign_keys = OFF")?;
    }
    let result = run_in_transaction(conn, outcome, checksum, opts, needs_fk_off);
    if needs_fk_off && fk_was_on {
        run(conn, "PRAGMA foreign_keys = ON")?;
    }
    result
}

fn run_in_transaction(
    conn: &mut Connection,
    outcome: &Outcome,
    checksum: &str,
    opts: &ApplyOptions,
    check_fks: bool,
) -> Result<(Option<i64>, u64)> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| Error::sqlite("starting a write transaction (BEGIN IMMEDIATE)", e))?;
    let live = introspect::introspect(&tx, &IntrospectOptions::default())?;
    check_unchanged(&live, &outcome.comparison.from)?;
    let violations_before = if check_fks { fk_violations(&tx)? } else { 0 };
    let mut copied = 0;
    let by_step = |i: usize| outcome.statements.iter().filter(move |s: &&Statement| s.step == i);
    for (i, step) in outcome.plan.steps.iter().enumerate() {
        match step {
            Step::RebuildTable { from, to, .. } => {
                let triggers = triggers_of(&tx, &from.name)?;
                let before = count_rows(&tx, &from.name)?;
                for s in by_step(i) {
                    run(&tx, &s.sql)?;
                }
                for t in &triggers {
                    run(&tx, t)?;
                }
                let after = count_rows(&tx, &to.name)?;
                if before != after {
                    return Err(Error::Verify(format!("rebuild of `{}` copied {after} of {before} rows", to.name)));
                }
                copied += after;
            }
            _ => {
                for s in by_step(i) {
                    run(&tx, &s.sql)?;
                }
            }
        }
    }
    if check_fks {
        let after = fk_violations(&tx)?;
        if after > violations_before {
            return Err(Error::Verify(format!(
                "PRAGMA foreign_key_check reports {} new violation(s)",
                after - violations_before
            )));
        }
    }
    let after = introspect::introspect(&tx, &IntrospectOptions::default())?;
    verify(&after, &outcome.comparison.to)?;
    let version = if opts.record_version { Some(record(&tx, checksum, opts.description.as_deref())?) } else { None };
    tx.commit().map_err(|e| Error::sqlite("committing", e))?;
    Ok((version, copied))
}

/// Creates `schema_version` if needed and appends a row; returns its version.
pub fn record(conn: &Connection, checksum: &str, description: Option<&str>) -> Result<i64> {
    run(conn, &version::create_sql(Dialect::Sqlite, None))?;
    conn.execute(&version::insert_sql(Dialect::Sqlite, None), rusqlite::params![checksum, description])
        .map_err(|e| Error::sqlite("recording schema_version", e))?;
    conn.query_row(&format!("SELECT MAX(version) FROM {}", version::quoted()), [], |r| r.get(0))
        .map_err(|e| Error::sqlite("reading schema_version", e))
}

/// Rows of `schema_version`, oldest first (empty when the table does not exist).
pub fn versions(conn: &Connection) -> Result<Vec<version::VersionRow>> {
    let exists: Option<String> = conn
        .query_row("SELECT name FROM sqlite_schema WHERE type = 'table' AND name = ?1", [version::TABLE], |r| r.get(0))
        .optional()
        .map_err(|e| Error::sqlite("looking for schema_version", e))?;
    if exists.is_none() {
        return Ok(Vec::new());
    }
    let mut stmt = conn
        .prepare(&version::select_sql(Dialect::Sqlite, None))
        .map_err(|e| Error::sqlite("reading schema_version", e))?;
    let rows = stmt
        .query_map([], |r| {
            Ok(version::VersionRow {
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
