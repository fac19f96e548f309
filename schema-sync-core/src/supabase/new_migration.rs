//! `migration new`: the Supabase migration that turns one schema into another, planned for
//! Postgres and written as a new file.

use super::{write_new, Header};
use crate::diff::{self, Comparison, DiffOptions};
use crate::model::Schema;
use crate::plan::{self, Capabilities, Plan, PlanOptions};
use crate::render;
use crate::resolve;
use crate::types::Dialect;
use crate::Result;
use std::path::{Path, PathBuf};

/// A migration planned but not yet written.
#[derive(Debug, Clone)]
pub struct MigrationPlan {
    /// `from` and `to` compared in Postgres.
    pub comparison: Comparison,
    /// The plan for the newest Postgres.
    pub plan: Plan,
    /// Its statements.
    pub statements: Vec<String>,
    /// Checksum of `to` as given (recorded in `schema_version` when the file is applied).
    pub checksum: String,
}

impl MigrationPlan {
    /// `true` when `from` already matches `to`: no file should be written.
    pub fn is_empty(&self) -> bool {
        self.comparison.is_empty()
    }

    /// Hazards as `Code: sentence` lines, as the file header lists them.
    pub fn hazard_lines(&self) -> Vec<String> {
        self.plan.hazards.iter().map(|h| format!("{:?}: {}", h.code, h.message)).collect()
    }
}

/// Plans the migration from `from` to `to` (any sources; a SQLite starting point is read as
/// its Postgres twin, since Supabase migrations are Postgres). Only conversions and backfills
/// of `plan_opts` apply: a migration file runs in one transaction.
pub fn plan_migration(
    from: &Schema,
    to: &Schema,
    diff_opts: &DiffOptions,
    plan_opts: &PlanOptions,
) -> Result<MigrationPlan> {
    let translated;
    let from = if from.dialect == Some(Dialect::Sqlite) {
        let namespace = diff_opts.default_schema.as_deref().unwrap_or(resolve::DEFAULT_PG_SCHEMA);
        translated = resolve::translate_in(from, Dialect::Postgres, None, namespace).0;
        &translated
    } else {
        from
    };
    let comparison = diff::compare(from, to, Some(Dialect::Postgres), diff_opts)?;
    let opts =
        PlanOptions { using: plan_opts.using.clone(), backfill: plan_opts.backfill.clone(), ..Default::default() };
    let plan = plan::plan(&comparison, &Capabilities::latest(Dialect::Postgres), &opts);
    let statements = render::render(&plan)?.into_iter().map(|s| s.sql).collect();
    Ok(MigrationPlan { comparison, plan, statements, checksum: crate::snapshot::checksum(to) })
}

/// Writes `planned` as a new migration `name` in `dir` (a version after every existing one,
/// from `now`, seconds since the epoch); `from`/`to` label the header. Returns the path.
pub fn write_migration(
    dir: &Path,
    name: &str,
    from: &str,
    to: &str,
    planned: &MigrationPlan,
    now: u64,
) -> Result<PathBuf> {
    let header = Header {
        title: name.to_string(),
        from: from.to_string(),
        to: to.to_string(),
        changes: diff::render_text(&planned.comparison),
        hazards: planned.hazard_lines(),
        checksum: Some(planned.checksum.clone()),
    };
    write_new(dir, name, &header, &planned.statements, now)
}
