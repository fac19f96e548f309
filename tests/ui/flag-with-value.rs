use schema_sync::SyncTable;

#[derive(SyncTable)]
struct User {
    #[sync(primary_key = true)]
    id: i64,
}

fn main() {}
