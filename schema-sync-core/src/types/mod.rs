//! Column types: the neutral [`SqlType`], each dialect's spelling of it, and the cross-dialect
//! compatibility rules.
//!
//! * [`postgres`] parses every built-in Postgres spelling (`int4`, `character varying(20)`,
//!   `timestamp(3) with time zone`, `_text`, …) and renders the canonical `format_type` text.
//! * [`sqlite`] keeps SQLite declared types (normalised spelling, never reinterpreted) and derives
//!   their affinity by SQLite's five rules.
//! * [`compat`] answers "can this SQLite column hold every value of that Postgres column?"
//!   and names the rule that matched.
//!
//! ```
//! use schema_sync_core::types::{postgres, SqlType};
//! assert_eq!(postgres::parse("int4").unwrap(), SqlType::Int);
//! assert_eq!(postgres::render(&SqlType::Varchar { length: Some(20) }), "character varying(20)");
//! ```

pub mod compat;
pub mod conversion;
pub mod postgres;
pub mod sqlite;
pub mod translate;

use serde::{Deserialize, Serialize};
use std::fmt;

/// A SQL dialect schema-sync reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    /// SQLite 3.
    Sqlite,
    /// PostgreSQL (and Supabase).
    Postgres,
}

impl Dialect {
    /// `"sqlite"` / `"postgres"`.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }

    /// Parses `sqlite` / `postgres` (also `postgresql`, `pg`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "sqlite" | "sqlite3" => Some(Dialect::Sqlite),
            "postgres" | "postgresql" | "pg" => Some(Dialect::Postgres),
            _ => None,
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A column type, independent of dialect. Compared structurally, never as strings.
///
/// A type with no neutral equivalent is kept as [`SqlType::Other`] with the dialect that
/// spelled it, e.g. Postgres `citext` or `tsvector`, or SQLite `DATETIME`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SqlType {
    /// `boolean`.
    Bool,
    /// `smallint` (2 bytes).
    SmallInt,
    /// `integer` (4 bytes).
    Int,
    /// `bigint` (8 bytes); SQLite `INTEGER`.
    BigInt,
    /// `real` (4-byte float).
    Real,
    /// `double precision`; SQLite `REAL`.
    Double,
    /// `numeric(p, s)`.
    Numeric {
        /// Precision, when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        precision: Option<u32>,
        /// Scale, when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scale: Option<u32>,
    },
    /// `text`.
    Text,
    /// `character varying(n)`.
    Varchar {
        /// Maximum length; `None` = unlimited.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        length: Option<u32>,
    },
    /// `character(n)` (blank-padded).
    Char {
        /// Length; Postgres treats a bare `char` as `char(1)`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        length: Option<u32>,
    },
    /// `bytea`; SQLite `BLOB`.
    Bytes,
    /// `date`.
    Date,
    /// `time[(p)] with[out] time zone`.
    Time {
        /// Fractional-second precision.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        precision: Option<u32>,
        /// `with time zone`.
        #[serde(default)]
        tz: bool,
    },
    /// `timestamp[(p)] with[out] time zone`.
    Timestamp {
        /// Fractional-second precision.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        precision: Option<u32>,
        /// `with time zone` (`timestamptz`).
        #[serde(default)]
        tz: bool,
    },
    /// `interval [fields] [(p)]`.
    Interval {
        /// Field restriction such as `year to month`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fields: Option<String>,
        /// Fractional-second precision.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        precision: Option<u32>,
    },
    /// `uuid`.
    Uuid,
    /// `json`.
    Json,
    /// `jsonb`.
    Jsonb,
    /// `element[]` (Postgres ignores declared dimensions, and so do we).
    Array {
        /// Element type.
        element: Box<SqlType>,
    },
    /// A user-defined enum type.
    Enum {
        /// Namespace of the type (`None` = the table's own / search path).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        schema: Option<String>,
        /// Type name.
        name: String,
    },
    /// Any other type, spelled as its dialect spells it (normalised case and spacing).
    Other {
        /// The dialect the spelling belongs to.
        dialect: Dialect,
        /// The type text.
        raw: String,
    },
}

impl SqlType {
    /// `true` for the three integer types.
    pub fn is_integer(&self) -> bool {
        matches!(self, SqlType::SmallInt | SqlType::Int | SqlType::BigInt)
    }

    /// Renders the type in `dialect`.
    pub fn render(&self, dialect: Dialect) -> String {
        match dialect {
            Dialect::Postgres => postgres::render(self),
            Dialect::Sqlite => sqlite::render(self),
        }
    }

    /// Parses `text` as spelled in `dialect`.
    pub fn parse(text: &str, dialect: Dialect) -> Result<SqlType, TypeError> {
        match dialect {
            Dialect::Postgres => postgres::parse(text),
            Dialect::Sqlite => Ok(sqlite::parse(text)),
        }
    }
}

impl fmt::Display for SqlType {
    /// Displays in Postgres spelling unless the type is a SQLite-only spelling.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlType::Other { dialect: Dialect::Sqlite, raw } => f.write_str(raw),
            _ => f.write_str(&postgres::render(self)),
        }
    }
}

/// A type text that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid type `{text}`: {reason}")]
pub struct TypeError {
    /// The text as given.
    pub text: String,
    /// What is wrong with it.
    pub reason: String,
}

impl TypeError {
    pub(crate) fn new(text: &str, reason: impl Into<String>) -> Self {
        Self { text: text.to_string(), reason: reason.into() }
    }
}

/// Collapses runs of whitespace into one space, trims, and drops spaces just inside
/// parentheses and around commas: `numeric( 10 , 2 )` → `numeric(10,2)`.
pub(crate) fn squash(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for ch in text.trim().chars() {
        if ch.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space {
            let prev = out.chars().last();
            if !matches!(prev, Some('(') | Some(',') | None) && !matches!(ch, ')' | ',' | '(') {
                out.push(' ');
            } else if ch == '(' && !matches!(prev, Some('(') | Some(',') | None) {
                // `varchar (10)` → `varchar(10)`
            }
            pending_space = false;
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squash_normalises_spacing() {
        for (input, want) in [
            ("numeric( 10 , 2 )", "numeric(10,2)"),
            ("  character   varying (20) ", "character varying(20)"),
            ("double\tprecision", "double precision"),
            ("text [ ]", "text [ ]"),
        ] {
            assert_eq!(squash(input), want, "{input}");
        }
    }
}
