//! The `schema-sync` command-line interface: a thin shell over the library.
//!
//! Exit codes: **0** success / in sync, **1** drift found (diff, audit, sync dry run), **2** error
//! (bad input, connection failure, refused destructive change) with one line on stderr.
//!
//! A project can ship its own binary with its models built in:
//!
//! ```no_run
//! // src/bin/schema.rs
//! fn main() -> std::process::ExitCode {
//!     schema_sync::cli::run(schema_sync::Schema::default())
//! }
//! ```
//! Then `models` is a source like any other: `cargo run --bin schema -- apply --db sqlite:app.db --to models`.

mod args;
mod commands;
mod errors;
mod fleet;
mod inspect;
mod options;
mod output;
mod project;
mod workflows;

pub use args::Cli;

use anyhow::{bail, Context, Result};
use args::{Command, MigrationCommand};
use clap::Parser;
use options::{apply_options, change_with_config, load_options};
use output::Output;
use schema_sync_core::source::Source;
use schema_sync_core::Schema;
use std::process::ExitCode;

/// Outcome of a command that did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exit 0: success, or the schemas agree.
    Ok,
    /// Exit 1: drift found.
    Drift,
    /// Exit 2 after a report was printed: some part failed (a fleet target), the rest was done.
    Errors,
}

/// Runs the CLI with the process arguments and `models` available as the `models` source: a
/// [`Schema`] (`schema![…]`) or [`crate::Models`] (a schema with declarative SQL, what
/// `schema-sync pull` writes).
pub fn run(models: impl Into<crate::Models>) -> ExitCode {
    run_models(std::env::args_os().collect(), Some(models.into()))
}

/// Runs the plain `schema-sync` binary (no built-in models).
pub fn run_plain() -> ExitCode {
    run_with(std::env::args_os().collect(), None)
}

/// Runs with explicit arguments (the first is the program name).
pub fn run_with(args: Vec<std::ffi::OsString>, models: Option<Schema>) -> ExitCode {
    run_models(args, models.map(crate::Models::new))
}

/// [`run_with`] with [`crate::Models`].
pub fn run_models(args: Vec<std::ffi::OsString>, models: Option<crate::Models>) -> ExitCode {
    // A Postgres database the command names: where the models' Postgres SQL is read when no
    // --dev-url is given (in a scratch database of its own on that server).
    // A SQLite database it names: with no Postgres one, the models' Postgres SQL is not needed
    // (what it declares exists only on the Postgres side). Arguments read as sources are.
    let sources: Vec<Source> = args.iter().filter_map(|a| a.to_str()).filter_map(|a| Source::parse(a).ok()).collect();
    let near = sources.iter().find_map(|s| match s {
        Source::Postgres(url) => Some(url.clone()),
        _ => None,
    });
    options::set_near_postgres(near);
    options::set_names_sqlite(sources.iter().any(|s| matches!(s, Source::Sqlite(_))));
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let out = Output::new(cli.quiet, cli.verbose);
    let run = async {
        tokio::select! {
            r = dispatch(cli, models, &out) => Ok(r),
            signal = interrupted() => Err(signal),
        }
    };
    match runtime.block_on(run) {
        Ok(Ok(Status::Ok)) => ExitCode::SUCCESS,
        Ok(Ok(Status::Drift)) => ExitCode::from(1),
        Ok(Ok(Status::Errors)) => ExitCode::from(2),
        Ok(Err(e)) => {
            eprintln!("error: {}", errors::one_line(&e));
            ExitCode::from(2)
        }
        Err((name, code)) => {
            // The command's future is gone: its open transactions were rolled back with their
            // connections. What it made outside them (scratch databases) is dropped here.
            let dropped = runtime.block_on(schema_sync_core::scratch::drop_registered());
            let note = if dropped > 0 { format!("; dropped {dropped} scratch database(s)") } else { String::new() };
            eprintln!("error: interrupted by {name}, nothing half-applied{note}");
            ExitCode::from(code)
        }
    }
}

async fn dispatch(cli: Cli, models: Option<crate::Models>, out: &Output) -> Result<Status> {
    project::set_explicit(cli.config.clone(), cli.verbose);
    match cli.command {
        Command::Init => {
            let dir = std::env::current_dir()?;
            for p in project::init(&dir)? {
                out.say(format!("created {}", p.display()));
            }
            out.say("Edit schema-sync.toml, then run `schema-sync diff` (no arguments needed).");
            Ok(Status::Ok)
        }
        Command::Inspect { src, format, dialect, source } => {
            commands::inspect(&src, format, dialect.map(Into::into), &load_options(&source, models).await?, out).await
        }
        Command::Diff { from, to, format, dialect, explain, source, change } => {
            let lo = load_options(&source, models).await?;
            let (from, to) = match (from, to) {
                (Some(f), Some(t)) => (f, t),
                (Some(_), None) => bail!("diff --from needs --to (or neither, with a schema-sync.toml)"),
                (None, Some(_)) => bail!("diff --to needs --from (or neither, with a schema-sync.toml)"),
                (f, t) => {
                    // The seed's `db diff`: the configured SQLite against the configured Postgres.
                    // A broken configuration is reported as such, not as missing flags.
                    project::config()?;
                    let (lite, pg) = workflows::databases(None, None)
                        .context("diff needs --from and --to, or a schema-sync.toml with [sqlite] and [postgres]")?;
                    (f.unwrap_or_else(|| lite.display()), t.unwrap_or(pg))
                }
            };
            commands::diff_cmd(
                &from,
                &to,
                format,
                dialect.map(Into::into),
                explain,
                &lo,
                &change_with_config(change),
                out,
            )
            .await
        }
        Command::Apply {
            db,
            to,
            dry_run,
            allow_destructive,
            backup,
            yes,
            validate,
            no_validate,
            source,
            change,
            budget,
            online,
            format,
        } => {
            let lo = load_options(&source, models).await?;
            let mut opts = apply_options(&change_with_config(change), &lo, allow_destructive, dry_run)?;
            opts.budget = options::budget(&budget)?;
            options::online(&online, &mut opts.plan);
            let is_pg = matches!(Source::parse(&db)?, Source::Postgres(_));
            opts.validate = validate || (is_pg && !no_validate);
            let json = format == args::ReportFormat::Json;
            commands::apply_cmd(&db, &to, &lo, &opts, backup.as_deref(), yes, json, &quiet_for(format, out)).await
        }
        Command::Migration { command: MigrationCommand::New { name, from, to, dir, no_online, source, change } } => {
            let lo = load_options(&source, models).await?;
            let online = !no_online && options::soft_config().and_then(|c| c.online).unwrap_or(true);
            let m = workflows::NewMigration { name: &name, from: &from, to: &to, dir: &dir, online };
            workflows::migration_new(m, &lo, &change_with_config(change), out).await
        }
        Command::Migrate { args, source } => {
            let lo = load_options(&source, models).await?;
            workflows::migrate(args, &lo, out).await
        }
        Command::Sync { args, source, change } => {
            let lo = load_options(&source, models).await?;
            let format = args.format;
            workflows::sync(args, &lo, &change_with_config(change), &quiet_for(format, out)).await
        }
        Command::Audit { sqlite, postgres, migrations, models: snapshot, format, source, change } => {
            let lo = load_options(&source, models).await?;
            let a = workflows::AuditArgs { sqlite, postgres, migrations, models: snapshot, format };
            workflows::audit(a, &lo, &change_with_config(change), out).await
        }
        Command::Fleet { command } => fleet::run(command, models, out).await,
        Command::Lint { paths, format } => commands::lint(&paths, format, out),
        Command::Pull { from, out: dir, source } => {
            let lo = load_options(&source, None).await?;
            let platform =
                source.platform_sql.clone().or_else(|| options::soft_config().and_then(|c| c.platform_sql.clone()));
            commands::pull(&from, &dir, platform.as_deref(), &lo, out).await
        }
    }
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM, with the signal's name and the exit status a shell
/// expects for it (128 + signal number).
async fn interrupted() -> (&'static str, u8) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut int), Ok(mut term)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = int.recv() => ("SIGINT", 130),
            _ = term.recv() => ("SIGTERM", 143),
        }
    }
    #[cfg(not(unix))]
    {
        match tokio::signal::ctrl_c().await {
            Ok(()) => ("Ctrl-C", 130),
            Err(_) => std::future::pending().await,
        }
    }
}

/// With `--format json`, stdout carries only the JSON document.
fn quiet_for(format: args::ReportFormat, out: &Output) -> Output {
    let mut o = out.clone();
    if format == args::ReportFormat::Json {
        o.quiet = true;
        o.tty = false;
    }
    o
}
