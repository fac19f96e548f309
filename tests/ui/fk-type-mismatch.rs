use schema_sync::SyncTable;

#[derive(SyncTable)]
struct Org {
    #[sync(primary_key)]
    id: i64,
}

#[derive(SyncTable)]
struct User {
    #[sync(primary_key)]
    id: i64,
    #[sync(references = Org)]
    org_id: i32,
}

fn main() {}
