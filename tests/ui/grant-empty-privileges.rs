use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(grant(role = "anon", privileges = []))]
struct Profile {
    #[sync(primary_key)]
    id: i64,
}

fn main() {}
