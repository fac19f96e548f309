//! A user's own tiny schema binary: the full CLI with the models built in as the `models` source
//! (`schema_sync::cli::run(schema![…])`). Used by the ergonomics tests.

use schema_sync::{schema, SyncTable};

/// An organisation.
#[derive(SyncTable)]
#[sync(table = "orgs")]
pub struct Org {
    #[sync(primary_key, identity)]
    pub id: i64,
    #[sync(unique)]
    pub slug: String,
}

/// A user.
#[derive(SyncTable)]
#[sync(table = "users", index(columns = ["org_id", "email"], unique))]
pub struct User {
    #[sync(primary_key, identity)]
    pub id: i64,
    #[sync(references = Org, on_delete = "cascade")]
    pub org_id: i64,
    pub email: String,
    pub nickname: Option<String>,
}

fn main() -> std::process::ExitCode {
    schema_sync::cli::run(schema![Org, User])
}
