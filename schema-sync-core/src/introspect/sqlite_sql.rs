//! A small tokenizer and structural parser for the `CREATE TABLE` / `CREATE INDEX` text SQLite
//! keeps in `sqlite_schema.sql`.
//!
//! SQLite's pragmas answer most catalog questions, but not all: constraint names, CHECK
//! expressions, generation expressions, `AUTOINCREMENT`, `COLLATE` as written, `DEFERRABLE`,
//! and the text of index expressions and partial-index predicates exist only in the statement
//! text. This module reads just enough structure to pull those out. Expressions are never
//! re-printed: every expression is the original source slice (from its first token to its last,
//! so comments around it are dropped), which keeps what we report identical to what the user wrote.
//!
//! ```
//! use schema_sync_core::introspect::sqlite_sql::{parse_create_table, ConstraintKind};
//!
//! let t = parse_create_table(r#"CREATE TABLE "order items" (
//!     id INTEGER CONSTRAINT pk PRIMARY KEY AUTOINCREMENT,
//!     qty INT CHECK (qty > (0))
//! ) STRICT"#).unwrap();
//! assert_eq!(t.name, "order items");
//! assert!(t.columns[0].autoincrement);
//! assert_eq!(t.constraints[0].name.as_deref(), Some("pk"));
//! assert_eq!(t.constraints[1].kind, ConstraintKind::Check { expr: "qty > (0)".into() });
//! assert!(t.strict);
//! ```

mod lex;
mod parser;

use crate::model::{Deferrable, FkAction, KeyTarget};
use parser::Parser;
use std::fmt;

/// Text that is not a `CREATE TABLE` / `CREATE INDEX` statement we can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What was expected or found.
    pub message: String,
    /// Byte offset into the statement text.
    pub offset: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

impl std::error::Error for ParseError {}

type PResult<T> = Result<T, ParseError>;

/// A parsed `CREATE TABLE` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateTable {
    /// Table name, unquoted (a `schema.` prefix is dropped).
    pub name: String,
    /// Column definitions in declaration order.
    pub columns: Vec<ColumnDef>,
    /// Every constraint, column-level ones included (with `columns = [that column]`), in source order.
    pub constraints: Vec<Constraint>,
    /// `WITHOUT ROWID`.
    pub without_rowid: bool,
    /// `STRICT`.
    pub strict: bool,
}

/// One column definition: `name [type] [constraints…]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDef {
    /// Column name, unquoted.
    pub name: String,
    /// Declared type text, verbatim (`VARCHAR( 10 )`), empty when none was given.
    pub type_text: String,
    /// `COLLATE name`, unquoted.
    pub collation: Option<String>,
    /// `PRIMARY KEY … AUTOINCREMENT` on this column (column- or table-level).
    pub autoincrement: bool,
    /// `NOT NULL`.
    pub not_null: bool,
    /// `DEFAULT …` text as written (`'x'`, `-1`, `(datetime('now'))`).
    pub default: Option<String>,
    /// `[GENERATED ALWAYS] AS (expr) [STORED|VIRTUAL]`.
    pub generated: Option<GeneratedDef>,
}

/// A generated column's expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedDef {
    /// The expression inside the parentheses, trimmed.
    pub expr: String,
    /// `STORED` (`false` = `VIRTUAL`, SQLite's default).
    pub stored: bool,
}

/// A table constraint, or a column constraint lifted to table level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    /// `CONSTRAINT name`, unquoted.
    pub name: Option<String>,
    /// What it constrains.
    pub kind: ConstraintKind,
}

/// The kinds of constraint SQLite knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstraintKind {
    /// `PRIMARY KEY (a, b)`.
    PrimaryKey {
        /// Key columns, unquoted.
        columns: Vec<String>,
        /// `COLLATE` written on each key column, if any.
        collations: Vec<Option<String>>,
        /// Written as a column constraint with `DESC` (`id INTEGER PRIMARY KEY DESC`): by a
        /// documented SQLite quirk such a column is *not* an alias of the rowid.
        desc_column_form: bool,
    },
    /// `UNIQUE (a, b)`.
    Unique {
        /// Columns, unquoted.
        columns: Vec<String>,
        /// `COLLATE` written on each column, if any.
        collations: Vec<Option<String>>,
    },
    /// `CHECK (expr)`.
    Check {
        /// The expression inside the parentheses, trimmed.
        expr: String,
    },
    /// `FOREIGN KEY (a) REFERENCES t (b) …`.
    ForeignKey(ForeignKeyDef),
}

/// A foreign-key clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKeyDef {
    /// Referencing columns.
    pub columns: Vec<String>,
    /// Referenced table, unquoted.
    pub ref_table: String,
    /// Referenced columns; empty when the clause names none (the referenced PK).
    pub ref_columns: Vec<String>,
    /// `ON DELETE`.
    pub on_delete: FkAction,
    /// `ON UPDATE`.
    pub on_update: FkAction,
    /// `MATCH name` (parsed and ignored by SQLite).
    pub match_type: Option<String>,
    /// `DEFERRABLE INITIALLY …`; a bare `DEFERRABLE` is initially immediate.
    pub deferrable: Deferrable,
}

/// A parsed `CREATE INDEX` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateIndex {
    /// Index name, unquoted.
    pub name: String,
    /// Indexed table, unquoted.
    pub table: String,
    /// `CREATE UNIQUE INDEX`.
    pub unique: bool,
    /// Keys in order.
    pub keys: Vec<IndexKeyDef>,
    /// `WHERE` predicate text of a partial index.
    pub predicate: Option<String>,
}

/// One key of an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexKeyDef {
    /// A single identifier becomes a column; anything else is kept as expression text.
    pub target: KeyTarget,
    /// `COLLATE name`, unquoted.
    pub collation: Option<String>,
    /// `DESC`.
    pub descending: bool,
}

/// Parses the text of a `CREATE TABLE` statement as stored in `sqlite_schema.sql`.
pub fn parse_create_table(sql: &str) -> Result<CreateTable, ParseError> {
    Parser::new(sql)?.create_table()
}

/// Parses the text of a `CREATE [UNIQUE] INDEX` statement as stored in `sqlite_schema.sql`.
///
/// ```
/// use schema_sync_core::introspect::sqlite_sql::parse_create_index;
/// use schema_sync_core::model::KeyTarget;
///
/// let ix = parse_create_index("CREATE INDEX ix ON t (lower(a) DESC, b COLLATE NOCASE) WHERE a IS NOT NULL").unwrap();
/// assert_eq!(ix.keys[0].target, KeyTarget::Expression("lower(a)".into()));
/// assert!(ix.keys[0].descending);
/// assert_eq!(ix.keys[1].collation.as_deref(), Some("NOCASE"));
/// assert_eq!(ix.predicate.as_deref(), Some("a IS NOT NULL"));
/// ```
pub fn parse_create_index(sql: &str) -> Result<CreateIndex, ParseError> {
    Parser::new(sql)?.create_index()
}

#[cfg(test)]
mod tests;
