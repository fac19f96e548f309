use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(policy(name = "read", command = select, with_check = "id > 0"))]
struct Profile {
    #[sync(primary_key)]
    id: i64,
}

fn main() {}
