use schema_sync::SyncTable;

#[derive(SyncTable)]
struct User {
    #[sync(primay_key)]
    id: i64,
}

fn main() {}
