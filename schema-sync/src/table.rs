//! Compile-time table metadata produced by `#[derive(SyncTable)]`.
//!
//! The derive writes a [`TableDef`] as an associated `const`: plain `&'static` data that is
//! usable in const contexts, and turned into a [`model::Table`] by [`SyncTable::table`].
//!
//! ```
//! use schema_sync::SyncTable;
//!
//! #[derive(SyncTable)]
//! #[sync(table = "orgs")]
//! struct Org {
//!     #[sync(primary_key, identity)]
//!     id: i64,
//!     #[sync(unique)]
//!     slug: String,
//! }
//!
//! const COLUMNS: usize = Org::TABLE.columns.len();
//! assert_eq!(COLUMNS, 2);
//! assert_eq!(Org::table().primary_key.unwrap().columns, ["id"]);
//! ```

use crate::derive_support::str_eq;
use schema_sync_core::model::{self, FkAction, Identity};

pub use crate::column_type::*;

/// A Rust struct that is a table; implemented by `#[derive(SyncTable)]`.
///
/// The trait's constants are separate from [`SyncTable::TABLE`] so that tables can reference each
/// other (and themselves) in foreign keys without a const-evaluation cycle.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a table",
    label = "`{Self}` does not derive `SyncTable`",
    note = "add `#[derive(SyncTable)]` to `{Self}`, or reference a struct that has it"
)]
pub trait SyncTable {
    /// Table name.
    const NAME: &'static str;
    /// Namespace (`#[sync(schema = "...")]`).
    const SCHEMA: Option<&'static str>;
    /// Primary-key columns in key order (empty when there is none).
    const PRIMARY_KEY: &'static [&'static str];
    /// Rust type of the primary key: the field's type, a tuple for a composite key,
    /// [`NoPrimaryKey`] when there is none. Foreign keys are type-checked against it.
    type PrimaryKey: ?Sized;
    /// Everything about the table, usable in const contexts.
    const TABLE: TableDef;

    /// The table as a model value.
    ///
    /// # Panics
    /// When a `#[sync(sql_type = "...")]` text does not parse as a Postgres type (the derive
    /// checks the literal's syntax at compile time, so this is rare).
    fn table() -> model::Table {
        Self::TABLE.to_model()
    }
}

/// A table, as `const` data. See [`SyncTable::TABLE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableDef {
    /// Namespace (`#[sync(schema = "app")]`).
    pub schema: Option<&'static str>,
    /// Table name (`#[sync(table = "users")]`, default: the struct's name in snake_case).
    pub name: &'static str,
    /// Previous name, a rename hint for diff (`#[sync(renamed_from = "old")]`).
    pub renamed_from: Option<&'static str>,
    /// Columns in field order (skipped fields left out).
    pub columns: &'static [ColumnDef],
    /// Primary-key columns in key order; empty = no primary key.
    pub primary_key: &'static [&'static str],
    /// Secondary indexes.
    pub indexes: &'static [IndexDef],
    /// UNIQUE constraints.
    pub uniques: &'static [UniqueDef],
    /// Foreign keys, targets resolved from the referenced struct.
    pub foreign_keys: &'static [ForeignKeyDef],
    /// CHECK constraints.
    pub checks: &'static [CheckDef],
    /// Row-level security switches (`#[sync(rls)]`, `#[sync(rls(force))]`, Postgres).
    pub row_security: RowSecurityDef,
    /// Row-level security policies (`#[sync(policy(...))]`, Postgres).
    pub policies: &'static [PolicyDef],
    /// Privileges of roles on the table (`#[sync(grant(...))]`, Postgres).
    pub grants: &'static [GrantDef],
    /// `COMMENT ON TABLE` (`#[sync(comment = "...")]`, Postgres).
    pub comment: Option<&'static str>,
}

/// `#[sync(rls)]` / `#[sync(rls(enable, force))]`, as `const` data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RowSecurityDef {
    /// `ENABLE ROW LEVEL SECURITY`.
    pub enabled: bool,
    /// `FORCE ROW LEVEL SECURITY` (the table's owner is held to the policies too).
    pub forced: bool,
}

/// `#[sync(policy(name = "...", command = select, roles = ["..."], using = "...", with_check = "..."))]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyDef {
    /// Policy name, unique per table.
    pub name: &'static str,
    /// `FOR …` (default `ALL`).
    pub command: model::PolicyCommand,
    /// `AS RESTRICTIVE`.
    pub restrictive: bool,
    /// `TO …`; empty = `PUBLIC`.
    pub roles: &'static [&'static str],
    /// `USING (…)`.
    pub using: Option<&'static str>,
    /// `WITH CHECK (…)`.
    pub with_check: Option<&'static str>,
}

/// `#[sync(grant(role = "...", privileges = [select, ...]))]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantDef {
    /// The role.
    pub role: &'static str,
    /// Lowercase privileges (`select`, …, `all`).
    pub privileges: &'static [&'static str],
}

/// A column, as `const` data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnDef {
    /// Column name (after `rename` / `rename_all`).
    pub name: &'static str,
    /// The Rust field it comes from.
    pub field: &'static str,
    /// Canonical type: the field type's [`SqlColumnType`], or `sql_type = "..."`.
    pub ty: ColumnType,
    /// `false` = `NOT NULL`.
    pub nullable: bool,
    /// `default = "expr"`.
    pub default: Option<&'static str>,
    /// `identity` → [`Identity::ByDefault`], `autoincrement` → [`Identity::Autoincrement`].
    pub identity: Option<Identity>,
    /// Per-dialect type and default overrides.
    pub overrides: OverridesDef,
    /// `renamed_from = "old"`.
    pub renamed_from: Option<&'static str>,
    /// `using = "expr"`: conversion used when the type changes.
    pub using: Option<&'static str>,
    /// `COMMENT ON COLUMN` (`comment = "..."`, Postgres).
    pub comment: Option<&'static str>,
}

/// Per-dialect overrides (`sql_type(postgres = .., sqlite = ..)`, `default(postgres = .., sqlite = ..)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OverridesDef {
    /// Postgres type text.
    pub postgres_type: Option<&'static str>,
    /// SQLite declared type.
    pub sqlite_type: Option<&'static str>,
    /// Postgres default expression.
    pub postgres_default: Option<&'static str>,
    /// SQLite default expression.
    pub sqlite_default: Option<&'static str>,
}

impl OverridesDef {
    /// No overrides.
    pub const NONE: OverridesDef =
        OverridesDef { postgres_type: None, sqlite_type: None, postgres_default: None, sqlite_default: None };
}

/// A secondary index, as `const` data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexDef {
    /// Index name (default `<table>_<columns joined by _>_idx`).
    pub name: &'static str,
    /// Key columns in order.
    pub columns: &'static [&'static str],
    /// `CREATE UNIQUE INDEX`.
    pub unique: bool,
    /// Partial-index predicate (`where = "deleted_at IS NULL"`).
    pub predicate: Option<&'static str>,
}

impl IndexDef {
    /// The index as a model value.
    pub fn to_model(&self) -> model::Index {
        model::Index {
            name: self.name.to_string(),
            keys: self.columns.iter().map(|c| model::IndexKey::column(*c)).collect(),
            unique: self.unique,
            predicate: owned(self.predicate),
            method: None,
            include: Vec::new(),
            nulls_not_distinct: false,
            with: Default::default(),
            invalid: false,
        }
    }
}

/// A UNIQUE constraint, as `const` data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UniqueDef {
    /// Columns in order.
    pub columns: &'static [&'static str],
}

/// A foreign key, as `const` data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForeignKeyDef {
    /// Referencing columns.
    pub columns: &'static [&'static str],
    /// Schema of the referenced table when it differs from this table's.
    pub ref_schema: Option<&'static str>,
    /// Referenced table.
    pub ref_table: &'static str,
    /// Referenced columns: the referenced struct's primary key, or the named column.
    pub ref_columns: &'static [&'static str],
    /// `ON DELETE`.
    pub on_delete: FkAction,
    /// `ON UPDATE`.
    pub on_update: FkAction,
}

/// A CHECK constraint, as `const` data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckDef {
    /// Constraint name (`check(name = "...", expr = "...")`).
    pub name: Option<&'static str>,
    /// Boolean SQL expression.
    pub expr: &'static str,
}

pub(crate) fn owned(s: Option<&'static str>) -> Option<String> {
    s.map(str::to_string)
}

fn names(s: &[&'static str]) -> Vec<String> {
    s.iter().map(|c| c.to_string()).collect()
}

impl TableDef {
    /// The column named `name` (SQL name), in const contexts too.
    ///
    /// ```
    /// # use schema_sync::SyncTable;
    /// #[derive(SyncTable)]
    /// struct Tag { #[sync(primary_key)] id: i32, label: Option<String> }
    /// const LABEL_NULLABLE: bool = match Tag::TABLE.column("label") { Some(c) => c.nullable, None => false };
    /// assert!(LABEL_NULLABLE);
    /// ```
    pub const fn column(&self, name: &str) -> Option<&'static ColumnDef> {
        let columns = self.columns;
        let mut i = 0;
        while i < columns.len() {
            if str_eq(columns[i].name, name) {
                return Some(&columns[i]);
            }
            i += 1;
        }
        None
    }

    /// The table as a model value; see [`SyncTable::table`].
    ///
    /// # Panics
    /// When a `sql_type = "..."` text is not a Postgres type (see [`TableDef::try_to_model`]).
    pub fn to_model(&self) -> model::Table {
        self.try_to_model().unwrap_or_else(|e| panic!("{e}"))
    }

    /// The table as a model value, or the first `sql_type` text that does not parse.
    pub fn try_to_model(&self) -> Result<model::Table, String> {
        let mut table = model::Table::new(self.name);
        table.schema = owned(self.schema);
        table.renamed_from = owned(self.renamed_from);
        for c in self.columns {
            let ty =
                c.ty.to_sql_type().map_err(|e| format!("in `sql_type` of column `{}.{}`: {e}", self.name, c.name))?;
            let mut col = model::Column::new(c.name, ty);
            col.nullable = c.nullable;
            col.default = owned(c.default);
            col.identity = c.identity;
            let overrides = model::Overrides {
                postgres_type: owned(c.overrides.postgres_type),
                sqlite_type: owned(c.overrides.sqlite_type),
                postgres_default: owned(c.overrides.postgres_default),
                sqlite_default: owned(c.overrides.sqlite_default),
            };
            col.overrides = (!overrides.is_empty()).then(|| Box::new(overrides));
            col.renamed_from = owned(c.renamed_from);
            col.using = owned(c.using);
            table.columns.push(col);
        }
        if !self.primary_key.is_empty() {
            table.primary_key = Some(model::PrimaryKey::on(names(self.primary_key)));
        }
        table.indexes = self.indexes.iter().map(IndexDef::to_model).collect();
        table.uniques = self
            .uniques
            .iter()
            .map(|u| model::Unique {
                name: None,
                columns: names(u.columns),
                nulls_not_distinct: false,
                deferrable: model::Deferrable::No,
            })
            .collect();
        table.foreign_keys = self
            .foreign_keys
            .iter()
            .map(|f| model::ForeignKey {
                name: None,
                columns: names(f.columns),
                ref_schema: owned(f.ref_schema),
                ref_table: f.ref_table.to_string(),
                ref_columns: names(f.ref_columns),
                on_delete: f.on_delete,
                on_update: f.on_update,
                deferrable: model::Deferrable::No,
                match_full: false,
                not_valid: false,
            })
            .collect();
        table.checks = self
            .checks
            .iter()
            .map(|c| model::Check {
                name: owned(c.name),
                expr: c.expr.to_string(),
                no_inherit: false,
                not_valid: false,
            })
            .collect();
        table.row_security =
            model::RowSecurity { enabled: self.row_security.enabled, forced: self.row_security.forced };
        table.normalize();
        Ok(table)
    }

    /// The table's policies as model values.
    pub fn policies(&self) -> Vec<model::Policy> {
        self.policies
            .iter()
            .map(|p| model::Policy {
                schema: owned(self.schema),
                table: self.name.to_string(),
                name: p.name.to_string(),
                restrictive: p.restrictive,
                command: p.command,
                roles: if p.roles.is_empty() { vec!["public".to_string()] } else { names(p.roles) },
                using: owned(p.using),
                with_check: owned(p.with_check),
            })
            .collect()
    }

    /// The table's grants as model values (privileges upper-case; `all` spelled out).
    pub fn grants(&self) -> Vec<model::Grant> {
        const ALL: &[&str] = &["DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE", "UPDATE"];
        self.grants
            .iter()
            .map(|g| {
                let mut privileges: Vec<String> = if g.privileges.contains(&"all") {
                    ALL.iter().map(|p| p.to_string()).collect()
                } else {
                    g.privileges.iter().map(|p| p.to_ascii_uppercase()).collect()
                };
                privileges.sort();
                privileges.dedup();
                model::Grant {
                    on: self.object(model::ObjectKind::Table, None, self.name),
                    role: g.role.to_string(),
                    privileges,
                    grantable: Vec::new(),
                    default: Vec::new(),
                }
            })
            .collect()
    }

    /// The comments on the table and its columns as model values.
    pub fn comments(&self) -> Vec<model::Comment> {
        let table = self.comment.map(|text| (self.object(model::ObjectKind::Table, None, self.name), text));
        let columns = self.columns.iter().filter_map(|c| {
            c.comment.map(|text| (self.object(model::ObjectKind::Column, Some(self.name), c.name), text))
        });
        table.into_iter().chain(columns).map(|(on, text)| model::Comment { on, text: text.to_string() }).collect()
    }

    fn object(&self, kind: model::ObjectKind, table: Option<&str>, name: &str) -> model::ObjectRef {
        model::ObjectRef {
            kind,
            schema: owned(self.schema),
            table: table.map(String::from),
            name: name.to_string(),
            arguments: None,
        }
    }

    /// The enum types the columns use (directly or as array elements), in column order.
    pub fn enums(&self) -> impl Iterator<Item = &'static EnumDef> + '_ {
        self.columns.iter().filter_map(|c| c.ty.enum_def())
    }
}
