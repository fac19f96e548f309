//! The one error type of the core. Every variant says what was being done when it failed, and
//! carries its facts as fields (table, column, count, hazard) so callers can act on them. The
//! messages name no command-line flag: the CLI and the `testing` asserts add the fix in their
//! own words.

use std::fmt;
use std::path::PathBuf;

use crate::types::Dialect;

/// Result alias used across the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in schema-sync's core.
///
/// Messages are one line and name the thing that was wrong (a file, a table, a URL with its
/// password removed), so they can be printed as-is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input the user gave us is not valid (a source string, a URL, an option value, a type).
    #[error("{0}")]
    Input(String),
    /// A rename hint (`old=new`, `table.old=new`) names something the target does not have.
    #[error("rename hint {hint}: {reason}")]
    RenameHint {
        /// The hint as given.
        hint: String,
        /// What is missing.
        reason: String,
    },
    /// A snapshot JSON file could not be read.
    #[error("invalid snapshot {origin}: {reason}")]
    Snapshot {
        /// File or description of where the snapshot came from.
        origin: String,
        /// What is wrong.
        reason: String,
    },
    /// A DDL file could not be loaded.
    #[error("invalid DDL in {origin}: {reason}")]
    Ddl {
        /// File or description.
        origin: String,
        /// What is wrong (the database's own message).
        reason: String,
        /// The dialect the file was loaded as (SQLite DDL files that hold Postgres DDL fail
        /// here: the fix is to load them into a scratch Postgres database).
        loaded_as: Dialect,
    },
    /// A type text that cannot be read.
    #[error(transparent)]
    Type(#[from] crate::types::TypeError),
    /// SQLite reported an error.
    #[cfg(feature = "sqlite")]
    #[error("while {context}: {source}")]
    Sqlite {
        /// What we were doing.
        context: String,
        /// The driver error.
        #[source]
        source: rusqlite::Error,
    },
    /// Postgres reported an error.
    #[cfg(feature = "postgres")]
    #[error("while {context}: {}", crate::error::pg_message(source))]
    Postgres {
        /// What we were doing.
        context: String,
        /// The driver error.
        #[source]
        source: sqlx::Error,
    },
    /// A file-system operation failed.
    #[error("while {context}: {source}")]
    Io {
        /// What we were doing.
        context: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The plan deletes data and destructive changes were not allowed; nothing ran.
    #[error("refused: the change deletes data and destructive changes are not allowed: {}", losses.join("; "))]
    Destructive {
        /// One sentence per loss (`drops table `x` and every row in it`).
        losses: Vec<String>,
    },
    /// A read-only check found rows a step would fail on (or change); nothing ran.
    #[error("refused: the change would fail on existing rows, nothing was changed: {}", list(findings))]
    WouldFail {
        /// What each check found.
        findings: Vec<Finding>,
    },
    /// The database file fails its integrity check (`PRAGMA quick_check`); nothing was changed,
    /// since changing a damaged file can only make it worse.
    #[error("refused: {database} is damaged (PRAGMA quick_check: {detail}); nothing was changed — restore it from a backup or repair it first")]
    Corrupt {
        /// The database, as shown.
        database: String,
        /// The first problem the check reports.
        detail: String,
    },
    /// The live schema is no longer the one the plan was made from; nothing ran.
    #[error("refused: the live schema changed since the plan was made; run again")]
    SchemaChanged,
    /// Every attempt ran out of lock budget (`lock_timeout`) waiting for a table lock other
    /// sessions held; each attempt was rolled back, so nothing was changed.
    #[error(
        "gave up after {attempts} attempt(s): a table lock was not available within the lock timeout ({}), nothing was changed{}",
        timeout_words(lock_timeout),
        blockers_words(blockers)
    )]
    LockTimeout {
        /// Attempts made.
        attempts: u32,
        /// The lock timeout of each attempt.
        lock_timeout: Option<std::time::Duration>,
        /// The sessions holding locks on the plan's tables when the last attempt gave up.
        blockers: Vec<Blocker>,
    },
    /// The rehearsal (the plan run in a transaction that is then rolled back) failed; nothing
    /// was changed.
    #[error("refused: the rehearsal failed and was rolled back, nothing was changed: {0}")]
    Rehearsal(Box<Error>),
    /// A migration file failed and was rolled back; the files before it were applied and
    /// recorded (they stay: each file is its own transaction).
    #[error("migration {failed} failed and was rolled back{}: {source}", applied_note(applied))]
    Migration {
        /// Versions applied (and recorded) by this run before the failure, in order.
        applied: Vec<String>,
        /// The file that failed.
        failed: String,
        /// Why.
        #[source]
        source: Box<Error>,
    },
    /// Pending migration files are dated before the newest applied one: probably written on a
    /// branch; applied only when included on purpose.
    #[error("found migration file(s) dated before the last applied migration: {}; they were probably written on a branch — rename them after the newest, or include them on purpose", versions.join(", "))]
    OutOfOrder {
        /// Their versions, oldest first.
        versions: Vec<String>,
    },
    /// A two-database change committed one side and failed on the other: the first side is
    /// changed and recorded, the second rolled back. Running the same change again finishes it.
    #[error("{changed} was changed and recorded, then {failed} failed and was rolled back; run the same sync again to finish {failed}: {source}")]
    HalfApplied {
        /// The side that was changed (`Postgres`).
        changed: &'static str,
        /// The side that failed (`SQLite`).
        failed: &'static str,
        /// Why it failed.
        #[source]
        source: Box<Error>,
    },
    /// One side of a two-database operation (sync) failed.
    #[error("{side} side: {source}")]
    Side {
        /// `SQLite` or `Postgres`.
        side: &'static str,
        /// What failed there.
        #[source]
        source: Box<Error>,
    },
    /// A change ran but the result is not what was planned; everything was rolled back.
    #[error("verification failed, rolled back: {0}")]
    Verify(Verification),
    /// Something the target cannot do and no lowering exists for.
    #[error("unsupported: {what}")]
    Unsupported {
        /// The target's dialect.
        dialect: Dialect,
        /// What cannot be done (`dropping an unnamed CHECK (x > 0) on `t``).
        what: String,
    },
}

/// Why a verification failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verification {
    /// The schema read back after running the plan is not the target.
    Differs {
        /// The remaining differences, on one line.
        summary: String,
    },
    /// A SQLite table rebuild copied fewer rows than the old table had.
    RowsLost {
        /// The table.
        table: String,
        /// Rows before.
        before: u64,
        /// Rows after.
        after: u64,
    },
    /// `PRAGMA foreign_key_check` reports violations the change introduced.
    ForeignKeys {
        /// How many new violations.
        new_violations: u64,
    },
    /// A backup file did not read back as written.
    Backup {
        /// The file.
        path: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
}

impl fmt::Display for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verification::Differs { summary } => {
                write!(f, "database differs from the target after applying: {summary}")
            }
            Verification::RowsLost { table, before, after } => {
                write!(f, "rebuild of `{table}` copied {after} of {before} rows")
            }
            Verification::ForeignKeys { new_violations } => {
                write!(f, "PRAGMA foreign_key_check reports {new_violations} new violation(s)")
            }
            Verification::Backup { path, reason } => write!(f, "backup `{}` {reason}", path.display()),
        }
    }
}

/// What a read-only check before a change found: rows that a step would fail on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// The table (as named in the target schema).
    pub table: String,
    /// The columns concerned (one for NULLs and new columns; the key's for duplicates).
    pub columns: Vec<String>,
    /// What the rows would break.
    pub problem: Problem,
    /// How many rows (or duplicate groups).
    pub rows: i64,
}

/// What rows found by a check would break.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Problem {
    /// The column becomes NOT NULL and these rows hold NULL (fix: a backfill value).
    Nulls,
    /// A new NOT NULL column without a default, and the table has rows (fix: a default or a
    /// backfill value).
    RowsForNewNotNull,
    /// A new unique key (`what`: `UNIQUE`, `the primary key`, ``unique index `x` ``) over
    /// duplicate groups.
    Duplicates {
        /// The constraint or index.
        what: String,
    },
    /// A new constraint (`what`: ``CHECK (n > 0)``, `the foreign key to orgs(id)`) that these
    /// rows violate.
    Violates {
        /// The constraint.
        what: String,
    },
    /// A type change would store these rows' values differently (truncated, rounded,
    /// normalised, reinterpreted) — never done silently (fix: an explicit conversion, or an
    /// explicit opt-in to lossy changes).
    ChangedValues {
        /// The old type, as the dialect spells it.
        from: String,
        /// The new type.
        to: String,
    },
    /// The table is dropped and created again (its partitioning changes in a way Postgres
    /// cannot alter) and these rows would go with it (fix: move them out first).
    RowsInRecreatedTable,
    /// The check of a type change could not run: some values do not convert at all (the
    /// database's message), so the change would fail.
    Unconvertible {
        /// The old type.
        from: String,
        /// The new type.
        to: String,
        /// Why (the database's message).
        reason: String,
    },
}

impl Finding {
    /// `table.column`, or `table(a, b)` for a multi-column key.
    pub fn subject(&self) -> String {
        match &self.problem {
            _ if self.columns.is_empty() => self.table.clone(),
            Problem::Duplicates { .. } | Problem::Violates { .. } => {
                format!("{}({})", self.table, self.columns.join(", "))
            }
            _ => format!("{}.{}", self.table, self.columns.join(", ")),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &self.problem {
            Problem::Nulls => "row(s) holding NULL, so NOT NULL would fail".to_string(),
            Problem::RowsForNewNotNull => {
                "existing row(s), so a new NOT NULL column without a default would fail".to_string()
            }
            Problem::Duplicates { what } => format!("duplicate group(s), so {what} would fail"),
            Problem::Violates { what } => format!("row(s) that violate {what}"),
            Problem::RowsInRecreatedTable => "row(s), which recreating it to change its partitioning would delete \
                (move them out first)"
                .to_string(),
            Problem::ChangedValues { from, to } => {
                format!("row(s) whose value would change converting {from} to {to}")
            }
            Problem::Unconvertible { from, to, reason } => {
                return write!(f, "`{}` has value(s) that do not convert from {from} to {to}: {reason}", self.subject())
            }
        };
        write!(f, "`{}` has {} {what}", self.subject(), self.rows)
    }
}

/// ` (2 earlier migration(s) applied and recorded: a, b)`, or that nothing was.
pub fn applied_note(applied: &[String]) -> String {
    match applied.len() {
        0 => " (nothing was applied before it)".to_string(),
        n => format!(" ({n} earlier migration(s) applied and recorded: {})", applied.join(", ")),
    }
}

fn list(findings: &[Finding]) -> String {
    findings.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("; ")
}

impl Error {
    /// Wraps a SQLite error with what was being done.
    #[cfg(feature = "sqlite")]
    pub fn sqlite(context: impl fmt::Display, source: rusqlite::Error) -> Self {
        Error::Sqlite { context: context.to_string(), source }
    }

    /// Wraps a Postgres error with what was being done.
    #[cfg(feature = "postgres")]
    pub fn postgres(context: impl fmt::Display, source: sqlx::Error) -> Self {
        Error::Postgres { context: context.to_string(), source }
    }

    /// Wraps an IO error with what was being done.
    pub fn io(context: impl fmt::Display, source: std::io::Error) -> Self {
        Error::Io { context: context.to_string(), source }
    }

    /// A bad-input error.
    pub fn input(msg: impl fmt::Display) -> Self {
        Error::Input(msg.to_string())
    }

    /// `true` when nothing was changed because a check refused the change before it ran
    /// (destructive without opt-in, rows that would fail, a moved schema, a failed rehearsal).
    pub fn is_refusal(&self) -> bool {
        match self {
            Error::Destructive { .. }
            | Error::WouldFail { .. }
            | Error::SchemaChanged
            | Error::LockTimeout { .. }
            | Error::Rehearsal(_)
            | Error::Corrupt { .. } => true,
            Error::Side { source, .. } => source.is_refusal(),
            _ => false,
        }
    }

    /// A lock was not available within `lock_timeout` (Postgres `55P03`).
    pub fn is_lock_timeout(&self) -> bool {
        self.sqlstate().as_deref() == Some("55P03")
    }

    /// The database's SQLSTATE, when the error came from Postgres.
    pub fn sqlstate(&self) -> Option<String> {
        match self.innermost() {
            #[cfg(feature = "postgres")]
            Error::Postgres { source: sqlx::Error::Database(db), .. } => db.code().map(|c| c.into_owned()),
            _ => None,
        }
    }

    /// The database's own message (without our context), when the error came from a database.
    pub fn database_message(&self) -> Option<String> {
        match self.innermost() {
            #[cfg(feature = "postgres")]
            Error::Postgres { source, .. } => Some(pg_message(source)),
            #[cfg(feature = "sqlite")]
            Error::Sqlite { source, .. } => Some(source.to_string()),
            _ => None,
        }
    }

    /// `true` for a value the database refused (SQLSTATE class 22, data exception: out of
    /// range, invalid input syntax) or a cast it does not know (42846).
    pub fn is_data_exception(&self) -> bool {
        self.sqlstate().is_some_and(|s| s.starts_with("22") || s == "42846")
    }

    /// The error under any [`Error::Side`] and [`Error::Rehearsal`] wrappers.
    pub fn innermost(&self) -> &Error {
        match self {
            Error::Side { source, .. }
            | Error::Rehearsal(source)
            | Error::Migration { source, .. }
            | Error::HalfApplied { source, .. } => source.innermost(),
            other => other,
        }
    }
}

/// A session holding a lock the migration waited for.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Blocker {
    /// Its backend pid (`pg_terminate_backend(pid)` ends it).
    pub pid: i32,
    /// The table it holds a lock on.
    pub table: String,
    /// The lock mode it holds.
    pub mode: String,
    /// `active`, `idle in transaction`, …
    pub state: String,
    /// Seconds since its transaction began.
    pub transaction_seconds: f64,
    /// Its current (or last) statement, shortened.
    pub query: String,
}

impl std::fmt::Display for Blocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {} holds {} on {} ({}, transaction open {:.0} s): `{}`",
            self.pid, self.mode, self.table, self.state, self.transaction_seconds, self.query
        )
    }
}

fn timeout_words(t: &Option<std::time::Duration>) -> String {
    t.map(|d| format!("{} ms", d.as_millis())).unwrap_or_else(|| "none".to_string())
}

fn blockers_words(b: &[Blocker]) -> String {
    if b.is_empty() {
        return String::new();
    }
    format!("; blocked by: {}", b.iter().map(|b| b.to_string()).collect::<Vec<_>>().join("; "))
}

/// One-line text of a sqlx error: the server's message (with detail) for database errors.
#[cfg(feature = "postgres")]
pub(crate) fn pg_message(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => {
            let code = db.code().map(|c| format!(" (SQLSTATE {c})")).unwrap_or_default();
            format!("{}{code}", db.message())
        }
        other => other.to_string().replace('\n', " "),
    }
}
