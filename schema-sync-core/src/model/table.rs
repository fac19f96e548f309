//! Tables and references to them.

use super::column::Column;
use super::constraints::{Check, Exclusion, ForeignKey, Index, PrimaryKey, Unique};
use super::skip::is_false;
use serde::{Deserialize, Serialize};

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
    /// `EXCLUDE` constraints (Postgres).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusions: Vec<Exclusion>,
    /// Storage options that change what the table is (SQLite `WITHOUT ROWID`, `STRICT`).
    #[serde(default, skip_serializing_if = "TableOptions::is_default")]
    pub options: TableOptions,
    /// Row-level security switches (Postgres); its policies are [`super::Schema::policies`].
    #[serde(default, skip_serializing_if = "RowSecurity::is_off")]
    pub row_security: RowSecurity,
    /// Postgres declarative partitioning: the partition key (`LIST (region)`,
    /// `RANGE (created_at)`, as `pg_get_partkeydef` prints it). Rows live in the partitions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<String>,
    /// This table is a partition of another: its parent and bound. Its columns are the
    /// parent's (listed, with the partition's own `NOT NULL`s and defaults); the keys,
    /// indexes, foreign keys, CHECKs and triggers declared on the parent reach it from there
    /// and are not listed: what is listed is the partition's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<PartitionOf>,
    /// The names of a partition's indexes that are partitions of its parent's indexes (those
    /// of the parent's keys included), by the parent index's name. Postgres creates them
    /// (or adopts a matching index the partition has) and names them itself; a name is
    /// recorded so a different one can be set.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub partition_indexes: std::collections::BTreeMap<String, String>,
    /// The tables this one inherits from (Postgres `INHERITS (…)`, not partitioning), in
    /// order. Their columns are listed here too, marked [`super::Column::inherited`] when
    /// the table does not declare them itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<Parent>,
    /// Rename hint: the table's previous name (`#[sync(renamed_from = "old")]`, `--rename`).
    /// Never filled by introspection; used only by diff to turn a drop + add into a rename.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

/// `PARTITION OF "schema"."parent" FOR VALUES …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartitionOf {
    /// The parent's namespace (`None` when it is the partition's own default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The parent (a partitioned table).
    pub table: String,
    /// The bound, as `pg_get_expr(relpartbound)` prints it: `FOR VALUES IN ('a')`,
    /// `FOR VALUES FROM (…) TO (…)`, `FOR VALUES WITH (modulus 4, remainder 0)` or `DEFAULT`.
    pub bound: String,
}

impl PartitionOf {
    /// The parent as a table reference.
    pub fn parent(&self) -> TableRef {
        TableRef { schema: self.schema.clone(), name: self.table.clone() }
    }
}

/// A parent under (legacy) inheritance: `INHERITS ("schema"."table")`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parent {
    /// The parent's namespace (`None` when it is the child's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The parent table.
    pub table: String,
}

impl Parent {
    /// The parent as a table reference (in `home` when it names no schema).
    pub fn table_ref(&self, home: Option<&str>) -> TableRef {
        TableRef { schema: self.schema.clone().or(home.map(String::from)), name: self.table.clone() }
    }
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

    /// This reference, in `schema` when it names none.
    pub fn with_default_schema(mut self, schema: Option<&str>) -> Self {
        if self.schema.is_none() {
            self.schema = schema.map(str::to_string);
        }
        self
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

/// `ALTER TABLE … ENABLE | FORCE ROW LEVEL SECURITY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowSecurity {
    /// Row-level security is on: only rows some policy allows are seen (the owner excepted).
    #[serde(default, skip_serializing_if = "is_false")]
    pub enabled: bool,
    /// It applies to the table's owner too.
    #[serde(default, skip_serializing_if = "is_false")]
    pub forced: bool,
}

impl RowSecurity {
    /// Both switches off (serde skip).
    pub fn is_off(&self) -> bool {
        *self == Self::default()
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
            exclusions: Vec::new(),
            options: TableOptions::default(),
            row_security: RowSecurity::default(),
            partition_by: None,
            partition_of: None,
            partition_indexes: Default::default(),
            inherits: Vec::new(),
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
        self.exclusions.sort_by(|a, b| (&a.name, &a.definition).cmp(&(&b.name, &b.definition)));
    }
}
