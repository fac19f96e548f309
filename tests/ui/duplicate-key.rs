use schema_sync::SyncTable;

#[derive(SyncTable)]
struct User {
    #[sync(primary_key)]
    id: i64,
    #[sync(unique)]
    #[sync(default = "''", unique)]
    email: String,
}

fn main() {}
