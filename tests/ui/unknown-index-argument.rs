use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(index(colums = ["email"]))]
struct User {
    #[sync(primary_key)]
    id: i64,
    email: String,
}

fn main() {}
