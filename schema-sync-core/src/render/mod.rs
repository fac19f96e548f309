//! SQL rendering: quoting helpers shared by both dialects, and one module per dialect that turns
//! a [`crate::plan::Plan`] into statements.

/// Quotes an identifier the way both SQLite and Postgres accept: `"name"` with inner quotes
/// doubled. Always quotes, so reserved words, mixed case, spaces and unicode round-trip.
///
/// ```
/// use schema_sync_core::render::quote_ident;
/// assert_eq!(quote_ident("users"), "\"users\"");
/// assert_eq!(quote_ident("we\"ird"), "\"we\"\"ird\"");
/// ```
pub fn quote_ident(name: &str) -> String {
    let mut s = String::with_capacity(name.len() + 2);
    s.push('"');
    for ch in name.chars() {
        if ch == '"' {
            s.push('"');
        }
        s.push(ch);
    }
    s.push('"');
    s
}

/// Quotes a string literal: `'it''s'`.
pub fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// `"schema"."name"` or `"name"`.
pub fn qualified(schema: Option<&str>, name: &str) -> String {
    match schema {
        Some(s) => format!("{}.{}", quote_ident(s), quote_ident(name)),
        None => quote_ident(name),
    }
}

/// `CONSTRAINT "name" ` when the constraint has a name, else nothing.
pub fn constraint_name(name: &Option<String>) -> String {
    name.as_ref().map(|n| format!("CONSTRAINT {} ", quote_ident(n))).unwrap_or_default()
}

/// The `DEFERRABLE …` clause (both dialects spell it the same).
pub fn deferrable(d: crate::model::Deferrable) -> &'static str {
    match d {
        crate::model::Deferrable::No => "",
        crate::model::Deferrable::InitiallyImmediate => " DEFERRABLE INITIALLY IMMEDIATE",
        crate::model::Deferrable::InitiallyDeferred => " DEFERRABLE INITIALLY DEFERRED",
    }
}

/// An index key: quoted column or parenthesised expression, then `COLLATE` (both dialects).
pub fn index_key_head(k: &crate::model::IndexKey) -> String {
    let mut s = match &k.target {
        crate::model::KeyTarget::Column(c) => quote_ident(c),
        crate::model::KeyTarget::Expression(e) => format!("({e})"),
    };
    if let Some(c) = &k.collation {
        s.push_str(&format!(" COLLATE {}", quote_ident(c)));
    }
    s
}

/// `'a', 'b', 'c'` — an enum's labels as SQL literals.
pub fn literal_list(values: &[String]) -> String {
    values.iter().map(|v| quote_literal(v)).collect::<Vec<_>>().join(", ")
}

/// Comma-separated quoted identifiers.
pub fn ident_list<S: AsRef<str>>(names: &[S]) -> String {
    names.iter().map(|n| quote_ident(n.as_ref())).collect::<Vec<_>>().join(", ")
}

pub mod postgres;
pub mod sqlite;

use crate::diff::TableRef;
use crate::model::Schema;
use crate::plan::{Capabilities, Plan, PlanOptions};
use crate::types::Dialect;
use serde::Serialize;

/// One SQL statement of a rendered plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// The SQL text, without a trailing `;`.
    pub sql: String,
    /// Index of the plan step it belongs to.
    pub step: usize,
    /// `false` for statements that must run outside a transaction (`CREATE INDEX CONCURRENTLY`).
    pub transactional: bool,
}

impl Statement {
    pub(crate) fn new(step: usize, sql: impl Into<String>) -> Self {
        Self { sql: sql.into(), step, transactional: true }
    }
}

/// Renders a plan in its dialect. Deterministic: the same plan always prints the same SQL.
pub fn render(plan: &Plan) -> crate::Result<Vec<Statement>> {
    match plan.dialect {
        Dialect::Postgres => postgres::render(plan),
        Dialect::Sqlite => sqlite::render(plan),
    }
}

/// Joins statements into a script (`stmt;\n` each).
pub fn script(statements: &[Statement]) -> String {
    let mut s = String::new();
    for st in statements {
        s.push_str(&st.sql);
        s.push_str(";\n");
    }
    s
}

/// The CREATE statements that build `schema` from nothing in `dialect` (`inspect --format sql`).
pub fn schema_sql(schema: &Schema, dialect: Dialect) -> crate::Result<Vec<Statement>> {
    let resolved = crate::resolve::resolve(schema, dialect)?;
    let empty = Schema::empty(Some(dialect));
    let changes = crate::diff::diff(&empty, &resolved);
    let plan = crate::plan::plan(&empty, &resolved, &changes, &Capabilities::latest(dialect), &PlanOptions::default());
    render(&plan)
}

/// `"schema"."table"` for a table reference.
pub fn table_ref(t: &TableRef) -> String {
    qualified(t.schema.as_deref(), &t.name)
}
