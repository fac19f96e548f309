//! The day-to-day workflows: `migration new`, `migrate`, `sync`, `audit`, and `--backup`.
//! Each is a thin shell over `schema_sync_core::{supabase, sync, audit, backup}`.

use super::args::{ChangeArgs, MigrateArgs, ReportFormat, SyncArgs};
use super::options::{apply_options, diff_options, load};
use super::output::{outln, outp, sql_with_hazards, Output};
use super::Status;
use anyhow::{anyhow, bail, Context, Result};
use schema_sync_core::apply::postgres::PgDatabase;
use schema_sync_core::apply::Outcome;
use schema_sync_core::backup::{self, PgBackupOptions};
use schema_sync_core::introspect::{postgres as pgi, sqlite as litei};
use schema_sync_core::source::{LoadOptions, Source};
use schema_sync_core::sync::{self, Side, Strategy, SyncOptions};
use schema_sync_core::url::redact_url;
use schema_sync_core::{audit, snapshot, supabase};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Asks on a terminal before changing a database; without one the command is the consent.
pub(super) fn confirm(out: &Output, yes: bool, what: &str) -> Result<bool> {
    if yes || !out.tty || !std::io::stdin().is_terminal() {
        return Ok(true);
    }
    eprint!("{what} [y/N] ");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes"))
}

/// The project's `schema-sync.toml`, when there is one (errors in it stop the run).
fn config() -> Result<Option<crate::config::Config>> {
    Ok(super::project::config()?.cloned())
}

/// `--sqlite`/`--postgres`, falling back to `schema-sync.toml`.
pub(super) fn databases(sqlite: Option<String>, postgres: Option<String>) -> Result<(Source, String)> {
    let cfg = if sqlite.is_none() || postgres.is_none() { config()? } else { None };
    let sqlite = sqlite
        .or_else(|| cfg.as_ref().and_then(|c| c.sqlite.clone()))
        .ok_or_else(|| anyhow!("--sqlite is required (or a [sqlite] path in schema-sync.toml)"))?;
    let postgres = postgres
        .or_else(|| cfg.as_ref().and_then(|c| c.postgres.clone()))
        .ok_or_else(|| anyhow!("--postgres is required (or a [postgres] url in schema-sync.toml)"))?;
    let s = Source::parse(&sqlite)?;
    if !matches!(s, Source::Sqlite(_)) {
        bail!("--sqlite must be a SQLite database (sqlite:PATH), got `{}`", s.display());
    }
    if !matches!(Source::parse(&postgres)?, Source::Postgres(_)) {
        bail!("--postgres must be a postgres:// URL, got `{}`", redact_url(&postgres));
    }
    Ok((s, postgres))
}

/// What `migration new` writes: `NAME`, from where to where, into which folder, in which form.
pub(super) struct NewMigration<'a> {
    pub name: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub dir: &'a Path,
    /// The online form (default) or the plain one (`--no-online`).
    pub online: bool,
}

/// `migration new NAME --from SRC --to SRC [--dir DIR] [--no-online]`.
pub(super) async fn migration_new(
    m: NewMigration<'_>,
    lo: &LoadOptions,
    change: &ChangeArgs,
    out: &Output,
) -> Result<Status> {
    let NewMigration { name, from, to, dir, online } = m;
    let (from_src, a) = load(from, lo).await.context("reading --from")?;
    let (to_src, b) = load(to, lo).await.context("reading --to")?;
    let mut aopts = apply_options(change, lo, false, true)?;
    aopts.plan.online = online;
    let planned = supabase::plan_migration(&a, &b, &aopts.diff, &aopts.plan)?;
    if planned.is_empty() {
        eprintln!("no changes: {} already matches {}; no migration written", from_src.display(), to_src.display());
        return Ok(Status::Drift);
    }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let paths = supabase::write_migration(dir, name, &from_src.display(), &to_src.display(), &planned, now)?;
    for (path, statements) in paths.iter().zip(planned.files()) {
        out.say(format!("Wrote {} ({} statement(s)).", path.display(), statements.len()));
    }
    if paths.len() > 1 {
        out.detail(format!(
            "{} file(s) hold the online part: each runs on its own after the first (docs/online.md)",
            paths.len() - 1
        ));
    }
    for h in planned.hazard_lines() {
        out.detail(format!("hazard {h}"));
    }
    Ok(Status::Ok)
}

/// `migrate --db URL [--dir DIR] [--dry-run] [--include-all] [--backup PATH]`.
pub(super) async fn migrate(a: MigrateArgs, lo: &LoadOptions, out: &Output) -> Result<Status> {
    let url = match Source::parse(&a.db)? {
        Source::Postgres(u) => u,
        other => bail!(
            "migrate applies Supabase migrations to Postgres: --db must be a postgres:// URL, got `{}`",
            other.display()
        ),
    };
    let files = supabase::read_dir(&a.dir)?;
    let mut conn = pgi::connect(&url).await?;
    let mut db = PgDatabase::new(&mut conn).with_scope(lo.introspect.clone());
    let budget = super::options::budget(&a.budget)?;
    let mut opts = supabase::MigrateOptions { dry_run: true, include_all: a.include_all, budget };
    let plan = supabase::migrate(&mut db, &files, &opts, &mut |_| {}).await?;
    let json = a.format == ReportFormat::Json;
    if !a.dry_run && !plan.applied.is_empty() {
        if !confirm(out, a.yes, &format!("Apply {} migration(s) to {}?", plan.applied.len(), redact_url(&url)))? {
            bail!("cancelled");
        }
        if let Some(path) = &a.backup {
            let o = PgBackupOptions { introspect: lo.introspect.clone(), ..Default::default() };
            let b = backup::postgres(db.connection(), &url, path, &o).await?;
            say_backup(out, json, &b);
        }
        opts.dry_run = false;
    }
    let bar =
        if json { indicatif::ProgressBar::hidden() } else { out.progress(plan.applied.len() as u64, "migrating") };
    let result = if opts.dry_run {
        Ok(plan)
    } else {
        supabase::migrate(&mut db, &files, &opts, &mut |e| match e {
            supabase::Event::Start(f, _, _) => bar.set_message(format!("{}_{}", f.version, f.name)),
            supabase::Event::Done(_) => bar.inc(1),
        })
        .await
    };
    bar.finish_and_clear();
    let verb = if a.dry_run { "Would apply" } else { "Applied" };
    let say_applied = |applied: &[String]| {
        for v in applied {
            if let Some(f) = files.iter().find(|f| &f.version == v) {
                out.say(format!("{verb} {}_{}.sql ({} statement(s))", f.version, f.name, f.statements.len()));
            }
        }
    };
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            // What was applied before the failure stays applied: say so in every format.
            if let schema_sync_core::Error::Migration { applied, failed, source } = &e {
                if json {
                    let doc = serde_json::json!({
                        "format_version": 1,
                        "applied": applied,
                        "failed": failed,
                        "error": source.to_string(),
                    });
                    outln!("{}", serde_json::to_string_pretty(&doc)?);
                } else {
                    say_applied(applied);
                }
            }
            return Err(e.into());
        }
    };
    let trouble = !report.before.edited.is_empty() || !report.before.unknown.is_empty();
    if json {
        let mut doc = serde_json::json!({ "format_version": 1 });
        if let (Some(map), serde_json::Value::Object(rest)) = (doc.as_object_mut(), serde_json::to_value(&report)?) {
            map.extend(rest);
        }
        outln!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        say_applied(&report.applied);
        for v in &report.skipped {
            out.say(format!("Skipped {v}: another run applied it first"));
        }
        if report.applied.is_empty() && report.skipped.is_empty() {
            out.say(format!("{} is up to date ({} migration(s)).", redact_url(&url), files.len()));
        }
    }
    for v in &report.before.edited {
        eprintln!(
            "warning: migration {v} was edited after it was applied (its statements differ from the recorded ones)"
        );
    }
    for v in &report.before.unknown {
        eprintln!("warning: migration {v} is recorded in the database but has no file in {}", a.dir.display());
    }
    Ok(if trouble { Status::Drift } else { Status::Ok })
}

fn say_backup(out: &Output, json: bool, b: &backup::Backup) {
    let msg = format!(
        "Backed up {} table(s) to {} ({:?}, {} bytes, verified).",
        b.tables,
        b.path.display(),
        b.method,
        b.bytes
    );
    if json {
        eprintln!("{msg}");
    } else {
        out.say(msg);
    }
}

/// `--backup PATH` of `apply`: the database behind `db`, before `outcome` (a dry run) runs.
pub(super) async fn backup_before(
    db: &Source,
    outcome: &Outcome,
    path: &Path,
    lo: &LoadOptions,
    out: &Output,
) -> Result<()> {
    let b = match db {
        Source::Sqlite(p) => backup::sqlite(&litei::open(p)?, path)?,
        Source::Postgres(url) => {
            let tables = outcome.comparison.changes.iter().filter_map(|c| c.table()).collect();
            let o = PgBackupOptions { tables: Some(tables), introspect: lo.introspect.clone(), ..Default::default() };
            backup::postgres(&mut pgi::connect(url).await?, url, path, &o).await?
        }
        other => bail!("cannot back up {}", other.display()),
    };
    say_backup(out, false, &b);
    Ok(())
}

/// `sync --sqlite SRC --postgres URL --strategy … [--on-conflict …] [--apply] [--backup DIR]`.
pub(super) async fn sync(a: SyncArgs, lo: &LoadOptions, change: &ChangeArgs, out: &Output) -> Result<Status> {
    let (lite_src, url) = databases(a.sqlite, a.postgres)?;
    let Source::Sqlite(lite_path) = &lite_src else { unreachable!("checked by databases()") };
    let cfg = if a.strategy.is_none() || a.on_conflict.is_none() { config()? } else { None };
    let strategy = match a.strategy.map(Strategy::from).or(cfg.as_ref().and_then(|c| c.strategy)) {
        Some(s) => s,
        None => bail!("--strategy is required: sqlite-wins, postgres-wins or merge"),
    };
    let on_conflict = a.on_conflict.map(Side::from).or(cfg.as_ref().and_then(|c| c.on_conflict));
    let mut lite = litei::open(lite_path)?;
    let mut pg = pgi::connect(&url).await?;
    let mut apply_opts = apply_options(change, lo, a.allow_destructive, false)?;
    apply_opts.budget = super::options::budget(&a.budget)?;
    super::options::online(&a.online, &mut apply_opts.plan);
    let mut opts = SyncOptions { strategy, on_conflict, apply: false, apply_options: apply_opts };
    let scope = lo.introspect.clone();
    let json = a.format == ReportFormat::Json;
    let mut report = sync::sync(&mut lite, PgDatabase::new(&mut pg).with_scope(scope.clone()), &opts).await?;
    if a.apply && !report.blocked && report.has_drift() {
        if !json {
            print_plans(&report, &lite_src, &url, out)?;
        }
        if !confirm(out, a.yes, "Apply both plans?")? {
            bail!("cancelled");
        }
        if let Some(dir) = &a.backup {
            std::fs::create_dir_all(dir).with_context(|| format!("creating backup directory {}", dir.display()))?;
            if !report.sqlite.plan.is_empty() {
                say_backup(out, json, &backup::sqlite(&lite, &dir.join("sqlite.db"))?);
            }
            if !report.postgres.plan.is_empty() {
                let tables = report.postgres.comparison.changes.iter().filter_map(|c| c.table()).collect();
                let o =
                    PgBackupOptions { tables: Some(tables), introspect: lo.introspect.clone(), ..Default::default() };
                say_backup(out, json, &backup::postgres(&mut pg, &url, &dir.join("postgres.sql"), &o).await?);
            }
        }
        opts.apply = true;
        let bar = if json { indicatif::ProgressBar::hidden() } else { out.progress(2, "syncing") };
        report = sync::sync(&mut lite, PgDatabase::new(&mut pg).with_scope(scope), &opts).await?;
        bar.finish_and_clear();
    } else if a.apply && !report.blocked {
        // In sync: only the bookkeeping of a sync that stopped half-way may be missing.
        opts.apply = true;
        report = sync::sync(&mut lite, PgDatabase::new(&mut pg).with_scope(scope), &opts).await?;
    }
    if json {
        outln!("{}", serde_json::to_string_pretty(&sync_json(&report))?);
    } else if report.applied && !report.has_drift() {
        out.say(format!(
            "{} and {} are in sync; schema_version checksum {} recorded where it was missing.",
            lite_src.display(),
            redact_url(&url),
            report.checksum
        ));
    } else if report.applied {
        out.say(format!(
            "Synced ({}): {} statement(s) on {}, {} on {}; schema_version checksum {} on both.",
            strategy.name(),
            report.sqlite.statements.len(),
            lite_src.display(),
            report.postgres.statements.len(),
            redact_url(&url),
            report.checksum
        ));
    } else if !report.has_drift() {
        out.say(format!("{} and {} are in sync.", lite_src.display(), redact_url(&url)));
    } else if !a.apply {
        print_plans(&report, &lite_src, &url, out)?;
        out.say("-- dry run: nothing changed; run with --apply to execute both plans");
    }
    for c in &report.conflicts {
        let how = match on_conflict {
            Some(Side::Sqlite) => " (resolved: SQLite wins)",
            Some(Side::Postgres) => " (resolved: Postgres wins)",
            None => "",
        };
        eprintln!("conflict: {}{how}", c.message);
    }
    if report.blocked {
        eprintln!(
            "sync stopped: {} conflict(s); nothing was changed. Pass --on-conflict sqlite|postgres to pick a side.",
            report.conflicts.len()
        );
        return Ok(Status::Drift);
    }
    Ok(if report.applied || !report.has_drift() { Status::Ok } else { Status::Drift })
}

fn print_plans(report: &sync::SyncReport, lite: &Source, url: &str, out: &Output) -> Result<()> {
    for (name, o) in [(lite.display(), &report.sqlite), (redact_url(url), &report.postgres)] {
        if out.quiet {
            continue;
        }
        if o.plan.is_empty() {
            outln!("-- {name}: no changes");
        } else {
            outln!("-- {name}: {} statement(s)", o.statements.len());
            outp!("{}", sql_with_hazards(&o.plan)?);
        }
    }
    Ok(())
}

/// Arguments of `audit`.
pub(super) struct AuditArgs {
    pub sqlite: Option<String>,
    pub postgres: Option<String>,
    pub migrations: Option<PathBuf>,
    pub models: Option<PathBuf>,
    pub format: ReportFormat,
}

/// `audit --sqlite SRC --postgres URL [--migrations DIR] [--models SNAPSHOT]`.
pub(super) async fn audit(a: AuditArgs, lo: &LoadOptions, change: &ChangeArgs, out: &Output) -> Result<Status> {
    let (lite, url) = databases(a.sqlite, a.postgres)?;
    let cfg = if a.migrations.is_none() && a.models.is_none() { config()? } else { None };
    let models_path = a.models.or_else(|| cfg.as_ref().and_then(|c| c.models_snapshot.clone()));
    let models = match &models_path {
        Some(p) => Some(snapshot::read(p)?),
        None => None,
    };
    let opts = audit::AuditOptions {
        diff: diff_options(change, lo)?,
        introspect: lo.introspect.clone(),
        migrations: a.migrations.or_else(|| cfg.map(|c| c.migrations_dir).filter(|d| d.is_dir())),
        models,
    };
    let report = audit::audit(&lite, &url, &opts).await?;
    if a.format == ReportFormat::Json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else if !out.quiet {
        outp!("{}", out.paint_diff(&report.text()));
    }
    Ok(if report.is_clean() { Status::Ok } else { Status::Drift })
}

/// The stable JSON shape of a sync report (docs/json.md): per side, the statements and hazards.
fn sync_json(r: &sync::SyncReport) -> serde_json::Value {
    let side = |o: &schema_sync_core::apply::Outcome| {
        serde_json::json!({
            "in_sync": o.plan.is_empty(),
            "statements": o.statements.iter().map(|s| s.sql.clone()).collect::<Vec<_>>(),
            "hazards": o.plan.hazards,
            "applied": o.applied,
            "version": o.version,
        })
    };
    serde_json::json!({
        "format_version": 1,
        "strategy": r.strategy,
        "blocked": r.blocked,
        "conflicts": r.conflicts,
        "applied": r.applied,
        "checksum": r.checksum,
        "sqlite": side(&r.sqlite),
        "postgres": side(&r.postgres),
    })
}
