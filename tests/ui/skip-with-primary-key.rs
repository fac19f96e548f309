use schema_sync::SyncTable;

#[derive(SyncTable)]
struct User {
    #[sync(primary_key)]
    id: i64,
    #[sync(skip, primary_key)]
    cache: Vec<u8>,
}

fn main() {}
