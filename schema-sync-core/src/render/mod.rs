//! SQL rendering: one module per dialect that turns a [`crate::plan::Plan`] into statements, and
//! the clause helpers both dialects share. Quoting lives in [`crate::sql`].

use crate::sql::quote_ident;

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

/// A body kept as text (a view's query, a trigger's or function's statement) checked before
/// it is printed into a statement: written for this dialect, one statement — a snapshot or
/// DDL file cannot smuggle a second one in after it — and, for a whole statement, one that
/// starts with one of `heads` (`CREATE TRIGGER`, …), so it cannot be some other statement.
pub(crate) fn body<'b>(
    dialect: crate::types::Dialect,
    what: &str,
    written_for: Option<crate::types::Dialect>,
    text: &'b str,
    statements: usize,
    heads: &[&str],
) -> crate::Result<&'b str> {
    if let Some(other) = written_for.filter(|d| *d != dialect) {
        return Err(crate::Error::Unsupported {
            dialect,
            what: format!(
                "{what} is written in {} and is not translated (declare a {} body for it, or create it by hand)",
                other.name(),
                dialect.name()
            ),
        });
    }
    if statements != 1 || text.trim().is_empty() {
        return Err(crate::Error::Input(format!("{what}: its text must be exactly one SQL statement")));
    }
    let words = crate::sql::collapse(text).to_ascii_uppercase();
    if !heads.is_empty() && !heads.iter().any(|h| words.starts_with(h)) {
        return Err(crate::Error::Input(format!("{what}: its text must start with {}", heads.join(" or "))));
    }
    Ok(text)
}

/// How a trigger's statement may start (both dialects).
pub(crate) const TRIGGER_HEADS: &[&str] =
    &["CREATE TRIGGER ", "CREATE CONSTRAINT TRIGGER ", "CREATE OR REPLACE TRIGGER ", "CREATE TEMP TRIGGER "];

/// `WITH (name = 'value', …)` for view and index storage parameters, or nothing. Names that are not plain words
/// are quoted; values are always literals.
pub(crate) fn storage_options(options: &std::collections::BTreeMap<String, String>) -> String {
    if options.is_empty() {
        return String::new();
    }
    let items: Vec<String> = options
        .iter()
        .map(|(k, v)| {
            let plain = !k.is_empty() && k.bytes().all(|c| c.is_ascii_lowercase() || c == b'_' || c.is_ascii_digit());
            let key = if plain { k.clone() } else { quote_ident(k) };
            format!("{key}={}", crate::sql::quote_literal(v))
        })
        .collect();
    format!(" WITH ({})", items.join(", "))
}

pub mod postgres;
pub mod sqlite;

use crate::diff::Comparison;
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
    let comparison = Comparison::of(Schema::empty(Some(dialect)), resolved);
    render(&crate::plan::plan(&comparison, &Capabilities::latest(dialect), &PlanOptions::default()))
}

/// The plan that turns `c.from` into `c.to` on the newest server of its dialect, with default
/// options: what `diff --format sql` prints and what the drift asserts show as the fix.
pub fn fix_plan(c: &Comparison) -> Plan {
    crate::plan::plan(c, &Capabilities::latest(c.dialect), &PlanOptions::default())
}

#[cfg(test)]
mod tests;
