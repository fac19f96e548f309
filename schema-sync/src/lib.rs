//! # schema-sync
//!
//! Keep a SQLite database (local, offline, tests) and a Postgres database (Supabase,
//! production) on one schema, with annotated Rust structs as the single source of truth.
//!
//! This facade re-exports the engine ([`schema_sync_core`]) and the `#[derive(SyncTable)]`
//! macro, and holds the `testing` helpers and the `schema-sync` CLI.

pub use schema_sync_core as core;
pub use schema_sync_core::apply::{
    block_on, migrate, migrate_blocking, versions, ApplyOptions, Database, IntoDatabase, Outcome,
};
pub use schema_sync_core::{model, types, Dialect, Error, Result, Schema, SqlType};

/// Fleets: audit, baseline and migrate many SQLite files and tenant schemas at once
/// (see [`schema_sync_core::fleet`]).
#[cfg(all(feature = "sqlite", feature = "postgres"))]
pub use schema_sync_core::fleet;

#[cfg(feature = "derive")]
pub use schema_sync_derive::{SyncEnum, SyncTable, SyncView};

mod column_type;
mod derive_support;
mod models;
#[cfg(feature = "derive")]
pub mod pull;
mod schema_macro;
mod table;
mod view;
pub use models::Models;
pub use table::*;
pub use view::*;

#[cfg(feature = "testing")]
pub mod testing;

#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "cli")]
pub mod config;

/// Items used by code that `#[derive(SyncTable)]` generates. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::derive_support::*;
    pub use crate::schema_macro::{build_schema, SchemaEntry, SchemaPart};
    pub use crate::table::*;
    pub use crate::view::*;
    pub use schema_sync_core;
    pub use schema_sync_core::model::{FkAction, Identity, PolicyCommand};
    pub use schema_sync_core::Dialect;
    #[cfg(feature = "derive")]
    pub use schema_sync_derive::declared_sql;

    /// The body of `schema![…; key = "path", …]`: the schema with the embedded files (`first`:
    /// the platform file).
    pub fn models_with(schema: crate::Schema, parts: &[&[(Dialect, bool, &str, &str)]]) -> crate::Models {
        let mut models = crate::Models::new(schema);
        for &(dialect, first, origin, text) in parts.iter().flat_map(|p| p.iter()) {
            models = match first {
                true => models.with_platform(origin, text),
                false => models.with_sql(dialect, origin, text),
            };
        }
        models
    }
}
