//! `migration new`: the Supabase migration that turns one schema into another, planned for
//! Postgres and written as new files.
//!
//! The plan's transaction is one file; in the online form ([`PlanOptions::online`]) each step
//! of its online part is a file of its own after it, because of how the Supabase CLI runs a
//! file: all its statements in one pipeline, which Postgres treats as one transaction —
//! `VALIDATE CONSTRAINT` there would hold the `ADD … NOT VALID`'s lock for its whole scan, and
//! `CREATE INDEX CONCURRENTLY` is refused (the CLI ≥ 2.109 runs `CREATE`/`DROP INDEX
//! CONCURRENTLY` on their own, outside the batch). Every file starts with `SET lock_timeout`;
//! a concurrent build is preceded by `DROP INDEX CONCURRENTLY IF EXISTS` of the same name, so a
//! file that failed half-way (leaving an invalid index) can simply run again.

use super::{write_new, Header};
use crate::diff::{self, Comparison, DiffOptions};
use crate::model::Schema;
use crate::plan::{self, Capabilities, Plan, PlanOptions};
use crate::render::{self, Statement};
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
    /// Its statements (those of the online part marked not transactional).
    pub statements: Vec<Statement>,
    /// Checksum of `to` as given (recorded in `schema_version` when the file is applied).
    pub checksum: String,
    /// Planned in the online form.
    pub online: bool,
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

    /// The statements of each file, in order: the transaction, then one file per step of the
    /// online part; each starts with `SET lock_timeout` (see `supabase::new_migration`).
    pub fn files(&self) -> Vec<Vec<String>> {
        let lock_timeout = format!("SET lock_timeout = '{LOCK_TIMEOUT}'");
        let mut files: Vec<Vec<String>> = Vec::new();
        let mut last_step = None;
        for st in &self.statements {
            let online = self.plan.is_online(st.step);
            if files.is_empty() || (online && last_step != Some(st.step)) {
                files.push(vec![lock_timeout.clone()]);
                if let crate::plan::Step::CreateIndex { table, index, concurrently: true } = &self.plan.steps[st.step] {
                    let name = crate::sql::qualified(table.schema.as_deref(), &index.name);
                    files.last_mut().expect("pushed").push(format!("DROP INDEX CONCURRENTLY IF EXISTS {name}"));
                }
            }
            last_step = Some(st.step);
            files.last_mut().expect("pushed").push(st.sql.clone());
        }
        acknowledge(&mut files, self.online);
        files
    }
}

/// Lint rules a written file trips on purpose, because the statement *is* the change asked for
/// (a type change, a rename, a drop, a column whose default is computed per row): each such
/// statement gets `-- schema-sync-lint: allow …` (the header lists it under Hazards). Written
/// with `--no-online`, the plain form's lock rules are acknowledged too. Anything else the lint
/// finds stays visible: a lock hazard in an online file is a bug.
const DELIBERATE: &[&str] = &["SS006", "SS007", "SS008", "SS009"];

fn acknowledge(files: &mut [Vec<String>], online: bool) {
    let mut cx = crate::lint::Context::default();
    for statements in files.iter_mut() {
        let text: String = statements.iter().map(|s| format!("{s};\n")).collect();
        let mut starts = Vec::with_capacity(statements.len());
        let mut line = 1;
        for s in statements.iter() {
            starts.push(line);
            line += s.matches('\n').count() + 1;
        }
        let mut allow: Vec<Vec<&'static str>> = vec![Vec::new(); statements.len()];
        for f in crate::lint::lint_in(&mut cx, &text, "migration") {
            if let Some(k) = starts.iter().position(|&l| l == f.line) {
                if (!online || DELIBERATE.contains(&f.rule)) && !allow[k].contains(&f.rule) {
                    allow[k].push(f.rule);
                }
            }
        }
        for (s, rules) in statements.iter_mut().zip(allow) {
            if !rules.is_empty() {
                let why = if online { "the change itself, listed under Hazards" } else { "written with --no-online" };
                *s = format!("-- schema-sync-lint: allow {}\n-- ({why})\n{s}", rules.join(", "));
            }
        }
    }
}

/// The `lock_timeout` every migration file starts with.
pub const LOCK_TIMEOUT: &str = "3s";

/// Plans the migration from `from` to `to` (any sources; a SQLite starting point is read as
/// its Postgres twin, since Supabase migrations are Postgres). Of `plan_opts`, the online form,
/// conversions and backfills apply (batched backfills do not: a file runs as one transaction).
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
    let opts = PlanOptions {
        online: plan_opts.online,
        using: plan_opts.using.clone(),
        backfill: plan_opts.backfill.clone(),
        ..Default::default()
    };
    let plan = plan::plan(&comparison, &Capabilities::latest(Dialect::Postgres), &opts);
    let statements = render::render(&plan)?;
    Ok(MigrationPlan { comparison, plan, statements, checksum: crate::snapshot::checksum(to), online: opts.online })
}

/// Writes `planned` as new migrations in `dir` (versions after every existing one, from
/// `now`, seconds since the epoch): `name`, then `name_online_1`, `name_online_2`, … for the
/// steps of the online part ([`MigrationPlan::files`]); `from`/`to` label the headers, and the
/// last file carries the checksum of `to` (applied, it is where the database arrives).
/// Returns the paths, in order.
pub fn write_migration(
    dir: &Path,
    name: &str,
    from: &str,
    to: &str,
    planned: &MigrationPlan,
    now: u64,
) -> Result<Vec<PathBuf>> {
    let files = planned.files();
    let n = files.len();
    let mut paths = Vec::new();
    for (k, statements) in files.iter().enumerate() {
        let (title, changes) = if k == 0 {
            (name.to_string(), diff::render_text(&planned.comparison))
        } else {
            (
                format!("{name}_online_{k}"),
                format!(
                    "Online part {k} of {} of `{name}`: runs on its own, after the files before it.\n\
                     CONCURRENTLY cannot run inside a transaction block, and a validation must not hold the\n\
                     lock of the ADD … NOT VALID before it (Supabase CLI >= 2.109 runs CREATE/DROP INDEX\n\
                     CONCURRENTLY standalone; with an older CLI, write the migration with --no-online).",
                    n - 1
                ),
            )
        };
        let header = Header {
            title: title.clone(),
            from: from.to_string(),
            to: to.to_string(),
            changes,
            hazards: if k == 0 { planned.hazard_lines() } else { Vec::new() },
            checksum: (k + 1 == n).then(|| planned.checksum.clone()),
        };
        paths.push(write_new(dir, &title, &header, statements, now)?);
    }
    Ok(paths)
}
