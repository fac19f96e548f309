use schema_sync::SyncView;

#[derive(SyncView)]
#[sync(query = "SELECT id, email FROM users")]
struct ActiveUser {
    id: i64,
    #[sync(rename = "id")]
    email: String,
}

fn main() {}
