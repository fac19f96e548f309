//! `schema-sync-core`: the engine behind schema-sync.
//!
//! Sources (live SQLite and Postgres catalogs, JSON snapshots, DDL files, derive models) are read
//! into one dialect-free [`model::Schema`]; [`diff`] compares two schemas, [`plan`] orders and
//! lowers the changes for a target's [`plan::Capabilities`], [`render`] prints SQL for a dialect,
//! and [`apply`] runs it in one transaction. Everything between the sources and `apply` is a pure
//! function of values.

pub mod apply;
#[cfg(all(feature = "sqlite", feature = "postgres"))]
pub mod audit;
pub mod backup;
pub mod capabilities;
pub mod declarative;
pub mod describe;
pub mod diff;
pub mod error;
pub mod expr;
#[cfg(all(feature = "sqlite", feature = "postgres"))]
pub mod fleet;
pub mod glob;
pub mod hints;
pub mod introspect;
pub mod lint;
pub mod model;
pub mod plan;
pub mod render;
pub mod resolve;
#[cfg(feature = "postgres")]
pub mod scratch;
pub mod snapshot;
pub mod source;
pub mod sql;
pub mod supabase;
#[cfg(all(feature = "sqlite", feature = "postgres"))]
pub mod sync;
pub mod types;
pub mod url;

#[cfg(test)]
mod testkit;

pub use error::{Error, Result};
pub use model::Schema;
pub use types::{Dialect, SqlType};
