use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(primary_key(id, cache))]
struct User {
    id: i64,
    #[sync(skip)]
    cache: Vec<u8>,
}

fn main() {}
