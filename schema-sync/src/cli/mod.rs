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
mod inspect;
mod output;
mod project;
mod workflows;

pub use args::Cli;

use clap::Parser;
use schema_sync_core::Schema;
use std::process::ExitCode;

/// Outcome of a command that did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exit 0: success, or the schemas agree.
    Ok,
    /// Exit 1: drift found.
    Drift,
}

/// Runs the CLI with the process arguments and `models` available as the `models` source.
pub fn run(models: Schema) -> ExitCode {
    run_with(std::env::args_os().collect(), Some(models))
}

/// Runs the plain `schema-sync` binary (no built-in models).
pub fn run_plain() -> ExitCode {
    run_with(std::env::args_os().collect(), None)
}

/// Runs with explicit arguments (the first is the program name).
pub fn run_with(args: Vec<std::ffi::OsString>, models: Option<Schema>) -> ExitCode {
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
    let out = output::Output::new(cli.quiet, cli.verbose);
    match runtime.block_on(commands::dispatch(cli, models, &out)) {
        Ok(Status::Ok) => ExitCode::SUCCESS,
        Ok(Status::Drift) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes on one line, each cause added only when it says something new
/// (driver errors often repeat their source's text).
fn one_line(e: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in e.chain() {
        let text = cause.to_string().lines().collect::<Vec<_>>().join(" ");
        if msg.contains(text.trim()) {
            continue;
        }
        if !msg.is_empty() {
            msg.push_str(": ");
        }
        msg.push_str(text.trim());
    }
    msg
}
