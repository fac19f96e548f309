use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(grant(role = "anon", privileges = [select, upsert]))]
struct Profile {
    #[sync(primary_key)]
    id: i64,
}

fn main() {}
