//! Collations (`CREATE COLLATION`, Postgres): how text compares and sorts, named so columns,
//! domains and indexes can use it.

use serde::{Deserialize, Serialize};

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// A collation an application defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Collation {
    /// Namespace (`public`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Collation name.
    pub name: String,
    /// `icu`, `libc` or `builtin`.
    pub provider: String,
    /// The ICU (or builtin) locale (`en-u-kn-true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// libc `LC_COLLATE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lc_collate: Option<String>,
    /// libc `LC_CTYPE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lc_ctype: Option<String>,
    /// `deterministic = false`: strings that compare equal may differ (case-insensitive ICU
    /// collations).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub deterministic: bool,
}

impl Collation {
    /// `schema.name` for messages.
    pub fn display(&self) -> String {
        match &self.schema {
            Some(s) => format!("{s}.{}", self.name),
            None => self.name.clone(),
        }
    }
}
