//! Postgres functions and procedures (`CREATE FUNCTION`, `CREATE PROCEDURE`).

use serde::{Deserialize, Serialize};

use super::table::TableRef;

/// A function or procedure. Overloads are distinct objects: the key is the schema, the name
/// and the argument types ([`Function::identity`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Function {
    /// Namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Name.
    pub name: String,
    /// The argument types that tell overloads apart, as `pg_get_function_identity_arguments`
    /// prints them (`a integer, b text`; empty for none).
    pub identity: String,
    /// The arguments with names, modes and defaults (`pg_get_function_arguments`).
    pub arguments: String,
    /// What it returns (`pg_get_function_result`: `integer`, `SETOF users`, `trigger`,
    /// `TABLE(id bigint)`); empty for a procedure.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub returns: String,
    /// A procedure (`CREATE PROCEDURE`), not a function.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub procedure: bool,
    /// The whole `CREATE OR REPLACE FUNCTION …` statement as `pg_get_functiondef` prints it
    /// (language, volatility, `SECURITY DEFINER`, `SET search_path`, cost, body), spacing outside
    /// the body collapsed.
    pub definition: String,
}

impl Function {
    /// `"schema"."name"(identity arguments)`: how `DROP FUNCTION` names it.
    pub fn signature(&self) -> String {
        format!("{}({})", crate::sql::qualified(self.schema.as_deref(), &self.name), self.identity)
    }

    /// `schema.name(arguments)` for messages.
    pub fn display(&self) -> String {
        format!("{}({})", TableRef { schema: self.schema.clone(), name: self.name.clone() }.display(), self.identity)
    }

    /// `FUNCTION` or `PROCEDURE`.
    pub fn kind(&self) -> &'static str {
        if self.procedure {
            "PROCEDURE"
        } else {
            "FUNCTION"
        }
    }

    /// `CREATE OR REPLACE` can turn `from` into `self` (same kind, result and arguments:
    /// Postgres refuses to change those in place; everything else — body, language,
    /// volatility, security, settings — it replaces).
    pub fn replaces(&self, from: &Function) -> bool {
        self.procedure == from.procedure && self.returns == from.returns && self.arguments == from.arguments
    }
}
