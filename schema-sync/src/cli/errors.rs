//! Library errors in the CLI's words: one line, with the flag that fixes it.

use schema_sync_core::error::{Finding, Problem};
use schema_sync_core::{Dialect, Error};

/// The error and its causes on one line, each cause added only when it says something new
/// (driver errors often repeat their source's text). A library error is explained with the
/// flag to use ([`explain`]); its own causes are already part of its message.
pub(super) fn one_line(e: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in e.chain() {
        let (text, last) = match cause.downcast_ref::<Error>() {
            Some(core) => (explain(core), true),
            None => (cause.to_string().lines().collect::<Vec<_>>().join(" "), false),
        };
        if !msg.contains(text.trim()) {
            if !msg.is_empty() {
                msg.push_str(": ");
            }
            msg.push_str(text.trim());
        }
        if last {
            break;
        }
    }
    msg
}

/// One library error as the CLI says it: the library's message, with the flags that fix it.
pub(super) fn explain(e: &Error) -> String {
    match e {
        Error::Destructive { losses } => {
            format!("refused: destructive change needs --allow-destructive: {}", losses.join("; "))
        }
        Error::WouldFail { findings } => format!(
            "refused: the change would fail on existing rows, nothing was changed: {}",
            findings.iter().map(with_fix).collect::<Vec<_>>().join("; ")
        ),
        Error::Rehearsal(inner) => {
            format!("refused: the rehearsal failed and was rolled back, nothing was changed: {}", explain(inner))
        }
        Error::Side { side, source } => format!("{side} side: {}", explain(source)),
        Error::RenameHint { hint, reason } => format!("--rename {hint}: {reason}"),
        Error::OutOfOrder { .. } => format!("{e} (rerun with --include-all to apply them)"),
        Error::LockTimeout { .. } => format!(
            "{e} (rerun when the blocking session is gone, or raise --lock-timeout / --lock-retries)"
        ),
        Error::Migration { applied, failed, source } => format!(
            "migration {failed} failed and was rolled back{}: {}",
            schema_sync_core::error::applied_note(applied),
            explain(source)
        ),
        Error::HalfApplied { changed, failed, source } => format!(
            "{changed} was changed and recorded, then {failed} failed and was rolled back; run the same `schema-sync sync --apply` again to finish {failed}: {}",
            explain(source)
        ),
        Error::Ddl { origin, reason, loaded_as: Dialect::Sqlite } => format!(
            "invalid DDL in {origin}: {reason} (Postgres DDL? pass --dev-url postgres://… to load it into a scratch database)"
        ),
        other => other.to_string(),
    }
}

/// A finding with the flag that fixes it.
fn with_fix(f: &Finding) -> String {
    let key = format!("{}.{}", f.table, f.columns.join(","));
    match &f.problem {
        Problem::Nulls => format!("{f} (give --backfill {key}=VALUE)"),
        Problem::RowsForNewNotNull => format!("{f} (add a default or --backfill {key}=VALUE)"),
        Problem::ChangedValues { .. } => {
            format!("{f} (convert them explicitly with --using {key}=EXPR, or accept the change with --allow-lossy)")
        }
        Problem::Unconvertible { .. } => format!("{f} (convert them explicitly with --using {key}=EXPR)"),
        _ => f.to_string(),
    }
}
