use schema_sync::SyncTable;

#[derive(SyncTable)]
struct User {
    #[sync(primary_key)]
    id: i64,
    #[sync(on_delete = "cascade")]
    org_id: i64,
}

fn main() {}
