//! The one error type of the core. Every variant says what was being done when it failed.

use std::fmt;

/// Result alias used across the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in schema-sync's core.
///
/// Messages are one line and name the thing that was wrong (a file, a table, a URL with its
/// password removed), so the CLI can print them as-is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input the user gave us is not valid (a source string, a URL, a flag value, a type).
    #[error("{0}")]
    Input(String),
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
    /// A change was refused before anything ran (destructive without opt-in, live schema moved,
    /// data that the change would not accept).
    #[error("refused: {0}")]
    Refused(String),
    /// A change ran but the result is not what was planned; everything was rolled back.
    #[error("verification failed, rolled back: {0}")]
    Verify(String),
    /// Something the target cannot do and no lowering exists for.
    #[error("unsupported: {0}")]
    Unsupported(String),
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
