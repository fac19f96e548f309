//! `schema![A, B, …]`: collects derived tables and the enum types they use into a
//! [`model::Schema`].

use crate::{EnumDef, TableDef};
use schema_sync_core::model;

/// Builds the [`model::Schema`] of a list of `#[derive(SyncTable)]` structs: their tables,
/// plus every `#[derive(SyncEnum)]` type a column uses. The schema has `dialect: None` (models
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
/// When two different structs have the same table name, when two enum types share a name but
/// not their labels, or when a `sql_type` text does not parse.
#[macro_export]
macro_rules! schema {
    ($($table:ty),* $(,)?) => {
        $crate::__private::build_schema(&[
            $($crate::__private::SchemaEntry {
                def: <$table as $crate::SyncTable>::TABLE,
                table: <$table as $crate::SyncTable>::table,
            }),*
        ])
    };
}

/// One struct given to [`schema!`].
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct SchemaEntry {
    /// Its const metadata.
    pub def: TableDef,
    /// Its [`crate::SyncTable::table`].
    pub table: fn() -> model::Table,
}

/// The body of [`schema!`].
#[doc(hidden)]
pub fn build_schema(entries: &[SchemaEntry]) -> model::Schema {
    let mut schema = model::Schema::empty(None);
    let mut seen: Vec<TableDef> = Vec::new();
    let mut enums: Vec<&'static EnumDef> = Vec::new();
    for entry in entries {
        if let Some(prev) = seen.iter().find(|d| d.schema == entry.def.schema && d.name == entry.def.name) {
            assert!(*prev == entry.def, "schema![…]: two different structs are both table `{}`", entry.def.name);
            continue;
        }
        seen.push(entry.def);
        for e in entry.def.enums() {
            match enums.iter().find(|x| x.schema == e.schema && x.name == e.name) {
                Some(x) => assert!(*x == e, "schema![…]: two different enums are both type `{}`", e.name),
                None => enums.push(e),
            }
        }
        schema.tables.push((entry.table)());
        schema.policies.extend(entry.def.policies());
        schema.grants.extend(entry.def.grants());
        schema.comments.extend(entry.def.comments());
    }
    schema.enums = enums.iter().map(|e| e.to_model()).collect();
    schema.normalize();
    schema
}
