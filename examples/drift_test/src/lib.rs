//! A tiny app: its tables are Rust structs, its Postgres schema lives in
//! `supabase/migrations/*.sql`, and its local cache is a SQLite file created from the structs.
//! `tests/drift.rs` fails `cargo test` when any of them disagree.

use schema_sync::{migrate_blocking, ApplyOptions};
use schema_sync::model::Schema;
use schema_sync::{schema, SyncTable};

/// An organisation.
#[derive(Debug, SyncTable)]
#[sync(table = "orgs")]
pub struct Org {
    /// Primary key.
    #[sync(primary_key, identity)]
    pub id: i64,
    /// URL-safe name.
    #[sync(unique)]
    pub slug: String,
}

/// A user of an organisation.
#[derive(Debug, SyncTable)]
#[sync(table = "users")]
pub struct User {
    /// Primary key.
    #[sync(primary_key, identity)]
    pub id: i64,
    /// The user's organisation.
    #[sync(references = Org, on_delete = "cascade", index)]
    pub org_id: i64,
    /// Login.
    #[sync(unique)]
    pub email: String,
}

/// The app's schema.
pub fn models() -> Schema {
    schema![Org, User]
}

/// Opens the local SQLite cache, creating or migrating its tables to [`models`].
pub fn open_local(path: &std::path::Path) -> Result<rusqlite::Connection, Box<dyn std::error::Error>> {
    let mut conn = rusqlite::Connection::open(path)?;
    migrate_blocking(&mut conn, &models(), &ApplyOptions::default())?;
    Ok(conn)
}
