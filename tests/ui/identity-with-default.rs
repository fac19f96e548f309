use schema_sync::SyncTable;

#[derive(SyncTable)]
struct User {
    #[sync(primary_key, identity, default = "1")]
    id: i64,
}

fn main() {}
