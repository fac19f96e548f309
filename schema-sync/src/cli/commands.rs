//! What each command does. Everything here calls the library; nothing is decided twice.

use super::args::{ChangeArgs, Cli, Command, Format, MigrationCommand, SourceArgs};
use super::inspect::schema_text;
use super::output::Output;
use super::workflows;
use super::Status;
use anyhow::{anyhow, bail, Context, Result};
use schema_sync_core::apply::{self, ApplyOptions, Outcome};
use schema_sync_core::diff::{self, DiffOptions};
use schema_sync_core::introspect::IntrospectOptions;
use schema_sync_core::plan::{HazardCode, Plan};
use schema_sync_core::render;
use schema_sync_core::source::{self, LoadOptions, Source};
use schema_sync_core::{Dialect, Schema};
use std::collections::HashMap;

pub(super) async fn dispatch(cli: Cli, models: Option<Schema>, out: &Output) -> Result<Status> {
    super::project::set_explicit(cli.config.clone(), cli.verbose);
    match cli.command {
        Command::Init => {
            let dir = std::env::current_dir()?;
            for p in super::project::init(&dir)? {
                out.say(format!("created {}", p.display()));
            }
            out.say("Edit schema-sync.toml, then run `schema-sync diff` (no arguments needed).");
            Ok(Status::Ok)
        }
        Command::Inspect { src, format, dialect, source } => {
            inspect(&src, format, dialect.map(Into::into), &load_options(&source, models), out).await
        }
        Command::Diff { from, to, format, dialect, explain, source, change } => {
            let lo = load_options(&source, models);
            let (from, to) = match (from, to) {
                (Some(f), Some(t)) => (f, t),
                (Some(_), None) => bail!("diff --from needs --to (or neither, with a schema-sync.toml)"),
                (None, Some(_)) => bail!("diff --to needs --from (or neither, with a schema-sync.toml)"),
                (f, t) => {
                    // The seed's `db diff`: the configured SQLite against the configured Postgres.
                    let (lite, pg) = workflows::databases(None, None)
                        .context("diff needs --from and --to, or a schema-sync.toml with [sqlite] and [postgres]")?;
                    (f.unwrap_or_else(|| lite.display()), t.unwrap_or(pg))
                }
            };
            diff_cmd(&from, &to, format, dialect.map(Into::into), explain, &lo, &change_with_config(change), out).await
        }
        Command::Apply { db, to, dry_run, allow_destructive, backup, yes, validate, no_validate, source, change } => {
            let lo = load_options(&source, models);
            let mut opts = apply_options(&change_with_config(change), allow_destructive, dry_run)?;
            let is_pg = matches!(Source::parse(&db)?, Source::Postgres(_));
            opts.validate = validate || (is_pg && !no_validate);
            apply_cmd(&db, &to, &lo, &opts, backup.as_deref(), yes, out).await
        }
        Command::Migration { command: MigrationCommand::New { name, from, to, dir, source, change } } => {
            let lo = load_options(&source, models);
            workflows::migration_new(&name, &from, &to, &dir, &lo, &change_with_config(change), out).await
        }
        Command::Migrate { db, dir, dry_run, backup, format, yes, source } => {
            let lo = load_options(&source, models);
            workflows::migrate(&db, &dir, dry_run, backup.as_deref(), format, yes, &lo, out).await
        }
        Command::Sync {
            sqlite,
            postgres,
            strategy,
            on_conflict,
            apply,
            allow_destructive,
            backup,
            format,
            yes,
            source,
            change,
        } => {
            let lo = load_options(&source, models);
            let a = workflows::SyncArgs {
                sqlite,
                postgres,
                strategy,
                on_conflict,
                apply,
                allow_destructive,
                backup,
                format,
                yes,
            };
            workflows::sync(a, &lo, &change_with_config(change), &quiet_for(format, out)).await
        }
        Command::Audit { sqlite, postgres, migrations, models: snapshot, format, source, change } => {
            let lo = load_options(&source, models);
            let a = workflows::AuditArgs { sqlite, postgres, migrations, models: snapshot, format };
            workflows::audit(a, &lo, &change_with_config(change), out).await
        }
    }
}

/// With `--format json`, stdout carries only the JSON document.
fn quiet_for(format: super::args::ReportFormat, out: &Output) -> Output {
    let mut o = out.clone();
    if format == super::args::ReportFormat::Json {
        o.quiet = true;
        o.tty = false;
    }
    o
}

/// The project's configuration when it exists and reads; commands that *need* a value from it
/// go through `workflows::databases`, which reports its errors.
fn soft_config() -> Option<&'static crate::config::Config> {
    super::project::config().ok().flatten()
}

/// Flags win; the file fills in name folding and ignored tables.
fn change_with_config(mut change: ChangeArgs) -> ChangeArgs {
    if let Some(cfg) = soft_config() {
        change.fold_names |= cfg.fold_names;
        if change.ignore_tables.is_empty() {
            change.ignore_tables = cfg.ignore_tables.clone();
        }
    }
    change
}

fn load_options(args: &SourceArgs, models: Option<Schema>) -> LoadOptions {
    let mut introspect = IntrospectOptions::default();
    if !args.schemas.is_empty() {
        introspect.schemas = args.schemas.clone();
    } else if let Some(cfg) = soft_config().filter(|c| !c.schemas.is_empty()) {
        introspect.schemas = cfg.schemas.clone();
    }
    LoadOptions { introspect, dev_url: args.dev_url.clone(), models }
}

/// Parses `a=b` pairs given to a repeatable flag.
fn pairs(flag: &str, values: &[String]) -> Result<Vec<(String, String)>> {
    values
        .iter()
        .map(|v| {
            v.split_once('=')
                .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
                .filter(|(a, b)| !a.is_empty() && !b.is_empty())
                .ok_or_else(|| anyhow!("--{flag} expects KEY=VALUE, got `{v}`"))
        })
        .collect()
}

pub(super) fn diff_options(change: &ChangeArgs) -> Result<DiffOptions> {
    Ok(DiffOptions {
        renames: pairs("rename", &change.renames)?,
        fold_names: change.fold_names,
        ignore_tables: change.ignore_tables.clone(),
    })
}

pub(super) fn apply_options(change: &ChangeArgs, allow_destructive: bool, dry_run: bool) -> Result<ApplyOptions> {
    let mut o = ApplyOptions { allow_destructive, dry_run, diff: diff_options(change)?, ..Default::default() };
    o.plan.using = pairs("using", &change.using)?.into_iter().collect::<HashMap<_, _>>();
    o.plan.backfill = pairs("backfill", &change.backfill)?.into_iter().collect::<HashMap<_, _>>();
    Ok(o)
}

pub(super) async fn load(src: &str, lo: &LoadOptions) -> Result<(Source, Schema)> {
    let s = Source::parse(src)?;
    let schema = source::load(&s, lo).await?;
    Ok((s, schema))
}

async fn inspect(
    src: &str,
    format: Format,
    dialect: Option<Dialect>,
    lo: &LoadOptions,
    out: &Output,
) -> Result<Status> {
    let (s, schema) = load(src, lo).await?;
    match format {
        Format::Json => print!("{}", schema_sync_core::snapshot::to_json(&schema)),
        Format::Sql => {
            let d = dialect.or(schema.dialect).ok_or_else(|| anyhow!("--format sql of models needs --dialect"))?;
            print!("{}", render::script(&render::schema_sql(&schema, d)?));
        }
        Format::Text => {
            let versions = versions_of(&s, lo).await.unwrap_or_default();
            out.say(schema_text(&schema, &s.display(), &versions).trim_end());
        }
    }
    Ok(Status::Ok)
}

/// `schema_version` rows of a live source (empty for files).
pub(super) async fn versions_of(s: &Source, lo: &LoadOptions) -> Result<Vec<schema_sync_core::version::VersionRow>> {
    Ok(match s {
        Source::Sqlite(p) => {
            let conn = schema_sync_core::introspect::sqlite::open(p)?;
            apply::sqlite::versions(&conn)?
        }
        Source::Postgres(url) => {
            let mut conn = schema_sync_core::introspect::postgres::connect(url).await?;
            let schema = lo.introspect.schemas.first().cloned().unwrap_or_else(|| "public".into());
            apply::postgres::versions(&mut conn, &schema).await?
        }
        _ => Vec::new(),
    })
}

#[allow(clippy::too_many_arguments)]
async fn diff_cmd(
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
    let cmp = diff::compare_owned(a.1, b.1, dialect, &diff_options(change)?)?;
    let status = if cmp.is_empty() { Status::Ok } else { Status::Drift };
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&diff::render_json(&cmp))?),
        Format::Sql => {
            let caps = schema_sync_core::plan::Capabilities::latest(cmp.dialect);
            let plan = schema_sync_core::plan::plan(&cmp.from, &cmp.to, &cmp.changes, &caps, &Default::default());
            print!("{}", sql_with_hazards(&plan)?);
        }
        Format::Text => {
            if cmp.is_empty() {
                out.say("No differences.");
            } else if !out.quiet {
                print!("{}", out.paint_diff(&diff::render_text(&cmp)));
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

/// The plan's SQL with its hazards as leading comments.
pub(super) fn sql_with_hazards(plan: &Plan) -> Result<String> {
    let mut s = String::new();
    for h in &plan.hazards {
        s.push_str(&format!("-- hazard {:?}: {}\n", h.code, h.message));
    }
    s.push_str(&render::script(&render::render(plan)?));
    Ok(s)
}

async fn apply_cmd(
    db: &str,
    to: &str,
    lo: &LoadOptions,
    opts: &ApplyOptions,
    backup: Option<&std::path::Path>,
    yes: bool,
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
            out.say(format!("{} is already in sync.", db_src.display()));
            return Ok(Status::Ok);
        }
        apply::check_destructive(&planned.plan, opts.allow_destructive)?;
        if out.tty && !yes && std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            print!("{}", sql_with_hazards(&planned.plan)?);
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
    report_outcome(&outcome, &db_src, opts, out)?;
    Ok(Status::Ok)
}

/// Runs [`apply`] against a live source.
pub(super) async fn apply_to(db: &Source, target: &Schema, lo: &LoadOptions, opts: &ApplyOptions) -> Result<Outcome> {
    Ok(match db {
        Source::Sqlite(p) => {
            let mut conn = schema_sync_core::introspect::sqlite::open(p)?;
            apply::sqlite::migrate(&mut conn, target, opts)?
        }
        Source::Postgres(url) => {
            let mut conn = schema_sync_core::introspect::postgres::connect(url).await?;
            apply::postgres::migrate(&mut conn, target, &lo.introspect, opts).await?
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
        print!("{}", sql_with_hazards(&o.plan)?);
        if o.plan.is_destructive() && !opts.allow_destructive {
            out.say("-- note: destructive steps need --allow-destructive");
        }
        return Ok(());
    }
    for h in o.plan.hazards.iter().filter(|h| h.code != HazardCode::LocksTable) {
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
