use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(policy(name = "add", command = insert, using = "id > 0"))]
struct Profile {
    #[sync(primary_key)]
    id: i64,
}

fn main() {}
