//! What hangs on a table: its primary key, indexes, UNIQUE, FOREIGN KEY and CHECK constraints.

use super::skip::is_false;
use serde::{Deserialize, Serialize};

/// A primary key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrimaryKey {
    /// Constraint name when the source has one (`users_pkey`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Key columns in key order.
    pub columns: Vec<String>,
    /// `DEFERRABLE [INITIALLY DEFERRED]` (Postgres).
    #[serde(default, skip_serializing_if = "Deferrable::is_not")]
    pub deferrable: Deferrable,
}

impl PrimaryKey {
    /// A nameless primary key over `columns`.
    pub fn on<I: IntoIterator<Item = S>, S: Into<String>>(columns: I) -> Self {
        Self { name: None, columns: columns.into_iter().map(Into::into).collect(), deferrable: Deferrable::No }
    }

    /// [`PrimaryKey::on`] with a constraint name.
    pub fn named<I: IntoIterator<Item = S>, S: Into<String>>(name: impl Into<String>, columns: I) -> Self {
        Self { name: Some(name.into()), ..Self::on(columns) }
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Storage parameters (`WITH (fillfactor = 70)`, Postgres), by name.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub with: std::collections::BTreeMap<String, String>,
    /// Postgres `indisvalid = false`: a `CREATE INDEX CONCURRENTLY` that did not finish left
    /// it behind. Queries do not use it (a unique one still checks writes); it differs from
    /// every wanted index, so the next plan drops and rebuilds it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub invalid: bool,
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
    /// Postgres `NOT VALID`: enforced for new rows, existing rows not yet checked. A wanted
    /// constraint that is live but not valid is finished with `VALIDATE CONSTRAINT`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_valid: bool,
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
    /// Postgres `NOT VALID` (see [`ForeignKey::not_valid`]).
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_valid: bool,
}

/// A Postgres `EXCLUDE` constraint: no two rows may satisfy every `key WITH operator` pair at
/// once (two bookings whose time ranges overlap, `&&`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    /// Constraint name when the source has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Everything after `EXCLUDE`, as `pg_get_constraintdef` prints it: the access method, the
    /// `key WITH operator` list, `INCLUDE`, `WITH (…)`, `WHERE (…)` and `DEFERRABLE …`
    /// (`USING gist (room WITH =, during WITH &&)`). Kept as the catalog's text: operators,
    /// operator classes and predicates are Postgres's own vocabulary.
    pub definition: String,
}
