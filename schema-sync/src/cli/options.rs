//! Flags and `schema-sync.toml` turned into library options, and sources read.

use super::args::{BudgetArgs, ChangeArgs, OnlineArgs, SourceArgs};
use anyhow::{anyhow, bail, Result};
use schema_sync_core::apply::{ApplyOptions, LockBudget};
use schema_sync_core::declarative;
use schema_sync_core::diff::DiffOptions;
use schema_sync_core::introspect::IntrospectOptions;
use schema_sync_core::source::{self, LoadOptions, Source};
use schema_sync_core::{Dialect, Schema};
use std::collections::HashMap;
use std::time::Duration;

/// The project's configuration when it exists and reads; commands that *need* a value from it
/// go through `workflows::databases`, which reports its errors.
pub(super) fn soft_config() -> Option<&'static crate::config::Config> {
    super::project::config().ok().flatten()
}

/// Flags win; the file fills in name folding and ignored tables.
pub(super) fn change_with_config(mut change: ChangeArgs) -> ChangeArgs {
    if let Some(cfg) = soft_config() {
        change.fold_names |= cfg.fold_names;
        if change.ignore_tables.is_empty() {
            change.ignore_tables = cfg.ignore_tables.clone();
        }
    }
    change
}

/// `--schema`, `--dev-url` and the models — merged with the declarative SQL files of
/// `--sql-dir` (or the config's `[models] sql_dir`) — with the file's schemas as the fallback.
pub(super) async fn load_options(args: &SourceArgs, models: Option<crate::Models>) -> Result<LoadOptions> {
    let mut introspect = IntrospectOptions::default();
    if !args.schemas.is_empty() {
        introspect.schemas = args.schemas.clone();
    } else if let Some(cfg) = soft_config().filter(|c| !c.schemas.is_empty()) {
        introspect.schemas = cfg.schemas.clone();
    }
    if let Some(roles) = soft_config().and_then(|c| c.managed_roles.clone()) {
        introspect.managed_roles = roles;
    }
    // Schemas the user named must exist: a typo is an error, not an empty schema.
    if introspect.schemas != IntrospectOptions::default().schemas {
        introspect.must_exist = introspect.schemas.clone();
    }
    let (models, mut files, mut lite_files) = match models {
        Some(m) => {
            let (mut pg, lite) = (m.sql_for(Dialect::Postgres), m.sql_for(Dialect::Sqlite));
            pg.splice(0..0, m.platform);
            (Some(m.schema), pg, lite)
        }
        None => (None, Vec::new(), Vec::new()),
    };
    let carried = !files.is_empty();
    // The SQLite side first, in memory, always: the SQLite files (carried, then
    // --sqlite-sql-dir's) add their triggers and views, and the models' SQLite views are settled
    // (their queries checked).
    let lite_dir = args.sqlite_sql_dir.clone().or_else(|| soft_config().and_then(|c| c.sqlite_sql_dir.clone()));
    if let (Some(dir), true) = (&lite_dir, models.is_some()) {
        lite_files.extend(declarative::read_dir(dir)?);
    }
    let models = match models {
        Some(m) if !lite_files.is_empty() || declarative::needs_settling(&m, Dialect::Sqlite) => {
            Some(declarative::merge_sqlite(&m, &lite_files, &IntrospectOptions::default())?)
        }
        m => m,
    };
    let sql_dir = args.sql_dir.clone().or_else(|| soft_config().and_then(|c| c.sql_dir.clone()));
    let platform = args.platform_sql.clone().or_else(|| soft_config().and_then(|c| c.platform_sql.clone()));
    if let Some(path) = &platform {
        let f = declarative::SqlFile::read(path)?;
        files.insert(0, declarative::SqlFile::first(f.origin, f.text));
    }
    if let Some(dir) = &sql_dir {
        if models.is_some() {
            files.extend(declarative::read_dir(dir)?);
        }
    }
    let dev = args.dev_url.as_deref();
    let has_files = files.len() > usize::from(platform.is_some());
    // Postgres SQL that came with the models, on a command that names a SQLite database but no
    // Postgres one, no --dev-url and no --sql-dir (`apply --db sqlite:local.db --to models`):
    // the Postgres side is not involved, and what those files declare exists only there.
    let sqlite_only = carried && dev.is_none() && sql_dir.is_none() && near_postgres().is_none() && names_sqlite();
    let models = match models {
        Some(m) if has_files && sqlite_only => Some(m),
        Some(m) if has_files => {
            // SQL that came with the models (`schema-sync pull`'s) is read even without
            // --dev-url: the Postgres database the command names lends its server for a scratch
            // database (never its own database: the role must be able to create one). Files of
            // --sql-dir ask for --dev-url.
            let near = match dev {
                Some(_) => None,
                None if carried => scratch_server(near_postgres()).await,
                None => None,
            };
            Some(declarative::merge(&m, &files, Dialect::Postgres, dev.or(near.as_deref()), &introspect).await?)
        }
        // The models' views and policies are compared as Postgres prints them when a scratch
        // server is given; without one, as written (Postgres' own spelling still matches).
        Some(m) if dev.is_some() && declarative::needs_settling(&m, Dialect::Postgres) => {
            Some(declarative::merge(&m, &files, Dialect::Postgres, dev, &introspect).await?)
        }
        m => m,
    };
    Ok(LoadOptions { introspect, dev_url: args.dev_url.clone(), models })
}

static NEAR_POSTGRES: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Remembers the first Postgres URL of the command line (see [`load_options`]).
pub(super) fn set_near_postgres(url: Option<String>) {
    if let Ok(mut slot) = NEAR_POSTGRES.lock() {
        *slot = url;
    }
}

static NAMES_SQLITE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Remembers whether the command line names a SQLite database (see [`load_options`]).
pub(super) fn set_names_sqlite(yes: bool) {
    NAMES_SQLITE.store(yes, std::sync::atomic::Ordering::Relaxed);
}

fn names_sqlite() -> bool {
    NAMES_SQLITE.load(std::sync::atomic::Ordering::Relaxed)
}

fn near_postgres() -> Option<String> {
    NEAR_POSTGRES.lock().ok().and_then(|s| s.clone())
}

/// `url` when its role may create databases (a scratch database goes next to it, never into
/// it); else `None`, and reading Postgres SQL then asks for --dev-url.
async fn scratch_server(url: Option<String>) -> Option<String> {
    let url = url?;
    schema_sync_core::scratch::may_create_databases(&url).await.then_some(url)
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

/// `--rename`, `--fold-names`, `--ignore-table`; objects that name no schema go to the first
/// `--schema` (or the configuration's first schema).
pub(super) fn diff_options(change: &ChangeArgs, lo: &LoadOptions) -> Result<DiffOptions> {
    Ok(DiffOptions {
        renames: pairs("rename", &change.renames)?,
        fold_names: change.fold_names,
        ignore_tables: change.ignore_tables.clone(),
        default_schema: lo.introspect.schemas.first().cloned(),
    })
}

/// [`diff_options`] plus `--using`, `--backfill`, `--allow-destructive`, `--dry-run`.
pub(super) fn apply_options(
    change: &ChangeArgs,
    lo: &LoadOptions,
    allow_destructive: bool,
    dry_run: bool,
) -> Result<ApplyOptions> {
    let mut o = ApplyOptions { allow_destructive, dry_run, diff: diff_options(change, lo)?, ..Default::default() };
    o.plan.using = pairs("using", &change.using)?.into_iter().collect::<HashMap<_, _>>();
    o.plan.backfill = pairs("backfill", &change.backfill)?.into_iter().collect::<HashMap<_, _>>();
    o.plan.allow_lossy = change.allow_lossy;
    Ok(o)
}

/// The lock budget of `--lock-timeout`, `--statement-timeout`, `--lock-retries`, falling back
/// to `[postgres]` in `schema-sync.toml`, then to the defaults.
pub(super) fn budget(b: &BudgetArgs) -> Result<LockBudget> {
    let cfg = soft_config();
    let pick = |flag: &Option<String>,
                key: Option<&Option<String>>,
                flag_name: &'static str,
                key_name: &'static str| match (flag, key.and_then(|k| k.as_ref())) {
        (Some(v), _) => Some((flag_name, v.clone())),
        (None, Some(v)) => Some((key_name, v.clone())),
        (None, None) => None,
    };
    let mut out = LockBudget::default();
    let lock = pick(&b.lock_timeout, cfg.map(|c| &c.lock_timeout), "--lock-timeout", "postgres.lock_timeout");
    if let Some((name, t)) = lock {
        out.lock_timeout = duration(name, &t)?;
        if out.lock_timeout.is_none() {
            out.retries = 0;
        }
    }
    let statement = pick(
        &b.statement_timeout,
        cfg.map(|c| &c.statement_timeout),
        "--statement-timeout",
        "postgres.statement_timeout",
    );
    if let Some((name, t)) = statement {
        out.statement_timeout = Some(duration(name, &t)?.unwrap_or(Duration::ZERO));
    }
    if let Some(n) = b.lock_retries.or_else(|| cfg.and_then(|c| c.lock_retries)) {
        out.retries = n;
    }
    Ok(out)
}

/// The online form of `--no-online` and `--backfill-batch`, falling back to `[postgres]` in
/// `schema-sync.toml`, then to the default (online, no batches).
pub(super) fn online(b: &OnlineArgs, plan: &mut schema_sync_core::plan::PlanOptions) {
    let cfg = soft_config();
    plan.online = !b.no_online && cfg.and_then(|c| c.online).unwrap_or(true);
    plan.backfill_batch = b.backfill_batch.or_else(|| cfg.and_then(|c| c.backfill_batch));
}

/// `250ms`, `3s`, `2m`, `1h` or a bare number of seconds; `0` is `None` (no limit).
fn duration(flag: &str, text: &str) -> Result<Option<Duration>> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| anyhow!("{flag} {text}: expected a duration such as 3s, 500ms or 2m"))?;
    let secs = match unit.trim() {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        _ => bail!("{flag} {text}: expected a duration such as 3s, 500ms or 2m"),
    };
    if !secs.is_finite() || !(0.0..=7.0 * 24.0 * 3600.0).contains(&secs) {
        bail!("{flag} {text}: out of range");
    }
    Ok((secs > 0.0).then(|| Duration::from_secs_f64(secs)))
}

/// Parses and reads a `SRC`.
pub(super) async fn load(src: &str, lo: &LoadOptions) -> Result<(Source, Schema)> {
    let s = Source::parse(src)?;
    let schema = source::load(&s, lo).await?;
    Ok((s, schema))
}
