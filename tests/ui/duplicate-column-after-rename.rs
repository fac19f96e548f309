use schema_sync::SyncTable;

#[derive(SyncTable)]
struct User {
    #[sync(primary_key)]
    id: i64,
    email: String,
    #[sync(rename = "email")]
    email_address: String,
}

fn main() {}
