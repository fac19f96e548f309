//! Flags and `schema-sync.toml` turned into library options, and sources read.

use super::args::{ChangeArgs, SourceArgs};
use anyhow::{anyhow, Result};
use schema_sync_core::apply::ApplyOptions;
use schema_sync_core::diff::DiffOptions;
use schema_sync_core::introspect::IntrospectOptions;
use schema_sync_core::source::{self, LoadOptions, Source};
use schema_sync_core::Schema;
use std::collections::HashMap;

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

/// `--schema`, `--dev-url` and the models, with the file's schemas as the fallback.
pub(super) fn load_options(args: &SourceArgs, models: Option<Schema>) -> LoadOptions {
    let mut introspect = IntrospectOptions::default();
    if !args.schemas.is_empty() {
        introspect.schemas = args.schemas.clone();
    } else if let Some(cfg) = soft_config().filter(|c| !c.schemas.is_empty()) {
        introspect.schemas = cfg.schemas.clone();
    }
    // Schemas the user named must exist: a typo is an error, not an empty schema.
    if introspect.schemas != IntrospectOptions::default().schemas {
        introspect.must_exist = introspect.schemas.clone();
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

/// Parses and reads a `SRC`.
pub(super) async fn load(src: &str, lo: &LoadOptions) -> Result<(Source, Schema)> {
    let s = Source::parse(src)?;
    let schema = source::load(&s, lo).await?;
    Ok((s, schema))
}
