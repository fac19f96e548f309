use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(index(columns = ["org_id", "emial"], unique))]
struct User {
    #[sync(primary_key)]
    id: i64,
    org_id: i64,
    email: String,
}

fn main() {}
