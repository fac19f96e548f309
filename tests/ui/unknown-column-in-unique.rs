use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(unique(org_id, handle))]
struct User {
    #[sync(primary_key)]
    id: i64,
    org_id: i64,
    email: String,
}

fn main() {}
