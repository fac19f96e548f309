use schema_sync::SyncTable;

#[derive(SyncTable)]
struct User {
    #[sync(primary_key, identity, autoincrement)]
    id: i64,
}

fn main() {}
