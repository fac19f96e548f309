//! Standalone sequences (`CREATE SEQUENCE`), and the column one may belong to.

use serde::{Deserialize, Serialize};

use super::skip::is_false;
use crate::types::SqlType;

/// A sequence that no column owns (`CREATE SEQUENCE`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sequence {
    /// Namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Sequence name.
    pub name: String,
    /// `AS smallint|integer|bigint`.
    pub data_type: SqlType,
    /// `START WITH`.
    pub start: i64,
    /// `INCREMENT BY`.
    pub increment: i64,
    /// `MINVALUE`.
    pub min: i64,
    /// `MAXVALUE`.
    pub max: i64,
    /// `CACHE`.
    pub cache: i64,
    /// `CYCLE`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub cycle: bool,
    /// `OWNED BY table.column` when the sequence belongs to a column that does not draw its
    /// default from it (a `serial` column's own sequence is part of the column instead). Dropping
    /// the table drops such a sequence, so a change of owner is planned explicitly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<SequenceOwner>,
}

/// The column a sequence belongs to (same schema as the sequence, as Postgres requires).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SequenceOwner {
    /// Table name.
    pub table: String,
    /// Column name.
    pub column: String,
}
