//! `schema![A, B, …]`: collects derived tables, views and the enum types they use into a
//! [`model::Schema`].

use crate::{EnumDef, TableDef, ViewDef};
use schema_sync_core::model;

/// Builds the [`model::Schema`] of a list of `#[derive(SyncTable)]` and `#[derive(SyncView)]`
/// structs: their tables and views, plus every `#[derive(SyncEnum)]` type a column uses. The schema has `dialect: None` (models
/// carry neutral types) and is normalised (tables sorted by schema and name).
///
/// Foreign keys name the referenced struct's table and primary key, whether or not that struct
/// is in the list.
///
/// ```
/// use schema_sync::{schema, SyncTable};
///
/// #[derive(SyncTable)]
/// #[sync(table = "orgs")]
/// struct Org { #[sync(primary_key)] id: i64 }
///
/// #[derive(SyncTable)]
/// #[sync(table = "users")]
/// struct User {
///     #[sync(primary_key)] id: i64,
///     #[sync(references = Org, on_delete = "cascade")] org_id: i64,
/// }
///
/// let s = schema![User, Org];
/// assert_eq!(s.tables.len(), 2);
/// let fk = &s.table(None, "users").unwrap().foreign_keys[0];
/// assert_eq!((fk.ref_table.as_str(), fk.ref_columns.as_slice()), ("orgs", &["id".to_string()][..]));
/// ```
///
/// # Panics
/// When two different structs have the same table or view name, when a name is both a table
/// and a view, when two enum types share a name but
/// not their labels, or when a `sql_type` text does not parse.
///
/// # With declarative SQL
/// `schema![A, B; sql_dir = "supabase/schemas", platform = "supabase/platform.sql",
/// sqlite_sql_dir = "sqlite/schemas"]` (any of the keys, paths relative to the crate) is a
/// [`crate::Models`]: the schema plus those files, embedded at compile time, merged wherever the
/// models are read — by `schema_sync::cli::run`, and by the `testing` assertions. `sql_dir` and
/// `sqlite_sql_dir` are directories of `*.sql` files (in name order, Postgres and SQLite SQL),
/// `platform` one Postgres file run first. An unknown key or a path that does not exist is a
/// compile error.
#[macro_export]
macro_rules! schema {
    ($($part:ty),* $(,)?) => {
        $crate::__private::build_schema(&[
            $(<$part as $crate::__private::SchemaPart>::PART),*
        ])
    };
    ($($part:ty),* ; $($key:ident = $path:literal),+ $(,)?) => {
        $crate::__private::models_with(
            $crate::schema![$($part),*],
            &[$($crate::__private::declared_sql!($key, $path)),+],
        )
    };
}

/// What `schema![…]` takes: a `#[derive(SyncTable)]` or `#[derive(SyncView)]` type.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is neither a table nor a view",
    label = "`schema![…]` takes types that derive `SyncTable` or `SyncView`",
    note = "add `#[derive(SyncTable)]` or `#[derive(SyncView)]` to `{Self}`"
)]
pub trait SchemaPart {
    /// The type's const metadata.
    const PART: SchemaEntry;
}

/// One type given to [`schema!`].
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum SchemaEntry {
    /// A table: its const metadata and [`crate::SyncTable::table`].
    Table(TableDef, fn() -> model::Table),
    /// A view.
    View(ViewDef),
}

/// The body of [`schema!`].
#[doc(hidden)]
pub fn build_schema(entries: &[SchemaEntry]) -> model::Schema {
    let mut schema = model::Schema::empty(None);
    let mut seen: Vec<TableDef> = Vec::new();
    let mut views: Vec<ViewDef> = Vec::new();
    let mut enums: Vec<&'static EnumDef> = Vec::new();
    for entry in entries {
        let (def, table) = match entry {
            SchemaEntry::Table(def, table) => (def, table),
            SchemaEntry::View(def) => {
                if let Some(prev) = views.iter().find(|d| d.schema == def.schema && d.name == def.name) {
                    assert!(prev == def, "schema![…]: two different structs are both view `{}`", def.name);
                    continue;
                }
                views.push(*def);
                schema.views.extend(def.to_models());
                schema.comments.extend(def.comments());
                continue;
            }
        };
        if let Some(prev) = seen.iter().find(|d| d.schema == def.schema && d.name == def.name) {
            assert!(prev == def, "schema![…]: two different structs are both table `{}`", def.name);
            continue;
        }
        seen.push(*def);
        for e in def.enums() {
            match enums.iter().find(|x| x.schema == e.schema && x.name == e.name) {
                Some(x) => assert!(*x == e, "schema![…]: two different enums are both type `{}`", e.name),
                None => enums.push(e),
            }
        }
        schema.tables.push(table());
        schema.policies.extend(def.policies());
        schema.grants.extend(def.grants());
        schema.comments.extend(def.comments());
    }
    for v in &views {
        assert!(
            !seen.iter().any(|t| t.schema == v.schema && t.name == v.name),
            "schema![…]: `{}` is both a table and a view",
            v.name
        );
    }
    schema.enums = enums.iter().map(|e| e.to_model()).collect();
    schema.normalize();
    schema
}
