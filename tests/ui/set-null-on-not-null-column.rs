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
    #[sync(references = Org, on_delete = "set_null")]
    org_id: i64,
}

fn main() {}
