use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(policy)]
struct Profile {
    #[sync(primary_key)]
    id: i64,
}

fn main() {}
