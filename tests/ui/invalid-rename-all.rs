use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(rename_all = "camel_case")]
struct User {
    #[sync(primary_key)]
    id: i64,
}

fn main() {}
