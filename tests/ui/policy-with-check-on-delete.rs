use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(policy(name = "erase", command = delete, using = "true", with_check = "id > 0"))]
struct Profile {
    #[sync(primary_key)]
    id: i64,
}

fn main() {}
