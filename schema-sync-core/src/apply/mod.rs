//! Running a plan against a live database, safely.
//!
//! Both dialects follow one procedure: take the write lock and open one transaction (Postgres:
//! `BEGIN` + `pg_advisory_xact_lock`; SQLite: `BEGIN IMMEDIATE`), re-read the live schema and
//! refuse if it is no longer the plan's `from`, run every statement, re-read the schema and
//! require it to equal the target, record a `schema_version` row, commit. Any error rolls
//! everything back. Destructive steps are refused unless allowed.

#[cfg(feature = "postgres")]
pub mod postgres;
pub mod preflight;
#[cfg(feature = "sqlite")]
pub mod sqlite;

use crate::diff::{self, Comparison, DiffOptions};
use crate::model::Schema;
use crate::plan::{self, Capabilities, HazardCode, Plan, PlanOptions};
use crate::render::{self, Statement};
use crate::{Error, Result};
use serde::Serialize;

/// How to apply.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Run steps that delete data (`DeletesData` hazards). Off by default.
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
    /// Plan options (concurrent indexes, NOT VALID, conversions, backfills).
    pub plan: PlanOptions,
    /// Count rows that would make a step fail before anything runs, and refuse with the
    /// numbers (default on).
    pub preflight: bool,
    /// Rehearse the plan first where nothing live can change: SQLite on an in-memory copy made
    /// with the backup API; Postgres inside a transaction that is always rolled back.
    pub validate: bool,
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
            plan: PlanOptions::default(),
            preflight: true,
            validate: false,
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

/// Compares, plans and renders: the pure part shared by every apply.
pub fn prepare(
    live: &Schema,
    target: &Schema,
    caps: &Capabilities,
    opts: &ApplyOptions,
) -> Result<(Comparison, Plan, Vec<Statement>)> {
    let comparison = diff::compare(live, target, Some(caps.dialect), &opts.diff)?;
    let plan = plan::plan(&comparison.from, &comparison.to, &comparison.changes, caps, &opts.plan);
    let statements = render::render(&plan)?;
    Ok((comparison, plan, statements))
}

/// The part of every `migrate` before anything runs: compare, plan, render, and (when the plan
/// will run) refuse destructive steps unless allowed. Returns the outcome and whether to run it.
pub fn plan_outcome(
    live: &Schema,
    target: &Schema,
    caps: &Capabilities,
    opts: &ApplyOptions,
) -> Result<(Outcome, bool)> {
    let (comparison, plan, statements) = prepare(live, target, caps, opts)?;
    let outcome = Outcome { comparison, plan, statements, applied: false, version: None, rows_copied: 0 };
    if opts.dry_run || outcome.plan.is_empty() {
        return Ok((outcome, false));
    }
    check_destructive(&outcome.plan, opts.allow_destructive)?;
    Ok((outcome, true))
}

/// Refuses when a preflight probe found rows that would make a step fail.
pub fn refuse_findings(findings: &[preflight::Finding]) -> Result<()> {
    if findings.is_empty() {
        Ok(())
    } else {
        Err(preflight::refuse(findings))
    }
}

/// Refuses a destructive plan unless allowed; the message lists what would be lost.
pub fn check_destructive(plan: &Plan, allow: bool) -> Result<()> {
    if allow {
        return Ok(());
    }
    let lost: Vec<&str> = plan.hazards_of(HazardCode::DeletesData).map(|h| h.message.as_str()).collect();
    if lost.is_empty() {
        Ok(())
    } else {
        Err(Error::Refused(format!("destructive change needs --allow-destructive: {}", lost.join("; "))))
    }
}

/// After running a plan: the live schema must equal the target.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
pub(crate) fn verify(after: &Schema, target: &Schema) -> Result<()> {
    let left = diff::diff(after, target);
    if left.is_empty() {
        Ok(())
    } else {
        let c = Comparison {
            dialect: after.dialect.unwrap_or(crate::Dialect::Postgres),
            from: after.clone(),
            to: target.clone(),
            changes: left,
            notes: vec![],
            cross_dialect: false,
        };
        Err(Error::Verify(format!(
            "database differs from the target after applying: {}",
            diff::render_text(&c).replace('\n', " ").trim()
        )))
    }
}

/// Before running a plan: the live schema must still be what the plan was made from.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
pub(crate) fn check_unchanged(live: &Schema, expected: &Schema) -> Result<()> {
    if diff::diff(live, expected).is_empty() {
        Ok(())
    } else {
        Err(Error::Refused("the live schema changed since the plan was made; run again".into()))
    }
}

/// One line of at most 160 characters of a SQL text, for error messages.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
pub(crate) fn short(sql: &str) -> String {
    let one_line: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 160 {
        format!("{}…", one_line.chars().take(160).collect::<String>())
    } else {
        one_line
    }
}
