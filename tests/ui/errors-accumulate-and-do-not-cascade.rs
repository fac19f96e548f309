//! Three mistakes in one struct are all reported, and code that uses the broken struct
//! (`references = Org`, `schema![…]`) reports nothing more.
use schema_sync::{schema, SyncTable};

#[derive(SyncTable)]
#[sync(tabel = "orgs")]
struct Org {
    #[sync(primary_key, identiy)]
    id: i64,
    #[sync(rename = "id")]
    slug: String,
}

#[derive(SyncTable)]
struct User {
    #[sync(primary_key)]
    id: i64,
    #[sync(references = Org)]
    org_id: Option<i64>,
}

fn main() {
    let _ = schema![Org, User];
}
