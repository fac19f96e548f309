//! Row-level security policies (Postgres); the switches on a table are
//! [`super::RowSecurity`].

use serde::{Deserialize, Serialize};

use super::skip::is_false;
use super::table::TableRef;

/// The command a policy applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyCommand {
    /// `FOR ALL`.
    #[default]
    All,
    /// `FOR SELECT`.
    Select,
    /// `FOR INSERT`.
    Insert,
    /// `FOR UPDATE`.
    Update,
    /// `FOR DELETE`.
    Delete,
}

impl PolicyCommand {
    /// The keyword.
    pub fn sql(self) -> &'static str {
        match self {
            PolicyCommand::All => "ALL",
            PolicyCommand::Select => "SELECT",
            PolicyCommand::Insert => "INSERT",
            PolicyCommand::Update => "UPDATE",
            PolicyCommand::Delete => "DELETE",
        }
    }
}

/// A row-level security policy (`CREATE POLICY`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Namespace of the table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The table.
    pub table: String,
    /// Policy name (unique per table).
    pub name: String,
    /// `AS RESTRICTIVE` (default permissive).
    #[serde(default, skip_serializing_if = "is_false")]
    pub restrictive: bool,
    /// `FOR …`.
    #[serde(default)]
    pub command: PolicyCommand,
    /// `TO …`, sorted; `public` stands for `PUBLIC` (every role).
    pub roles: Vec<String>,
    /// `USING (…)`: which existing rows it lets a command see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
    /// `WITH CHECK (…)`: which new rows it lets a command write.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_check: Option<String>,
}

impl Policy {
    /// The table it is on.
    pub fn relation(&self) -> TableRef {
        TableRef { schema: self.schema.clone(), name: self.table.clone() }
    }
}
