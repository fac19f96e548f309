use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(policy(command = select, using = "true"))]
struct Profile {
    #[sync(primary_key)]
    id: i64,
}

fn main() {}
