//! Fleets: one desired schema, many databases — SQLite files (one per device, customer or test
//! shard), Postgres schemas (one per tenant) or whole Postgres databases — audited and migrated
//! in parallel.
//!
//! * [`parse_targets`] turns `TARGET` arguments (paths, globs expanded here, `@FILE` lists,
//!   Postgres URLs with schema patterns) into [`TargetSpec`]s.
//! * [`audit`] compares every target with the desired schema and streams one [`TargetReport`]
//!   per target as it finishes; the [`FleetReport`] groups identical drift, so 3,000 files
//!   missing the same index read as one line with a count. A [`Baseline`] of accepted drift
//!   makes a run fail only on drift that is new.
//! * [`apply`] migrates every target with the one safety procedure of [`crate::apply::migrate`]
//!   (destructive steps refused unless allowed, preflight, rehearsal, one transaction, a
//!   `schema_version` row), recording each finished target in a [`Ledger`] so an interrupted
//!   run resumes where it stopped and never applies twice; `canary` targets go first.
//!
//! Work runs on `jobs` workers: OS threads for SQLite files (each file is read on its own
//! connection), tasks with one connection each for Postgres. A Postgres database holding many
//! tenants is read with *one* introspection of all matching schemas (a constant number of
//! catalog queries for 1 or 1,000 tenants), then split per tenant. Each tenant is compared as
//! if it were the template schema (`FleetOptions::template_schema`, default `public`), so
//! drift reads the same for every tenant and groups.
//!
//! ```no_run
//! # async fn run() -> schema_sync_core::Result<()> {
//! use schema_sync_core::fleet::{self, FleetOptions};
//! let targets = fleet::parse_targets(&["shards/*.db".to_string()], &[])?;
//! let desired = schema_sync_core::snapshot::read(std::path::Path::new("schema.json"))?;
//! let report = fleet::audit(&targets, &desired, &FleetOptions::default(), None, &mut |r| {
//!     println!("{} {:?}", r.target, r.state)
//! })
//! .await?;
//! assert!(report.summary.drifted == 0);
//! # Ok(()) }
//! ```

mod apply;
mod audit;
mod baseline;
mod ledger;
mod report;
mod targets;
mod workers;

pub use apply::{apply, ApplyOptions};
pub use audit::{audit, drift_items, READ_ONCE_FROM};
pub use baseline::Baseline;
pub use ledger::Ledger;
pub use report::{FleetReport, Group, Status, Summary};
pub use targets::{parse_targets, TargetSpec};

use crate::diff::DiffOptions;
use crate::Error;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// One database (or tenant schema) of a fleet.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A Postgres database (`schema: None`: its `public` schema) or one schema of it.
    Postgres {
        /// The URL (shown redacted).
        url: String,
        /// The tenant schema.
        schema: Option<String>,
    },
}

impl Target {
    /// How the target is named in reports, ledgers and baselines: the path, or the URL with
    /// its password removed and `#schema` for a tenant.
    pub fn display(&self) -> String {
        match self {
            Target::Sqlite(p) => p.display().to_string(),
            Target::Postgres { url, schema: None } => crate::url::redact_url(url),
            Target::Postgres { url, schema: Some(s) } => format!("{}#{s}", crate::url::redact_url(url)),
        }
    }

    /// `sqlite` or `postgres`.
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Sqlite(_) => "sqlite",
            Target::Postgres { .. } => "postgres",
        }
    }
}

/// What became of one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Audit: the target has the desired schema.
    InSync,
    /// Audit: it drifts, but only as the baseline accepts.
    KnownDrift,
    /// Audit: it drifts (with a baseline: in a way the baseline does not accept).
    Drifted,
    /// Audit: it could not be read (missing, not a database, locked, unreachable).
    Unreadable,
    /// Apply: migrated and committed in this run.
    Migrated,
    /// Apply: the ledger says an earlier run finished it; not opened.
    AlreadyDone,
    /// Apply: it could not be migrated; nothing in it changed.
    Failed,
    /// Apply: not attempted (a canary failed, or the run was cancelled).
    Skipped,
}

impl State {
    /// `true` for the states that make a run exit 2.
    pub fn is_error(self) -> bool {
        matches!(self, State::Unreadable | State::Failed)
    }

    /// Lower-case words for reports.
    pub fn words(self) -> &'static str {
        match self {
            State::InSync => "in sync",
            State::KnownDrift => "known drift only",
            State::Drifted => "drifted",
            State::Unreadable => "unreadable",
            State::Migrated => "migrated",
            State::AlreadyDone => "already done (ledger)",
            State::Failed => "failed",
            State::Skipped => "skipped",
        }
    }
}

/// The result for one target, streamed as soon as the target is done.
#[derive(Debug, Clone, Serialize)]
pub struct TargetReport {
    /// The target, as [`Target::display`] names it.
    pub target: String,
    /// `sqlite` or `postgres`.
    pub kind: &'static str,
    /// What became of it.
    pub state: State,
    /// Every difference from the desired schema, one line each (`+` the target lacks it, `-`
    /// the target has it and the desired schema does not, `~` it differs), as
    /// [`drift_items`] words them. Apply: the drift that was migrated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<String>,
    /// With a baseline: the drift it does not accept (what makes an audit fail).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub new_drift: Vec<String>,
    /// With a baseline: accepted drift of this target that is no longer there.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resolved_drift: Vec<String>,
    /// Why it is unreadable, failed or skipped: one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The error itself, for callers that word errors their own way (the CLI adds flags).
    #[serde(skip)]
    pub cause: Option<Arc<Error>>,
    /// Apply: the `schema_version` row recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// Apply: rows copied by SQLite table rebuilds (each verified equal before and after).
    #[serde(skip_serializing_if = "is_zero")]
    pub rows_copied: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl TargetReport {
    /// A report with nothing but a state.
    pub(crate) fn new(target: &Target, state: State) -> Self {
        TargetReport {
            target: target.display(),
            kind: target.kind(),
            state,
            drift: Vec::new(),
            new_drift: Vec::new(),
            resolved_drift: Vec::new(),
            error: None,
            cause: None,
            version: None,
            rows_copied: 0,
        }
    }

    /// A target that failed (or could not be read) with `error`.
    pub(crate) fn failed(target: &Target, state: State, error: Error) -> Self {
        let mut r = Self::new(target, state);
        r.error = Some(one_line(&error.to_string()));
        r.cause = Some(Arc::new(error));
        r
    }

    /// The drift that decides the outcome: the new drift with a baseline, else all of it.
    pub fn deciding_drift(&self) -> &[String] {
        if self.new_drift.is_empty() {
            &self.drift
        } else {
            &self.new_drift
        }
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How a fleet is audited or migrated.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// Targets worked on at once (SQLite threads; Postgres connections per database). `0`: the
    /// number of cores.
    pub jobs: usize,
    /// Name folding and ignored tables, as for one database. `default_schema` is set per
    /// tenant.
    pub diff: DiffOptions,
    /// How long a SQLite file locked by a writer is waited for before it is reported
    /// unreadable (audit) or failed (apply).
    pub busy_timeout: Duration,
    /// The schema of the desired state that each tenant schema is compared with and migrated
    /// to (a desired schema read from a reference database's `public`); default `public`.
    pub template_schema: String,
}

impl Default for FleetOptions {
    fn default() -> Self {
        FleetOptions {
            jobs: 0,
            diff: DiffOptions::default(),
            busy_timeout: Duration::from_millis(500),
            template_schema: crate::resolve::DEFAULT_PG_SCHEMA.to_string(),
        }
    }
}

impl FleetOptions {
    /// `jobs`, with `0` meaning the number of cores.
    pub fn workers(&self) -> usize {
        if self.jobs > 0 {
            self.jobs
        } else {
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
        }
    }
}
