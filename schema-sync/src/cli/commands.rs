//! `inspect`, `diff` and `apply`: each reads its sources, calls the library and prints.

use super::args::{ChangeArgs, Format};
use super::inspect::schema_text;
use super::options::{diff_options, load};
use super::output::{outln, outp, sql_with_hazards, Output};
use super::workflows;
use super::Status;
use anyhow::{anyhow, bail, Context, Result};
use schema_sync_core::apply::postgres::PgDatabase;
use schema_sync_core::apply::sqlite::SqliteDatabase;
use schema_sync_core::apply::{self, ApplyOptions, Database, Outcome, VersionRow};
use schema_sync_core::diff;
use schema_sync_core::render;
use schema_sync_core::source::{LoadOptions, Source};
use schema_sync_core::{Dialect, Schema};

pub(super) async fn inspect(
    src: &str,
    format: Format,
    dialect: Option<Dialect>,
    lo: &LoadOptions,
    out: &Output,
) -> Result<Status> {
    let (s, schema) = load(src, lo).await?;
    match format {
        Format::Json => outp!("{}", schema_sync_core::snapshot::to_json(&schema)),
        Format::Sql => {
            let d = dialect.or(schema.dialect).ok_or_else(|| anyhow!("--format sql of models needs --dialect"))?;
            outp!("{}", render::script(&render::schema_sql(&schema, d)?));
        }
        Format::Text => {
            let versions = versions_of(&s, lo).await.unwrap_or_default();
            out.say(schema_text(&schema, &s.display(), &versions).trim_end());
        }
    }
    Ok(Status::Ok)
}

/// `schema_version` rows of a live source (empty for files).
pub(super) async fn versions_of(s: &Source, lo: &LoadOptions) -> Result<Vec<VersionRow>> {
    Ok(match s {
        Source::Sqlite(p) => {
            let mut conn = schema_sync_core::introspect::sqlite::open(p)?;
            SqliteDatabase::new(&mut conn).versions().await?
        }
        Source::Postgres(url) => {
            let mut conn = schema_sync_core::introspect::postgres::connect(url).await?;
            PgDatabase::new(&mut conn).with_scope(lo.introspect.clone()).versions().await?
        }
        _ => Vec::new(),
    })
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn diff_cmd(
    from: &str,
    to: &str,
    format: Format,
    dialect: Option<Dialect>,
    explain: bool,
    lo: &LoadOptions,
    change: &ChangeArgs,
    out: &Output,
) -> Result<Status> {
    // Both sides are read at the same time: with two live databases the time is the servers'.
    let (a, b) = tokio::try_join!(async { load(from, lo).await.context("reading --from") }, async {
        load(to, lo).await.context("reading --to")
    })?;
    let cmp = diff::compare_owned(a.1, b.1, dialect, &diff_options(change, lo)?)?;
    let status = if cmp.is_empty() { Status::Ok } else { Status::Drift };
    match format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&diff::render_json(&cmp))?),
        Format::Sql => {
            outp!("{}", sql_with_hazards(&render::fix_plan(&cmp))?);
        }
        Format::Text => {
            if cmp.is_empty() {
                out.say("No differences.");
            } else if !out.quiet {
                outp!("{}", out.paint_diff(&diff::render_text(&cmp)));
            }
            if explain && !cmp.notes.is_empty() {
                out.say("\nCross-dialect rules:");
                for n in &cmp.notes {
                    out.say(format!("  {} {}: {}", if n.compatible { "ok  " } else { "DIFF" }, n.subject, n.message));
                }
            }
        }
    }
    Ok(status)
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn apply_cmd(
    db: &str,
    to: &str,
    lo: &LoadOptions,
    opts: &ApplyOptions,
    backup: Option<&std::path::Path>,
    yes: bool,
    json: bool,
    out: &Output,
) -> Result<Status> {
    let db_src = Source::parse(db)?;
    if db_src.live_dialect().is_none() {
        bail!("--db must be a live database (sqlite:PATH or postgres://…), got `{}`", db_src.display());
    }
    let (_, target) = load(to, lo).await.context("reading --to")?;
    if !opts.dry_run {
        // Plan first: refuse before asking or backing up, show the plan on a terminal and ask.
        let planned = apply_to(&db_src, &target, lo, &ApplyOptions { dry_run: true, ..opts.clone() }).await?;
        if planned.plan.is_empty() {
            if json {
                outln!("{}", serde_json::to_string_pretty(&outcome_json(&planned, &db_src))?);
            }
            out.say(format!("{} is already in sync.", db_src.display()));
            return Ok(Status::Ok);
        }
        apply::check_destructive(&planned.plan, opts.allow_destructive)?;
        if out.tty && !json && !yes && std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            outp!("{}", sql_with_hazards(&planned.plan)?);
        }
        let question = format!("Apply {} statements to {}?", planned.statements.len(), db_src.display());
        if !workflows::confirm(out, yes, &question)? {
            out.say("Nothing applied.");
            return Ok(Status::Ok);
        }
        if let Some(path) = backup {
            workflows::backup_before(&db_src, &planned, path, lo, out).await?;
        }
    }
    let outcome = apply_to(&db_src, &target, lo, opts).await?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&outcome_json(&outcome, &db_src))?);
    } else {
        report_outcome(&outcome, &db_src, opts, out)?;
    }
    Ok(Status::Ok)
}

/// `apply --format json`: the plan step by step — statements, the locks each takes (with the
/// live table sizes), its hazards — and what happened (docs/json.md).
fn outcome_json(o: &Outcome, db: &Source) -> serde_json::Value {
    let steps: Vec<serde_json::Value> = o
        .plan
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let kind = serde_json::to_value(step).ok().and_then(|v| v.get("step").cloned()).unwrap_or_default();
            let statements: Vec<serde_json::Value> = o
                .statements
                .iter()
                .filter(|st| st.step == i)
                .map(|st| serde_json::json!({ "sql": st.sql, "transactional": st.transactional }))
                .collect();
            serde_json::json!({
                "step": i,
                "kind": kind,
                "online": o.plan.is_online(i),
                "statements": statements,
                "locks": o.plan.locks_of(i).collect::<Vec<_>>(),
                "hazards": o.plan.hazards.iter().filter(|h| h.step == i).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({
        "format_version": 1,
        "database": db.display(),
        "dialect": o.plan.dialect,
        "in_sync": o.plan.is_empty(),
        "applied": o.applied,
        "version": o.version,
        "rows_copied": o.rows_copied,
        "steps": steps,
    })
}

/// Runs the one [`apply::migrate`] against a live source.
pub(super) async fn apply_to(db: &Source, target: &Schema, lo: &LoadOptions, opts: &ApplyOptions) -> Result<Outcome> {
    Ok(match db {
        Source::Sqlite(p) => {
            let mut conn = schema_sync_core::introspect::sqlite::open(p)?;
            apply::migrate(&mut conn, target, opts).await?
        }
        Source::Postgres(url) => {
            let mut conn = schema_sync_core::introspect::postgres::connect(url).await?;
            apply::migrate(PgDatabase::new(&mut conn).with_scope(lo.introspect.clone()), target, opts).await?
        }
        other => bail!("cannot apply to {}", other.display()),
    })
}

fn report_outcome(o: &Outcome, db: &Source, opts: &ApplyOptions, out: &Output) -> Result<()> {
    if o.plan.is_empty() {
        out.say(format!("{} is already in sync.", db.display()));
        return Ok(());
    }
    if opts.dry_run {
        out.say(format!("-- dry run: {} statement(s) for {}", o.statements.len(), db.display()));
        outp!("{}", sql_with_hazards(&o.plan)?);
        if o.plan.is_destructive() && !opts.allow_destructive {
            out.say("-- note: destructive steps need --allow-destructive");
        }
        return Ok(());
    }
    for h in &o.plan.hazards {
        out.detail(format!("hazard {:?}: {}", h.code, h.message));
    }
    out.say(format!(
        "Applied {} statement(s) to {}{}{}.",
        o.statements.len(),
        db.display(),
        o.version.map(|v| format!(", schema_version {v}")).unwrap_or_default(),
        if o.rows_copied > 0 { format!(", {} row(s) copied and verified", o.rows_copied) } else { String::new() }
    ));
    Ok(())
}

/// `lint FILE|DIR…`: findings one a line (`file:line: ID name: message`), or JSON.
pub(super) fn lint(paths: &[std::path::PathBuf], format: super::args::ReportFormat, out: &Output) -> Result<Status> {
    let findings = schema_sync_core::lint::lint_paths(paths)?;
    if format == super::args::ReportFormat::Json {
        outln!("{}", serde_json::to_string_pretty(&serde_json::json!({ "format_version": 1, "findings": findings }))?);
    } else if !out.quiet {
        for f in &findings {
            outln!("{f}");
        }
        if findings.is_empty() {
            out.say("no lock hazards found");
        } else {
            out.say(format!(
                "{} finding(s); silence one with `-- schema-sync-lint: allow ID` before the statement",
                findings.len()
            ));
        }
    }
    Ok(if findings.is_empty() { Status::Ok } else { Status::Drift })
}

/// `pull --from DB --out DIR`: the database's Rust models.
pub(super) async fn pull(
    from: &str,
    dir: &std::path::Path,
    platform: Option<&std::path::Path>,
    lo: &LoadOptions,
    out: &Output,
) -> Result<Status> {
    let src = Source::parse(from)?;
    let (schema, views) = match &src {
        Source::Sqlite(path) => {
            let conn = schema_sync_core::introspect::sqlite::open(path)?;
            let schema = schema_sync_core::introspect::sqlite::introspect(&conn, &lo.introspect)?;
            (schema, schema_sync_core::introspect::sqlite::view_columns(&conn)?)
        }
        Source::Postgres(url) => {
            let mut conn = schema_sync_core::introspect::postgres::connect(url).await?;
            let schema = schema_sync_core::introspect::postgres::introspect(&mut conn, &lo.introspect).await?;
            (schema, schema_sync_core::introspect::postgres::view_columns(&mut conn, &lo.introspect).await?)
        }
        other => bail!("pull reads a database (sqlite:PATH or postgres://…), not {}", other.display()),
    };
    let platform = match platform {
        Some(p) => Some(std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?),
        None => None,
    };
    let pulled = crate::pull::generate(&schema, &views, &src.display(), platform.as_deref())?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for name in ["platform.sql", "before.sql", "schema.sql"] {
        let stale = dir.join(name);
        if stale.exists() && !pulled.files.iter().any(|(p, _)| p == std::path::Path::new(name)) {
            std::fs::remove_file(&stale).with_context(|| format!("removing {}", stale.display()))?;
        }
    }
    for (path, text) in &pulled.files {
        let path = dir.join(path);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        out.say(format!("wrote {}", path.display()));
    }
    out.say(format!(
        "{} struct(s), {} enum(s), {} view(s); {} table(s) and {} view(s) as SQL",
        pulled.structs.len(),
        pulled.enums,
        pulled.views,
        pulled.sql_tables.len(),
        pulled.sql_views.len()
    ));
    for (object, why) in pulled.sql_tables.iter().chain(&pulled.sql_views) {
        out.say(format!("  {object} as SQL: {why}"));
    }
    Ok(Status::Ok)
}
