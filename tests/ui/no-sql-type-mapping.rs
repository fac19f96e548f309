use schema_sync::SyncTable;
use std::collections::HashMap;

#[derive(SyncTable)]
struct User {
    #[sync(primary_key)]
    id: i64,
    settings: HashMap<String, String>,
}

fn main() {}
