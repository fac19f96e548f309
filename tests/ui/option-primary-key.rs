use schema_sync::SyncTable;

#[derive(SyncTable)]
struct User {
    #[sync(primary_key)]
    id: Option<i64>,
}

fn main() {}
