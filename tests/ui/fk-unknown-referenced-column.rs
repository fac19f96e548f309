use schema_sync::SyncTable;

#[derive(SyncTable)]
struct Org {
    #[sync(primary_key)]
    id: i64,
    #[sync(unique)]
    slug: String,
}

#[derive(SyncTable)]
struct User {
    #[sync(primary_key)]
    id: i64,
    #[sync(references = Org(handle))]
    org_slug: String,
}

fn main() {}
