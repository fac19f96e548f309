//! The `schema_version` bookkeeping table kept in every managed database.
//!
//! One row per applied change: `version` (1, 2, …), `applied_at`, `checksum` (of the target
//! schema's snapshot JSON, see [`crate::snapshot::checksum`]) and `description`. It is created on
//! first use, written in the same transaction as the change it records, and never part of a
//! diff (introspection leaves it out).

use crate::render::quote_ident;
use crate::types::Dialect;
use serde::Serialize;

/// Name of the bookkeeping table.
pub const TABLE: &str = "schema_version";

/// One row of `schema_version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionRow {
    /// 1, 2, 3, …
    pub version: i64,
    /// When it was applied (text as the database prints it).
    pub applied_at: String,
    /// Checksum of the schema it brought the database to.
    pub checksum: String,
    /// What it was.
    pub description: Option<String>,
}

/// `CREATE TABLE IF NOT EXISTS schema_version (…)` for `dialect` (in `schema` on Postgres).
pub fn create_sql(dialect: Dialect, schema: Option<&str>) -> String {
    let name = crate::render::qualified(schema, TABLE);
    match dialect {
        Dialect::Sqlite => format!(
            "CREATE TABLE IF NOT EXISTS {name} (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, checksum TEXT NOT NULL, description TEXT)"
        ),
        Dialect::Postgres => format!(
            "CREATE TABLE IF NOT EXISTS {name} (version bigint PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), checksum text NOT NULL, description text)"
        ),
    }
}

/// `INSERT` of the next version row; parameters `$1`/`?1` = checksum, `$2`/`?2` = description.
pub fn insert_sql(dialect: Dialect, schema: Option<&str>) -> String {
    let name = crate::render::qualified(schema, TABLE);
    let (c, d) = match dialect {
        Dialect::Sqlite => ("?1", "?2"),
        Dialect::Postgres => ("$1", "$2"),
    };
    format!(
        "INSERT INTO {name} (version, checksum, description) SELECT COALESCE(MAX(version), 0) + 1, {c}, {d} FROM {name}"
    )
}

/// `SELECT` of all rows, oldest first.
pub fn select_sql(dialect: Dialect, schema: Option<&str>) -> String {
    let name = crate::render::qualified(schema, TABLE);
    let at = match dialect {
        Dialect::Sqlite => "applied_at".to_string(),
        Dialect::Postgres => "to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')".to_string(),
    };
    format!("SELECT version, {at}, checksum, description FROM {name} ORDER BY version")
}

/// Quoted table name, for messages.
pub fn quoted() -> String {
    quote_ident(TABLE)
}
