//! Comments on objects (`COMMENT ON … IS '…'`, Postgres).

use serde::{Deserialize, Serialize};

/// The kind of object a comment is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommentKind {
    /// A table.
    Table,
    /// A column of a table (or view).
    Column,
    /// A view.
    View,
    /// A materialized view.
    MaterializedView,
    /// A function.
    Function,
    /// A procedure.
    Procedure,
    /// A trigger (on `table`).
    Trigger,
    /// A policy (on `table`).
    Policy,
    /// A constraint (on `table`).
    Constraint,
    /// An index.
    Index,
    /// A sequence.
    Sequence,
    /// A type (an enum).
    Type,
    /// A domain.
    Domain,
}

impl CommentKind {
    /// The keyword `COMMENT ON` names it with (`TABLE`, `MATERIALIZED VIEW`, …).
    pub fn keyword(self) -> &'static str {
        match self {
            CommentKind::Table => "TABLE",
            CommentKind::Column => "COLUMN",
            CommentKind::View => "VIEW",
            CommentKind::MaterializedView => "MATERIALIZED VIEW",
            CommentKind::Function => "FUNCTION",
            CommentKind::Procedure => "PROCEDURE",
            CommentKind::Trigger => "TRIGGER",
            CommentKind::Policy => "POLICY",
            CommentKind::Constraint => "CONSTRAINT",
            CommentKind::Index => "INDEX",
            CommentKind::Sequence => "SEQUENCE",
            CommentKind::Type => "TYPE",
            CommentKind::Domain => "DOMAIN",
        }
    }
}

/// What a comment is on: the object's kind, schema, table (for columns, triggers, policies,
/// constraints), name and, for functions, the argument types.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentOn {
    /// The kind.
    pub kind: CommentKind,
    /// Namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The table a column, trigger, policy or constraint belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The object's (or column's) name.
    pub name: String,
    /// A function's argument types (`pg_get_function_identity_arguments`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<String>,
}

impl CommentOn {
    /// `schema.table.name` (and `(arguments)`) for messages.
    pub fn display(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        parts.extend(self.schema.as_deref());
        parts.extend(self.table.as_deref());
        parts.push(&self.name);
        let mut s = parts.join(".");
        if let Some(a) = &self.arguments {
            s.push_str(&format!("({a})"));
        }
        s
    }
}

/// A comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comment {
    /// What it is on.
    pub on: CommentOn,
    /// The text.
    pub text: String,
}
