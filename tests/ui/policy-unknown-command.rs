use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(policy(name = "read", command = upsert, using = "true"))]
struct Profile {
    #[sync(primary_key)]
    id: i64,
}

fn main() {}
