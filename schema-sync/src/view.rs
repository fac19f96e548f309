//! Compile-time view metadata produced by `#[derive(SyncView)]`: a struct whose fields are a
//! view's columns, with its query per dialect.
//!
//! ```
//! use schema_sync::{schema, SyncTable, SyncView};
//!
//! #[derive(SyncTable)]
//! #[sync(table = "profiles")]
//! struct Profile { #[sync(primary_key)] id: i64, username: String, is_public: bool }
//!
//! #[derive(SyncView)]
//! #[sync(view = "public_profiles", security_invoker,
//!        query = "SELECT id, username FROM profiles WHERE is_public")]
//! struct PublicProfile { id: i64, username: String }
//!
//! assert_eq!(PublicProfile::VIEW.columns.len(), 2);
//! let s = schema![Profile, PublicProfile];
//! // One view per dialect: the query runs on both, `security_invoker` exists only in Postgres.
//! assert_eq!(s.views.len(), 2);
//! assert_eq!(s.views[0].declared_columns, ["id", "username"]);
//! ```

use crate::table::{owned, IndexDef};
use schema_sync_core::model;
use schema_sync_core::Dialect;

/// A Rust struct that is a view; implemented by `#[derive(SyncView)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a view",
    label = "`{Self}` does not derive `SyncView`",
    note = "add `#[derive(SyncView)]` to `{Self}`"
)]
pub trait SyncView {
    /// Everything about the view, usable in const contexts.
    const VIEW: ViewDef;

    /// The view as model values: one per dialect it has a query for.
    fn views() -> Vec<model::View> {
        Self::VIEW.to_models()
    }
}

/// A view, as `const` data. See [`SyncView::VIEW`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewDef {
    /// Namespace (`#[sync(schema = "app")]`).
    pub schema: Option<&'static str>,
    /// View name (`#[sync(view = "...")]`, default: the struct's name in snake_case).
    pub name: &'static str,
    /// The columns, in field order: what the query must yield.
    pub columns: &'static [ViewColumnDef],
    /// The query on Postgres (`query = "..."` or `query(postgres = "...")`).
    pub postgres: Option<&'static str>,
    /// The query on SQLite (`query = "..."` or `query(sqlite = "...")`).
    pub sqlite: Option<&'static str>,
    /// `CREATE MATERIALIZED VIEW` (Postgres only).
    pub materialized: bool,
    /// `WITH (security_invoker = true)` (Postgres 15): the querying role's privileges and
    /// row-level security apply, not the owner's.
    pub security_invoker: bool,
    /// `WITH (security_barrier = true)` (Postgres).
    pub security_barrier: bool,
    /// Indexes of a materialized view.
    pub indexes: &'static [IndexDef],
    /// `COMMENT ON VIEW` (Postgres).
    pub comment: Option<&'static str>,
}

/// A view column, as `const` data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewColumnDef {
    /// Column name (after `rename` / `rename_all`).
    pub name: &'static str,
    /// The Rust field it comes from.
    pub field: &'static str,
    /// `COMMENT ON COLUMN` (Postgres).
    pub comment: Option<&'static str>,
}

impl ViewDef {
    /// The view as model values, one per dialect with a query, each marked
    /// [`model::View::written_for`] that dialect; the Postgres one carries the options and
    /// indexes. Every one carries the declared columns, checked when the models are read in a
    /// scratch database ([`schema_sync_core::declarative::merge`]).
    pub fn to_models(&self) -> Vec<model::View> {
        let mut out = Vec::new();
        for (dialect, query) in [(Dialect::Postgres, self.postgres), (Dialect::Sqlite, self.sqlite)] {
            let Some(query) = query else { continue };
            if self.materialized && dialect == Dialect::Sqlite {
                continue;
            }
            let definition = schema_sync_core::sql::collapse(query.trim().trim_end_matches(';').trim_end());
            let mut v = model::View::new(self.name, definition);
            v.schema = owned(self.schema);
            v.written_for = Some(dialect);
            v.declared_columns = self.columns.iter().map(|c| c.name.to_string()).collect();
            if dialect == Dialect::Postgres {
                v.materialized = self.materialized;
                for (on, key) in
                    [(self.security_invoker, "security_invoker"), (self.security_barrier, "security_barrier")]
                {
                    if on {
                        v.options.insert(key.to_string(), "true".to_string());
                    }
                }
                v.indexes = self.indexes.iter().map(IndexDef::to_model).collect();
            }
            out.push(v);
        }
        out
    }

    /// The comments on the view and its columns as model values (Postgres only).
    pub fn comments(&self) -> Vec<model::Comment> {
        let kind = if self.materialized { model::ObjectKind::MaterializedView } else { model::ObjectKind::View };
        let object = |kind, table: Option<&str>, name: &str| model::ObjectRef {
            kind,
            schema: owned(self.schema),
            table: table.map(String::from),
            name: name.to_string(),
            arguments: None,
        };
        let view = self.comment.map(|text| (object(kind, None, self.name), text));
        let columns = self
            .columns
            .iter()
            .filter_map(|c| c.comment.map(|text| (object(model::ObjectKind::Column, Some(self.name), c.name), text)));
        view.into_iter().chain(columns).map(|(on, text)| model::Comment { on, text: text.to_string() }).collect()
    }
}
