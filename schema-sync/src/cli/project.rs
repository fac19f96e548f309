//! The project's `schema-sync.toml` for this run: `--config PATH`, else found by walking up from
//! the working directory. Loaded only when a command needs a value the flags did not give, so a
//! fully specified command never depends on the file; when it is needed, its errors (a missing
//! environment variable, an unknown key) stop the run with a message naming them.

use crate::config::{Config, Origin};
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::sync::OnceLock;

static EXPLICIT: OnceLock<Option<PathBuf>> = OnceLock::new();
static VERBOSE: OnceLock<bool> = OnceLock::new();
static LOADED: OnceLock<Option<Config>> = OnceLock::new();

/// Remembers `--config` and `-v` for this run.
pub(super) fn set_explicit(path: Option<PathBuf>, verbose: bool) {
    let _ = EXPLICIT.set(path);
    let _ = VERBOSE.set(verbose);
}

/// The configuration, if there is one (`Ok(None)` when no file exists).
pub(super) fn config() -> Result<Option<&'static Config>> {
    if let Some(c) = LOADED.get() {
        return Ok(c.as_ref());
    }
    let path = match EXPLICIT.get().cloned().flatten() {
        Some(p) => {
            if !p.is_file() {
                anyhow::bail!("--config {}: no such file", p.display());
            }
            Some(p)
        }
        None => std::env::current_dir().ok().and_then(|d| Config::find(&d)),
    };
    let cfg = match path {
        Some(p) => Some(Config::load(&p).with_context(|| "reading the project configuration".to_string())?),
        None => None,
    };
    if let (Some(c), Some(true)) = (&cfg, VERBOSE.get()) {
        eprintln!("config: {}", c.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default());
        if c.postgres.is_some() {
            eprintln!("{}", origin_note("postgres url", c.postgres_origin.as_ref(), c.path.as_deref()));
        }
        if c.sqlite.is_some() {
            eprintln!("{}", origin_note("sqlite", None, c.path.as_deref()));
        }
    }
    Ok(LOADED.get_or_init(|| cfg).as_ref())
}

/// Says (with `-v`) where a value came from.
pub(super) fn origin_note(what: &str, origin: Option<&Origin>, file: Option<&std::path::Path>) -> String {
    let file = file.map(|p| p.display().to_string()).unwrap_or_else(|| "schema-sync.toml".into());
    match origin {
        Some(Origin::Env(var)) => format!("{what}: from ${var} (named in {file})"),
        _ => format!("{what}: from {file}"),
    }
}

/// `schema-sync init`: writes a commented starter file and an empty migrations directory.
pub(super) fn init(dir: &std::path::Path) -> Result<Vec<PathBuf>> {
    let file = dir.join(crate::config::FILE_NAME);
    if file.exists() {
        anyhow::bail!("{} already exists; not overwritten", file.display());
    }
    std::fs::write(&file, crate::config::STARTER).with_context(|| format!("writing {}", file.display()))?;
    let migrations = dir.join("supabase").join("migrations");
    std::fs::create_dir_all(&migrations).with_context(|| format!("creating {}", migrations.display()))?;
    let keep = migrations.join(".gitkeep");
    if !keep.exists() {
        std::fs::write(&keep, "").with_context(|| format!("writing {}", keep.display()))?;
    }
    Ok(vec![file, migrations])
}
