//! Views (plain and materialized) and triggers: objects whose body is SQL text the database
//! keeps, compared as the catalog prints it.
//!
//! A view's `definition` is its query as the source dialect's catalog gives it back
//! (Postgres: `pg_get_viewdef`, which normalises spacing, qualification and aliases; SQLite:
//! the text after `AS` as it was written, with comments dropped and whitespace collapsed by
//! [`crate::expr::collapse`]). Two reads of one database therefore agree byte for byte, and
//! two databases built from one DDL agree too. Bodies written in different dialects are not
//! compared (see [`crate::diff::compare`]).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::skip::is_false;
use super::table::TableRef;
use crate::types::Dialect;

/// A view (`CREATE VIEW`) or, on Postgres, a materialized view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    /// Namespace (Postgres); `None` on SQLite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// View name.
    pub name: String,
    /// Column names given after the name (`CREATE VIEW v (a, b) AS …`; SQLite only: Postgres
    /// folds them into the definition as aliases).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// The query, as the catalog prints it (no trailing `;`).
    pub definition: String,
    /// `CREATE MATERIALIZED VIEW` (Postgres).
    #[serde(default, skip_serializing_if = "is_false")]
    pub materialized: bool,
    /// Options (`security_invoker`, `security_barrier`, `check_option`, storage parameters of a
    /// materialized view), by name, values as the catalog stores them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    /// Indexes of a materialized view (Postgres).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<super::Index>,
    /// Set only on a view carried into the other dialect by a cross-dialect comparison: the
    /// dialect its body is written in. Such a view is reported, never created from a guessed
    /// translation (rendering it fails with a clear error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_for: Option<Dialect>,
    /// The column names a Rust declaration (`#[derive(SyncView)]`) promises the query yields,
    /// in order. Checked when the models are read in a scratch database
    /// ([`crate::declarative::merge`]); not something a catalog keeps, so never serialized and
    /// never compared. Empty for every view read from a database, snapshot or DDL file.
    #[serde(skip)]
    pub declared_columns: Vec<String>,
}

impl View {
    /// A plain view with this query.
    pub fn new(name: impl Into<String>, definition: impl Into<String>) -> Self {
        Self {
            schema: None,
            name: name.into(),
            columns: Vec::new(),
            definition: definition.into(),
            materialized: false,
            options: BTreeMap::new(),
            indexes: Vec::new(),
            written_for: None,
            declared_columns: Vec::new(),
        }
    }

    /// The view as a relation reference (views and tables share one namespace).
    pub fn relation(&self) -> TableRef {
        TableRef { schema: self.schema.clone(), name: self.name.clone() }
    }

    /// `VIEW` or `MATERIALIZED VIEW`, for statements and messages.
    pub fn kind(&self) -> &'static str {
        if self.materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        }
    }
}

/// A trigger on a table (or an `INSTEAD OF` trigger on a view).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// Namespace of the table (Postgres); `None` on SQLite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The table (or view) it fires on.
    pub table: String,
    /// Trigger name.
    pub name: String,
    /// The whole `CREATE TRIGGER` statement as the catalog prints it (no trailing `;`).
    pub definition: String,
    /// As [`View::written_for`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_for: Option<Dialect>,
    /// When it fires (Postgres `ALTER TABLE … ENABLE | DISABLE … TRIGGER`): always on SQLite.
    #[serde(default, skip_serializing_if = "TriggerFiring::is_origin")]
    pub fires: TriggerFiring,
}

/// When a Postgres trigger fires, by `session_replication_role` (`pg_trigger.tgenabled`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerFiring {
    /// Enabled (`O`, the default): fires unless the session replays replicated changes.
    #[default]
    Origin,
    /// `DISABLE TRIGGER` (`D`): never fires.
    Disabled,
    /// `ENABLE REPLICA TRIGGER` (`R`): fires only while replaying replicated changes.
    Replica,
    /// `ENABLE ALWAYS TRIGGER` (`A`): fires whatever the session's role.
    Always,
}

impl TriggerFiring {
    /// `true` for the default, [`TriggerFiring::Origin`].
    pub fn is_origin(&self) -> bool {
        *self == TriggerFiring::Origin
    }

    /// From `pg_trigger.tgenabled`.
    pub fn from_catalog(c: &str) -> Self {
        match c {
            "D" => TriggerFiring::Disabled,
            "R" => TriggerFiring::Replica,
            "A" => TriggerFiring::Always,
            _ => TriggerFiring::Origin,
        }
    }

    /// The `ALTER TABLE` words that set it (`ENABLE TRIGGER` for the default).
    pub fn sql(self) -> &'static str {
        match self {
            TriggerFiring::Origin => "ENABLE TRIGGER",
            TriggerFiring::Disabled => "DISABLE TRIGGER",
            TriggerFiring::Replica => "ENABLE REPLICA TRIGGER",
            TriggerFiring::Always => "ENABLE ALWAYS TRIGGER",
        }
    }
}

impl Trigger {
    /// The relation the trigger fires on.
    pub fn relation(&self) -> TableRef {
        TableRef { schema: self.schema.clone(), name: self.table.clone() }
    }
}
