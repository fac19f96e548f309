//! The dialect-free schema model every source is read into and every stage works on.
//!
//! A [`Schema`] is a plain value: `Serialize + Deserialize + Eq`, with a deterministic order
//! (tables by schema then name, columns in ordinal order, indexes/constraints by name then
//! definition), so two snapshots of the same database are byte-identical JSON.
//!
//! ```
//! use schema_sync_core::model::{Column, Schema, Table};
//! use schema_sync_core::types::SqlType;
//!
//! let mut users = Table::new("users");
//! users.columns.push(Column::new("id", SqlType::BigInt).not_null());
//! users.primary_key = Some(schema_sync_core::model::PrimaryKey::on(["id"]));
//! let mut schema = Schema::default();
//! schema.tables.push(users);
//! schema.normalize();
//! assert_eq!(schema.table(None, "users").unwrap().columns.len(), 1);
//! ```

use serde::{Deserialize, Serialize};

pub use crate::types::{Dialect, SqlType};

/// A whole database schema: tables and user-defined enum types.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// The dialect whose catalog (or DDL) this schema was read from; `None` for models,
    /// whose types are neutral and are resolved per dialect by [`crate::resolve`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialect: Option<Dialect>,
    /// Tables, ordered by `(schema, name)`.
    #[serde(default)]
    pub tables: Vec<Table>,
    /// User-defined enum types (Postgres `CREATE TYPE … AS ENUM`), ordered by `(schema, name)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enums: Vec<EnumType>,
    /// Standalone sequences that are not owned by a column (Postgres), ordered by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sequences: Vec<Sequence>,
}

/// A table: `CREATE TABLE "schema"."name" (…)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// Namespace (`public` on Postgres); `None` on SQLite and for models without `schema = …`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Table name, exactly as stored in the catalog (case preserved).
    pub name: String,
    /// Columns in ordinal order.
    pub columns: Vec<Column>,
    /// The primary key, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<PrimaryKey>,
    /// Secondary indexes (not the ones that back a PK or UNIQUE constraint).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    /// UNIQUE constraints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uniques: Vec<Unique>,
    /// FOREIGN KEY constraints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKey>,
    /// CHECK constraints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// Storage options that change what the table is (SQLite `WITHOUT ROWID`, `STRICT`).
    #[serde(default, skip_serializing_if = "TableOptions::is_default")]
    pub options: TableOptions,
    /// Rename hint: the table's previous name (`#[sync(renamed_from = "old")]`, `--rename`).
    /// Never filled by introspection; used only by diff to turn a drop + add into a rename.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

/// A table reference: optional schema and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct TableRef {
    /// Namespace (`None` on SQLite).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Table name.
    pub name: String,
}

impl TableRef {
    /// The reference of `t`.
    pub fn of(t: &Table) -> Self {
        Self { schema: t.schema.clone(), name: t.name.clone() }
    }

    /// `"schema"."name"` (or `"name"`), quoted for SQL.
    pub fn quoted(&self) -> String {
        crate::sql::qualified(self.schema.as_deref(), &self.name)
    }

    /// `schema.name` for messages.
    pub fn display(&self) -> String {
        match &self.schema {
            Some(s) => format!("{s}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// Storage options of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableOptions {
    /// SQLite `WITHOUT ROWID`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub without_rowid: bool,
    /// SQLite `STRICT`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub strict: bool,
}

impl TableOptions {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A column: `"name" type [NOT NULL] [DEFAULT …] [GENERATED …] [COLLATE …]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// Column name, case preserved.
    pub name: String,
    /// The column's type. For SQLite sources this is the declared type read by
    /// [`crate::types::sqlite::parse`], which keeps unusual spellings verbatim.
    #[serde(rename = "type")]
    pub ty: SqlType,
    /// `false` when the column is `NOT NULL` (a primary-key column is always NOT NULL on Postgres).
    pub nullable: bool,
    /// Default expression as SQL text of the schema's dialect (`'x'::text`, `now()`, `0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Identity / serial / AUTOINCREMENT: where the value comes from when none is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (expr) STORED|VIRTUAL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<Generated>,
    /// Non-default collation (`"C"`, `NOCASE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// Per-dialect type overrides carried by models (`sql_type(postgres = "citext")`);
    /// consumed by [`crate::resolve`] and always `None` in a resolved schema. Boxed: a live
    /// schema has ~100k columns and none of them has overrides.
    #[serde(
        default,
        skip_serializing_if = "Overrides::is_none_or_empty",
        deserialize_with = "Overrides::deserialize_boxed"
    )]
    pub overrides: Option<Box<Overrides>>,
    /// Rename hint: the column's previous name. Never filled by introspection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// Conversion used when the column's type changes (`#[sync(using = "…")]`); `{col}` stands
    /// for the quoted column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
}

/// Per-dialect text overrides for a model column (type and default).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// Type text used on Postgres instead of the canonical type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postgres_type: Option<String>,
    /// Declared type used on SQLite instead of the canonical type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sqlite_type: Option<String>,
    /// Default expression used on Postgres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postgres_default: Option<String>,
    /// Default expression used on SQLite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sqlite_default: Option<String>,
}

impl Overrides {
    /// `true` when no override is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// `true` when `o` holds no override (serde's `skip_serializing_if` for [`Column::overrides`]).
    pub fn is_none_or_empty(o: &Option<Box<Overrides>>) -> bool {
        o.as_deref().is_none_or(Overrides::is_empty)
    }

    /// Reads [`Column::overrides`]; `{}` is `None`, so equal columns compare equal.
    fn deserialize_boxed<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Box<Overrides>>, D::Error> {
        Ok(Option::<Overrides>::deserialize(d)?.filter(|o| !o.is_empty()).map(Box::new))
    }
}

/// Where a column's value comes from when an INSERT omits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    /// Postgres `GENERATED ALWAYS AS IDENTITY`.
    Always,
    /// Postgres `GENERATED BY DEFAULT AS IDENTITY`; models' `identity`.
    ByDefault,
    /// Postgres `serial`: a `nextval()` default of a sequence owned by the column.
    Serial,
    /// SQLite `INTEGER PRIMARY KEY AUTOINCREMENT`.
    Autoincrement,
}

impl Identity {
    /// The snapshot-JSON spelling (`always`, `by_default`, `serial`, `autoincrement`), also used
    /// in text listings and diffs.
    pub fn name(self) -> &'static str {
        match self {
            Identity::Always => "always",
            Identity::ByDefault => "by_default",
            Identity::Serial => "serial",
            Identity::Autoincrement => "autoincrement",
        }
    }
}

/// A generated column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generated {
    /// The generation expression, as the catalog prints it.
    pub expr: String,
    /// `STORED` (Postgres only supports stored) or `VIRTUAL` (SQLite's default).
    pub stored: bool,
}

/// A primary key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrimaryKey {
    /// Constraint name when the source has one (`users_pkey`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Key columns in key order.
    pub columns: Vec<String>,
}

impl PrimaryKey {
    /// A nameless primary key over `columns`.
    pub fn on<I: IntoIterator<Item = S>, S: Into<String>>(columns: I) -> Self {
        Self { name: None, columns: columns.into_iter().map(Into::into).collect() }
    }
}

/// One key of an index: a column or an expression, with its sort options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexKey {
    /// What is indexed.
    #[serde(flatten)]
    pub target: KeyTarget,
    /// `DESC`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub descending: bool,
    /// `NULLS FIRST` / `NULLS LAST` when it differs from the default for the direction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nulls_first: Option<bool>,
    /// `COLLATE …` on this key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// Non-default operator class (`text_pattern_ops`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opclass: Option<String>,
}

/// The thing an index key indexes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyTarget {
    /// A plain column.
    Column(String),
    /// An expression such as `lower(email)`.
    Expression(String),
}

impl IndexKey {
    /// An ascending key on a column.
    pub fn column(name: impl Into<String>) -> Self {
        Self {
            target: KeyTarget::Column(name.into()),
            descending: false,
            nulls_first: None,
            collation: None,
            opclass: None,
        }
    }

    /// The column name when this key is a plain column.
    pub fn column_name(&self) -> Option<&str> {
        match &self.target {
            KeyTarget::Column(c) => Some(c),
            KeyTarget::Expression(_) => None,
        }
    }
}

/// A secondary index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Index {
    /// Index name.
    pub name: String,
    /// Keys in order.
    pub keys: Vec<IndexKey>,
    /// `CREATE UNIQUE INDEX`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    /// Partial index predicate (`WHERE deleted_at IS NULL`), as the catalog prints it.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "where")]
    pub predicate: Option<String>,
    /// Access method when not the default (`gin`, `gist`, `hash`, `brin`); `None` = btree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// `INCLUDE (…)` columns (Postgres covering index).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// `NULLS NOT DISTINCT` (Postgres 15).
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
}

/// A UNIQUE constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unique {
    /// Constraint name when the source has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Columns in order.
    pub columns: Vec<String>,
    /// `NULLS NOT DISTINCT` (Postgres 15).
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    /// `DEFERRABLE [INITIALLY DEFERRED]`.
    #[serde(default, skip_serializing_if = "Deferrable::is_not")]
    pub deferrable: Deferrable,
}

/// What a foreign key does when the referenced row changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FkAction {
    /// `NO ACTION` (the default).
    #[default]
    NoAction,
    /// `RESTRICT`.
    Restrict,
    /// `CASCADE`.
    Cascade,
    /// `SET NULL`.
    SetNull,
    /// `SET DEFAULT`.
    SetDefault,
}

impl FkAction {
    /// The SQL keywords (`ON DELETE <this>`).
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }

    /// Parses `NO ACTION`, `no_action`, `cascade`, … (case-insensitive, `_` or space).
    pub fn parse(s: &str) -> Option<Self> {
        let norm = s.trim().to_ascii_lowercase().replace(['_', '-'], " ");
        Some(match norm.split_whitespace().collect::<Vec<_>>().join(" ").as_str() {
            "no action" => FkAction::NoAction,
            "restrict" => FkAction::Restrict,
            "cascade" => FkAction::Cascade,
            "set null" => FkAction::SetNull,
            "set default" => FkAction::SetDefault,
            _ => return None,
        })
    }

    fn is_default(&self) -> bool {
        *self == FkAction::NoAction
    }
}

/// `DEFERRABLE` state of a constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deferrable {
    /// `NOT DEFERRABLE` (the default).
    #[default]
    No,
    /// `DEFERRABLE INITIALLY IMMEDIATE`.
    InitiallyImmediate,
    /// `DEFERRABLE INITIALLY DEFERRED`.
    InitiallyDeferred,
}

impl Deferrable {
    fn is_not(&self) -> bool {
        *self == Deferrable::No
    }
}

/// A FOREIGN KEY constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForeignKey {
    /// Constraint name when the source has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Referencing columns.
    pub columns: Vec<String>,
    /// Schema of the referenced table (`None` = same as the referencing table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref_schema: Option<String>,
    /// Referenced table.
    pub ref_table: String,
    /// Referenced columns (empty = the referenced table's primary key, SQLite shorthand).
    pub ref_columns: Vec<String>,
    /// `ON DELETE`.
    #[serde(default, skip_serializing_if = "FkAction::is_default")]
    pub on_delete: FkAction,
    /// `ON UPDATE`.
    #[serde(default, skip_serializing_if = "FkAction::is_default")]
    pub on_update: FkAction,
    /// `DEFERRABLE …`.
    #[serde(default, skip_serializing_if = "Deferrable::is_not")]
    pub deferrable: Deferrable,
    /// `MATCH FULL` (default `MATCH SIMPLE`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub match_full: bool,
}

/// A CHECK constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// Constraint name when the source has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The boolean expression, without the surrounding `CHECK (…)`.
    pub expr: String,
    /// Postgres `NO INHERIT`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_inherit: bool,
}

/// A user-defined enum type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumType {
    /// Namespace (`public`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Type name.
    pub name: String,
    /// Labels in sort order.
    pub values: Vec<String>,
}

/// A sequence that no column owns (`CREATE SEQUENCE`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sequence {
    /// Namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Sequence name.
    pub name: String,
    /// `AS smallint|integer|bigint`.
    pub data_type: SqlType,
    /// `START WITH`.
    pub start: i64,
    /// `INCREMENT BY`.
    pub increment: i64,
    /// `MINVALUE`.
    pub min: i64,
    /// `MAXVALUE`.
    pub max: i64,
    /// `CACHE`.
    pub cache: i64,
    /// `CYCLE`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub cycle: bool,
    /// `OWNED BY table.column` when the sequence belongs to a column that does not draw its
    /// default from it (a `serial` column's own sequence is part of the column instead). Dropping
    /// the table drops such a sequence, so a change of owner is planned explicitly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<SequenceOwner>,
}

/// The column a sequence belongs to (same schema as the sequence, as Postgres requires).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SequenceOwner {
    /// Table name.
    pub table: String,
    /// Column name.
    pub column: String,
}

impl Schema {
    /// An empty schema read from `dialect`.
    pub fn empty(dialect: Option<Dialect>) -> Self {
        Self { dialect, ..Self::default() }
    }

    /// Finds a table by (optional) schema and name.
    pub fn table(&self, schema: Option<&str>, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name && (schema.is_none() || t.schema.as_deref() == schema))
    }

    /// Mutable [`Schema::table`].
    pub fn table_mut(&mut self, schema: Option<&str>, name: &str) -> Option<&mut Table> {
        self.tables.iter_mut().find(|t| t.name == name && (schema.is_none() || t.schema.as_deref() == schema))
    }

    /// Finds an enum type.
    pub fn enum_type(&self, schema: Option<&str>, name: &str) -> Option<&EnumType> {
        self.enums.iter().find(|e| e.name == name && (schema.is_none() || e.schema.as_deref() == schema))
    }

    /// Puts everything into the canonical order so equal schemas compare and serialise equal.
    pub fn normalize(&mut self) {
        for t in &mut self.tables {
            t.normalize();
        }
        self.tables.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        self.enums.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        self.sequences.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
    }

    /// Counts of what the schema holds, for reports and tests.
    pub fn stats(&self) -> SchemaStats {
        let mut s = SchemaStats { tables: self.tables.len(), enums: self.enums.len(), ..Default::default() };
        for t in &self.tables {
            s.columns += t.columns.len();
            s.indexes += t.indexes.len();
            s.uniques += t.uniques.len();
            s.foreign_keys += t.foreign_keys.len();
            s.checks += t.checks.len();
            s.primary_keys += usize::from(t.primary_key.is_some());
        }
        s
    }
}

/// Object counts of a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SchemaStats {
    /// Tables.
    pub tables: usize,
    /// Columns over all tables.
    pub columns: usize,
    /// Primary keys.
    pub primary_keys: usize,
    /// Secondary indexes.
    pub indexes: usize,
    /// UNIQUE constraints.
    pub uniques: usize,
    /// Foreign keys.
    pub foreign_keys: usize,
    /// CHECK constraints.
    pub checks: usize,
    /// Enum types.
    pub enums: usize,
}

impl Table {
    /// An empty table named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            schema: None,
            name: name.into(),
            columns: Vec::new(),
            primary_key: None,
            indexes: Vec::new(),
            uniques: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            options: TableOptions::default(),
            renamed_from: None,
        }
    }

    /// Finds a column by name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Mutable [`Table::column`].
    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    /// `schema.name` or `name`, for messages (unquoted).
    pub fn display_name(&self) -> String {
        match &self.schema {
            Some(s) => format!("{s}.{}", self.name),
            None => self.name.clone(),
        }
    }

    /// Sorts indexes and constraints into canonical order (columns keep ordinal order).
    pub fn normalize(&mut self) {
        self.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        self.uniques.sort_by(|a, b| (&a.name, &a.columns).cmp(&(&b.name, &b.columns)));
        self.foreign_keys.sort_by(|a, b| {
            (&a.name, &a.columns, &a.ref_table, &a.ref_columns).cmp(&(
                &b.name,
                &b.columns,
                &b.ref_table,
                &b.ref_columns,
            ))
        });
        self.checks.sort_by(|a, b| (&a.name, &a.expr).cmp(&(&b.name, &b.expr)));
    }
}

impl Column {
    /// A nullable column of type `ty` with nothing else set.
    pub fn new(name: impl Into<String>, ty: SqlType) -> Self {
        Self {
            name: name.into(),
            ty,
            nullable: true,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            overrides: None,
            renamed_from: None,
            using: None,
        }
    }

    /// Builder: marks the column NOT NULL.
    pub fn not_null(mut self) -> Self {
        self.nullable = false;
        self
    }

    /// Builder: sets the default expression.
    pub fn default_expr(mut self, expr: impl Into<String>) -> Self {
        self.default = Some(expr.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::Identity;

    #[test]
    fn identity_names_are_the_json_spellings() {
        for i in [Identity::Always, Identity::ByDefault, Identity::Serial, Identity::Autoincrement] {
            assert_eq!(serde_json::to_value(i).unwrap(), i.name(), "{i:?}");
        }
    }
}
