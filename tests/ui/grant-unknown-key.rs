use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(grant(roles = "anon", privileges = [select]))]
struct Profile {
    #[sync(primary_key)]
    id: i64,
}

fn main() {}
