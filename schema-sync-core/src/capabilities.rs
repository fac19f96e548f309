//! What a target database can do, and how it treats names and keys. Resolution, diff and the
//! planner ask these questions and never the dialect's name; only choosing a spelling (which
//! renderer, which type map) asks the dialect.

use crate::model::{Column, Table};
use crate::types::Dialect;
use serde::Serialize;

/// Abilities of one target (dialect + server version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Capabilities {
    /// Which renderer prints the plan. Planning decisions use the flags below, not this.
    pub dialect: Dialect,
    /// Server version as (major, minor, patch); Postgres minor is its patch level.
    pub version: (u32, u32, u32),
    /// DDL is transactional: a failed plan rolls back completely (both Postgres and SQLite).
    pub transactional_ddl: bool,
    /// `ALTER COLUMN … TYPE/SET NOT NULL/SET DEFAULT` in place (Postgres). Without it a column
    /// change means a table rebuild (SQLite).
    pub alter_column: bool,
    /// `ALTER TABLE … ADD/DROP CONSTRAINT` (Postgres). SQLite constraints live in the CREATE
    /// TABLE text, so adding or dropping one is a rebuild.
    pub alter_constraints: bool,
    /// `ALTER TABLE … DROP COLUMN` (SQLite ≥ 3.35.0, for columns that are not part of a key,
    /// index or constraint).
    pub drop_column: bool,
    /// `ALTER TABLE … RENAME COLUMN` (SQLite ≥ 3.25.0).
    pub rename_column: bool,
    /// `ADD COLUMN` with a non-constant default such as `CURRENT_TIMESTAMP` (SQLite refuses it).
    pub add_column_expression_default: bool,
    /// `ADD COLUMN … NOT NULL` without a default (Postgres: fails only when rows exist; SQLite
    /// refuses it outright).
    pub add_column_not_null_without_default: bool,
    /// Foreign keys can be declared after the table exists (SQLite: only inline).
    pub add_foreign_key_later: bool,
    /// Enum types (`CREATE TYPE … AS ENUM`).
    pub enum_types: bool,
    /// Standalone sequences.
    pub sequences: bool,
    /// Server-side objects SQLite does not have: functions and procedures, row-level security
    /// and policies, comments, materialized views. Never drift against a side without them.
    pub server_objects: bool,
    /// `GENERATED … AS IDENTITY` columns.
    pub identity_columns: bool,
    /// `CREATE INDEX CONCURRENTLY` (outside a transaction).
    pub concurrent_index: bool,
    /// `ADD CONSTRAINT … NOT VALID` + `VALIDATE CONSTRAINT`.
    pub not_valid_constraints: bool,
    /// `NULLS NOT DISTINCT` on unique constraints and indexes (Postgres ≥ 15).
    pub nulls_not_distinct: bool,
    /// `ALTER COLUMN … DROP EXPRESSION`: a generated column becomes plain and keeps its
    /// values (Postgres ≥ 13). SQLite gets there by a rebuild that copies the values.
    pub drop_expression: bool,
    /// Namespaces (`CREATE SCHEMA`, `"schema"."table"`); SQLite has one per database file.
    pub schemas: bool,
    /// Identifiers are matched ignoring case even when quoted (SQLite: `"Users"` and `users`
    /// are one table); Postgres compares quoted names exactly.
    pub case_insensitive_names: bool,
    /// Primary-key columns are NOT NULL whatever was declared (Postgres); SQLite lets a
    /// non-integer key hold NULL unless declared otherwise.
    pub primary_key_not_null: bool,
    /// A single-column primary key declared exactly `INTEGER` is an alias of the rowid (SQLite):
    /// it assigns its own values and is never a separate identity. See
    /// [`Capabilities::is_rowid_alias`].
    pub rowid_alias: bool,
}

impl Capabilities {
    /// SQLite at `version` (e.g. `(3, 45, 1)`).
    pub fn sqlite(version: (u32, u32, u32)) -> Self {
        Self {
            dialect: Dialect::Sqlite,
            version,
            transactional_ddl: true,
            alter_column: false,
            alter_constraints: false,
            drop_column: version >= (3, 35, 0),
            rename_column: version >= (3, 25, 0),
            add_column_expression_default: false,
            add_column_not_null_without_default: false,
            add_foreign_key_later: false,
            enum_types: false,
            sequences: false,
            server_objects: false,
            identity_columns: false,
            concurrent_index: false,
            not_valid_constraints: false,
            nulls_not_distinct: false,
            drop_expression: false,
            schemas: false,
            case_insensitive_names: true,
            primary_key_not_null: false,
            rowid_alias: true,
        }
    }

    /// Postgres with `server_version_num` (e.g. `150004`).
    pub fn postgres(version_num: u32) -> Self {
        let major = version_num / 10000;
        Self {
            dialect: Dialect::Postgres,
            version: (major, 0, version_num % 10000),
            transactional_ddl: true,
            alter_column: true,
            alter_constraints: true,
            drop_column: true,
            rename_column: true,
            add_column_expression_default: true,
            add_column_not_null_without_default: true,
            add_foreign_key_later: true,
            enum_types: true,
            sequences: true,
            server_objects: true,
            identity_columns: major >= 10,
            concurrent_index: true,
            not_valid_constraints: true,
            nulls_not_distinct: major >= 15,
            drop_expression: major >= 13,
            schemas: true,
            case_insensitive_names: false,
            primary_key_not_null: true,
            rowid_alias: false,
        }
    }

    /// `true` when `column` of `table` aliases the rowid on this target: the table's only key
    /// column, declared exactly `INTEGER` (not `INT`, not `BIGINT`), in a table with a rowid.
    ///
    /// ```
    /// use schema_sync_core::capabilities::Capabilities;
    /// use schema_sync_core::model::{Column, PrimaryKey, Table};
    /// use schema_sync_core::types::sqlite;
    /// let mut t = Table::new("t");
    /// t.columns.push(Column::new("id", sqlite::parse("INTEGER")));
    /// t.primary_key = Some(PrimaryKey::on(["id"]));
    /// assert!(Capabilities::sqlite((3, 45, 0)).is_rowid_alias(&t, &t.columns[0]));
    /// assert!(!Capabilities::postgres(160000).is_rowid_alias(&t, &t.columns[0]));
    /// ```
    pub fn is_rowid_alias(&self, table: &Table, column: &Column) -> bool {
        self.rowid_alias
            && !table.options.without_rowid
            && table.primary_key.as_ref().is_some_and(|pk| pk.columns.len() == 1 && pk.columns[0] == column.name)
            && crate::types::sqlite::is_rowid_type(&column.ty)
    }

    /// The newest version of `dialect` we know; for printing SQL without a live database.
    pub fn latest(dialect: Dialect) -> Self {
        match dialect {
            Dialect::Sqlite => Self::sqlite((3, 45, 0)),
            Dialect::Postgres => Self::postgres(170000),
        }
    }
}
