//! Postgres functions, procedures and aggregates (`CREATE FUNCTION`, `CREATE PROCEDURE`,
//! `CREATE AGGREGATE`).

use serde::{Deserialize, Serialize};

use super::table::TableRef;

/// A function, procedure or aggregate. Overloads are distinct objects: the key is the schema, the name
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
    /// An aggregate (`CREATE AGGREGATE`): its `definition` is built from `pg_aggregate` (the
    /// catalog prints no statement for one), every support function schema-qualified.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub aggregate: bool,
    /// The whole `CREATE OR REPLACE FUNCTION …` statement as `pg_get_functiondef` prints it
    /// (language, volatility, `SECURITY DEFINER`, `SET search_path`, cost, body), spacing outside
    /// the body collapsed.
    pub definition: String,
}

impl Function {
    /// `"schema"."name"(identity arguments)`: how `DROP FUNCTION` names it (an aggregate of no
    /// arguments, `count(*)`-like, is `name(*)`).
    pub fn signature(&self) -> String {
        format!("{}({})", crate::sql::qualified(self.schema.as_deref(), &self.name), self.arguments_list())
    }

    /// The identity arguments as `DROP` names them: `*` for an aggregate of none (`COMMENT ON
    /// FUNCTION` and `GRANT … ON FUNCTION` name that one with `()`).
    pub fn arguments_list(&self) -> &str {
        if self.aggregate && self.identity.is_empty() {
            "*"
        } else {
            &self.identity
        }
    }

    /// `schema.name(arguments)` for messages.
    pub fn display(&self) -> String {
        format!(
            "{}({})",
            TableRef { schema: self.schema.clone(), name: self.name.clone() }.display(),
            self.arguments_list()
        )
    }

    /// `FUNCTION`, `PROCEDURE` or `AGGREGATE`.
    pub fn kind(&self) -> &'static str {
        if self.procedure {
            "PROCEDURE"
        } else if self.aggregate {
            "AGGREGATE"
        } else {
            "FUNCTION"
        }
    }

    /// `CREATE OR REPLACE` can turn `from` into `self` (same kind, result and arguments:
    /// Postgres refuses to change those in place; everything else — body, language,
    /// volatility, security, settings, an aggregate's support functions — it replaces).
    pub fn replaces(&self, from: &Function) -> bool {
        self.procedure == from.procedure
            && self.aggregate == from.aggregate
            && self.returns == from.returns
            && self.arguments == from.arguments
    }
}
