use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(comment = "profiles", comment = "users")]
struct Profile {
    #[sync(primary_key)]
    id: i64,
}

fn main() {}
