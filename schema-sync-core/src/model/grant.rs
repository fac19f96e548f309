//! Privileges of the managed roles (`GRANT`/`REVOKE`, Postgres).
//!
//! Only roles in a configured set are read and ever changed (default: Supabase's API roles,
//! [`crate::introspect::DEFAULT_MANAGED_ROLES`]), and a [`Grant`] is recorded only where what a
//! role holds on an object **differs from what the database's default privileges give it**
//! (`ALTER DEFAULT PRIVILEGES`, which Supabase sets so every new table in `public` is granted to
//! `anon`, `authenticated` and `service_role`). A table that has just what every table gets has
//! no record; so comparing a Supabase project with a database built from a DDL file does not
//! turn Supabase's defaults into hundreds of `REVOKE`s.

use serde::{Deserialize, Serialize};

use super::ObjectRef;

/// What one managed role holds on one object, where it differs from the default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// The object (a table, view, materialized view, column, sequence, function, procedure or
    /// schema).
    pub on: ObjectRef,
    /// The role.
    pub role: String,
    /// Privileges it holds (`SELECT`, `INSERT`, `USAGE`, `EXECUTE`, …), sorted; empty: none.
    pub privileges: Vec<String>,
    /// Those of [`Grant::privileges`] it holds `WITH GRANT OPTION`, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grantable: Vec<String>,
    /// What the database's default privileges give the role on such an object: where it goes
    /// back to when the other side has no record for it. Not compared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub default: Vec<String>,
}

impl Grant {
    /// The same privileges (and grant options), whatever the defaults.
    pub fn same(&self, other: &Grant) -> bool {
        self.privileges == other.privileges && self.grantable == other.grantable
    }

    /// `true` when this record is just the default (it then needs no record).
    pub fn is_default(&self) -> bool {
        self.grantable.is_empty() && self.privileges == self.default
    }
}
