//! The rows the Postgres catalog queries ([`super::postgres_queries`]) hand to the builder
//! ([`super::postgres_build`]): plain values, columns still as catalog numbers.

/// One row of the lookups query (server version, collations, operator classes, types).
pub(crate) enum LookupRow<'r> {
    /// `server_version_num`.
    Version(u32),
    /// A collation; `schema` and `details` (`[provider, locale, collate, ctype]` as JSON)
    /// only for one in a requested schema that no extension owns.
    Collation {
        oid: i64,
        name: &'r str,
        schema: Option<&'r str>,
        deterministic: bool,
        details: Option<&'r str>,
    },
    /// A composite type of a requested schema: attributes as JSON `[[name, type, collation]]`.
    Composite {
        name: &'r str,
        schema: &'r str,
        attributes: Option<&'r str>,
    },
    Opclass {
        oid: i64,
        name: &'r str,
        is_default: bool,
    },
    /// A requested schema that exists.
    Namespace {
        name: &'r str,
    },
    /// A managed role that exists on the server.
    Role,
    /// An extension installed into a requested schema.
    Extension {
        name: &'r str,
        schema: &'r str,
        version: &'r str,
    },
    /// `typtype` `e` (enum), `d` (domain), `b` (a collatable base type or an array of an enum).
    Type {
        oid: i64,
        name: &'r str,
        schema: &'r str,
        kind: &'r str,
        collation: i64,
        elem: i64,
    },
}

/// A table (`pg_class`).
pub(crate) struct TableRow {
    pub oid: i64,
    pub schema: String,
    pub name: String,
    /// `relnatts`: columns including dropped ones, an upper bound used to size the column list.
    pub columns: usize,
    /// `relrowsecurity`, `relforcerowsecurity`.
    pub row_security: crate::model::RowSecurity,
    /// `pg_get_partkeydef` of a partitioned table.
    pub partition_by: Option<String>,
    /// The parent and bound of a partition.
    pub partition_of: Option<crate::model::PartitionOf>,
    /// The oids of the tables it inherits from (`INHERITS`, not partitioning), in order.
    pub parents: Vec<i64>,
}

/// A column (`pg_attribute`).
pub(crate) struct ColumnRow<'r> {
    pub table_oid: i64,
    pub num: i16,
    pub name: String,
    pub type_text: &'r str,
    pub type_oid: i64,
    pub not_null: bool,
    pub identity: &'r str,
    pub generated: &'r str,
    pub collation: i64,
    /// `attislocal`: the table declares the column itself (not only inherits it).
    pub local: bool,
}

/// A `pg_attrdef` row: the default (or generation expression) of one column.
pub(crate) struct DefaultRow {
    pub table_oid: i64,
    pub num: i16,
    /// `pg_attrdef.oid`: what the text is later asked for by.
    pub oid: i64,
    /// `adbin` as a node tree; deparsed once per alike group (see `Builder::to_deparse`).
    pub tree: String,
}

/// A `pg_constraint` row, columns still as numbers.
pub(crate) struct ConstraintRow {
    pub table_oid: i64,
    pub name: String,
    pub kind: String,
    pub columns: Vec<i16>,
    pub ref_oid: i64,
    pub ref_columns: Vec<i16>,
    pub on_update: String,
    pub on_delete: String,
    pub match_type: String,
    pub deferrable: bool,
    pub deferred: bool,
    pub no_inherit: bool,
    /// `pg_constraint.oid`: what a CHECK's text is later asked for by.
    pub oid: i64,
    /// A CHECK's node tree (`conbin`, which holds type and function oids, not names): its
    /// text is deparsed once per distinct tree, table name and column names. For an
    /// exclusion constraint, its definition (`EXCLUDE USING …`).
    pub body: Option<String>,
    pub nulls_not_distinct: bool,
    /// `convalidated` (false after `ADD … NOT VALID` until `VALIDATE CONSTRAINT`).
    pub validated: bool,
}

/// A `pg_index` row with its keys as the catalog's parallel arrays.
pub(crate) struct IndexRow {
    pub table_oid: i64,
    pub name: String,
    pub unique: bool,
    /// `indpred` as a node tree; deparsed once per alike group (see `Builder::to_deparse`).
    pub predicate: Option<String>,
    pub method: String,
    pub key_count: usize,
    pub nulls_not_distinct: bool,
    /// `indkey`: column numbers, 0 for an expression; key columns, then INCLUDE columns.
    pub columns: Vec<i16>,
    /// `indoption` per key column (bit 1 DESC, bit 2 NULLS FIRST).
    pub options: Vec<i16>,
    /// `indcollation` per key column.
    pub collations: Vec<i64>,
    /// `indclass` (operator class) per key column.
    pub opclasses: Vec<i64>,
    /// `indisvalid` (false: a concurrent build that did not finish).
    pub valid: bool,
    /// `pg_get_indexdef(…, k)` per key column, only for an index with expression keys.
    pub key_texts: Option<Vec<String>>,
    /// The index's storage parameters (`reloptions`, `name=value`).
    pub with: Vec<String>,
    /// `indexrelid`.
    pub oid: i64,
    /// The parent's index this one is a partition of (an index of a partition).
    pub attached_to: Option<String>,
    /// The index is a materialized view's: its keys are in `key_texts`, its predicate in
    /// `predicate_text`.
    pub materialized_view: bool,
    /// The deparsed predicate of a materialized view's index.
    pub predicate_text: Option<String>,
}

/// An enum type with its labels.
pub(crate) struct EnumRow {
    pub schema: String,
    pub name: String,
    pub labels: Vec<String>,
}

/// A sequence that is not an identity column's.
pub(crate) struct SequenceRow {
    pub schema: String,
    pub name: String,
    /// `regclass::text`: the spelling a `nextval()` default uses for it.
    pub reg_name: String,
    pub type_text: String,
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
    /// The owning column as (table oid, column number, table name, column name).
    pub owner: Option<(i64, i16, String, String)>,
    /// The sequence of an identity column (the owner).
    pub identity: bool,
}

/// A view or materialized view.
pub(crate) struct ViewRow {
    pub schema: String,
    pub name: String,
    pub materialized: bool,
    /// `pg_get_viewdef`.
    pub definition: String,
    /// `reloptions`, `name=value` each.
    pub options: Vec<String>,
    /// `pg_class.oid`.
    pub oid: i64,
}

/// A trigger.
pub(crate) struct TriggerRow {
    pub schema: String,
    pub table: String,
    pub name: String,
    /// `pg_get_triggerdef`.
    pub definition: String,
    /// `tgenabled`.
    pub enabled: String,
}

/// A column of a table outside the requested schemas (read only when a foreign key points there).
pub(crate) struct ForeignTargetRow {
    pub oid: i64,
    pub schema: String,
    pub name: String,
    pub num: i16,
    pub column: String,
}
