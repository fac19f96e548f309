//! How comments and privileges name the object they are on.

use serde::{Deserialize, Serialize};

/// The kind of object a comment or a privilege is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
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
    /// A schema (namespace): privileges only.
    Schema,
}

impl ObjectKind {
    /// The keyword `COMMENT ON` names it with (`TABLE`, `MATERIALIZED VIEW`, …).
    pub fn keyword(self) -> &'static str {
        match self {
            ObjectKind::Table => "TABLE",
            ObjectKind::Column => "COLUMN",
            ObjectKind::View => "VIEW",
            ObjectKind::MaterializedView => "MATERIALIZED VIEW",
            ObjectKind::Function => "FUNCTION",
            ObjectKind::Procedure => "PROCEDURE",
            ObjectKind::Trigger => "TRIGGER",
            ObjectKind::Policy => "POLICY",
            ObjectKind::Constraint => "CONSTRAINT",
            ObjectKind::Index => "INDEX",
            ObjectKind::Sequence => "SEQUENCE",
            ObjectKind::Type => "TYPE",
            ObjectKind::Domain => "DOMAIN",
            ObjectKind::Schema => "SCHEMA",
        }
    }
}

/// An object of the schema as comments and privileges name it: its kind, schema, table (for
/// columns, triggers, policies, constraints), name and, for functions, the argument types.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectRef {
    /// The kind.
    pub kind: ObjectKind,
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

impl ObjectRef {
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

impl super::Schema {
    /// `true` when the object `on` names is part of this schema (a comment or privilege on one
    /// the schema no longer has goes with the object).
    pub fn has(&self, on: &ObjectRef) -> bool {
        let table = |name: &str| self.tables.iter().find(|t| t.schema == on.schema && t.name == name);
        match on.kind {
            ObjectKind::Table => table(&on.name).is_some(),
            // A view's columns are not modelled: a comment on one goes with the view.
            ObjectKind::Column => match on.table.as_deref() {
                Some(name) => match table(name) {
                    Some(t) => t.column(&on.name).is_some(),
                    None => self.views.iter().any(|v| v.schema == on.schema && v.name == name),
                },
                None => false,
            },
            ObjectKind::View | ObjectKind::MaterializedView => {
                self.views.iter().any(|v| v.schema == on.schema && v.name == on.name)
            }
            ObjectKind::Function | ObjectKind::Procedure => self
                .functions
                .iter()
                .any(|f| f.schema == on.schema && f.name == on.name && Some(&f.identity) == on.arguments.as_ref()),
            ObjectKind::Trigger => self
                .triggers
                .iter()
                .any(|t| t.schema == on.schema && Some(&t.table) == on.table.as_ref() && t.name == on.name),
            ObjectKind::Policy => self
                .policies
                .iter()
                .any(|p| p.schema == on.schema && Some(&p.table) == on.table.as_ref() && p.name == on.name),
            ObjectKind::Type => {
                self.enums.iter().any(|e| e.schema == on.schema && e.name == on.name)
                    || self.composites.iter().any(|c| c.schema == on.schema && c.name == on.name)
            }
            ObjectKind::Domain => self.domains.iter().any(|d| d.schema == on.schema && d.name == on.name),
            ObjectKind::Constraint => on.table.as_deref().and_then(table).is_some_and(|t| {
                let name = Some(on.name.as_str());
                t.primary_key.as_ref().is_some_and(|p| p.name.as_deref() == name)
                    || t.uniques.iter().any(|u| u.name.as_deref() == name)
                    || t.foreign_keys.iter().any(|f| f.name.as_deref() == name)
                    || t.checks.iter().any(|c| c.name.as_deref() == name)
                    || t.exclusions.iter().any(|x| x.name.as_deref() == name)
            }),
            // An index of a table, or the one behind a key constraint of that name.
            ObjectKind::Index => self.tables.iter().filter(|t| t.schema == on.schema).any(|t| {
                t.indexes.iter().any(|i| i.name == on.name)
                    || t.primary_key.as_ref().and_then(|p| p.name.as_deref()) == Some(on.name.as_str())
                    || t.uniques.iter().any(|u| u.name.as_deref() == Some(on.name.as_str()))
                    || t.exclusions.iter().any(|x| x.name.as_deref() == Some(on.name.as_str()))
            }),
            // Schemas are never dropped.
            ObjectKind::Schema => true,
            // A standalone sequence, or a serial column's own (`<table>_<column>_seq`).
            ObjectKind::Sequence => {
                self.sequences.iter().any(|q| q.schema == on.schema && q.name == on.name)
                    || self.tables.iter().filter(|t| t.schema == on.schema).any(|t| {
                        t.columns.iter().any(|c| {
                            c.identity.is_some() && crate::sql::pg_object_name(&t.name, Some(&c.name), "seq") == on.name
                        })
                    })
            }
        }
    }
}
