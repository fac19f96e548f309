use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(policy(name = "own", command = select, roles = "authenticated", using = "true"))]
struct Profile {
    #[sync(primary_key)]
    id: i64,
}

fn main() {}
