use schema_sync::SyncTable;

#[derive(SyncTable)]
struct User {
    #[sync(primary_key, identity)]
    id: String,
}

fn main() {}
