use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(rls = true)]
struct Profile {
    #[sync(primary_key)]
    id: i64,
}

fn main() {}
