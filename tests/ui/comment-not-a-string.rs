use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(comment = 42)]
struct Profile {
    #[sync(primary_key)]
    id: i64,
}

fn main() {}
