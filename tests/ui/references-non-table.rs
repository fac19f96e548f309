use schema_sync::SyncTable;

struct Org {
    id: i64,
}

#[derive(SyncTable)]
struct User {
    #[sync(primary_key)]
    id: i64,
    #[sync(references = Org)]
    org_id: i64,
}

fn main() {}
