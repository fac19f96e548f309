//! Reading live catalogs into the neutral [`crate::model::Schema`].
//!
//! Both readers use a constant number of catalog queries however many tables there are
//! (SQLite: `sqlite_schema` and `pragma_table_list`, then the stored `CREATE` text is parsed;
//! Postgres: one query per catalog family), and share everything after the rows are fetched with
//! the rest of the core.

#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "postgres")]
mod postgres_build;
#[cfg(feature = "postgres")]
#[macro_use]
mod postgres_queries;
#[cfg(feature = "postgres")]
mod postgres_digest;
#[cfg(feature = "postgres")]
mod postgres_rows;
#[cfg(feature = "sqlite")]
pub mod sqlite;
#[cfg(feature = "sqlite")]
pub mod sqlite_sql;

/// Options for reading a catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntrospectOptions {
    /// Postgres schemas (namespaces) to read; default `["public"]`. Supabase's `auth`,
    /// `storage`, … are never read unless named here. Ignored by SQLite.
    pub schemas: Vec<String>,
    /// Tables to leave out, by exact name (our own bookkeeping tables are always left out).
    pub exclude_tables: Vec<String>,
    /// Schemas that must exist (the ones a user named): reading fails with a clear error
    /// instead of returning an empty schema for a typo. Ignored by SQLite.
    pub must_exist: Vec<String>,
    /// Roles whose privileges are read and managed; default [`DEFAULT_MANAGED_ROLES`]. No other
    /// role's privileges are read, so none is ever revoked. Ignored by SQLite.
    pub managed_roles: Vec<String>,
}

/// Supabase's API roles: the roles whose privileges schema-sync manages unless told otherwise.
pub const DEFAULT_MANAGED_ROLES: &[&str] = &["anon", "authenticated", "service_role"];

impl Default for IntrospectOptions {
    fn default() -> Self {
        Self {
            schemas: vec!["public".to_string()],
            exclude_tables: Vec::new(),
            must_exist: Vec::new(),
            managed_roles: DEFAULT_MANAGED_ROLES.iter().map(|r| r.to_string()).collect(),
        }
    }
}

/// The `schema_version` table schema-sync keeps in every database it changes (one row per
/// change: version, applied_at, checksum, description; see [`crate::apply::VersionRow`]).
pub const VERSION_TABLE: &str = "schema_version";

/// Names of schema-sync's own bookkeeping tables, never part of a user's schema.
pub const BOOKKEEPING_TABLES: &[&str] = &[VERSION_TABLE];

/// The columns a view yields, in order, with their types as the catalog names them: what no
/// other record of a view keeps (`schema-sync pull` names a view struct's fields with them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewColumns {
    /// Namespace (Postgres); `None` on SQLite.
    pub schema: Option<String>,
    /// The view.
    pub view: String,
    /// (name, type) in order.
    pub columns: Vec<(String, String)>,
}

/// One (schema, view, column, type) row of a view's columns.
pub(crate) type ViewColumnRow = (Option<String>, String, String, String);

/// Groups rows, already in order, by view.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
pub(crate) fn group_view_columns(rows: Vec<ViewColumnRow>) -> Vec<ViewColumns> {
    let mut out: Vec<ViewColumns> = Vec::new();
    for (schema, view, column, ty) in rows {
        match out.last_mut() {
            Some(last) if last.schema == schema && last.view == view => last.columns.push((column, ty)),
            _ => out.push(ViewColumns { schema, view, columns: vec![(column, ty)] }),
        }
    }
    out
}

/// `true` when a table must be left out of introspection.
pub fn is_excluded(name: &str, opts: &IntrospectOptions) -> bool {
    BOOKKEEPING_TABLES.contains(&name) || opts.exclude_tables.iter().any(|t| t == name)
}
