use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(rls)]
struct Profile {
    #[sync(primary_key)]
    id: i64,
    #[sync(comment = display_name)]
    name: String,
}

fn main() {}
