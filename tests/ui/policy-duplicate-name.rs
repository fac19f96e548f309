use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(policy(name = "own", command = select, using = "true"), policy(name = "own", command = update, using = "true"))]
struct Profile {
    #[sync(primary_key)]
    id: i64,
}

fn main() {}
