//! `schema-sync-core`: the engine behind schema-sync.
//!
//! Sources (live SQLite and Postgres catalogs, JSON snapshots, DDL files, derive models) are read
//! into one dialect-free [`model::Schema`]; [`diff`] compares two schemas, [`plan`] orders and
//! lowers the changes for a target's [`plan::Capabilities`], [`render`] prints SQL for a dialect,
//! and [`apply`] runs it in one transaction. Everything between the sources and `apply` is a pure
//! function of values.

pub mod error;
pub mod model;
pub mod render;
pub mod types;

pub use error::{Error, Result};
pub use model::Schema;
pub use types::{Dialect, SqlType};
pub mod introspect;
pub mod source;
pub mod version;
