use schema_sync::SyncView;

#[derive(SyncView)]
#[sync(query = "SELECT id FROM users")]
struct ActiveUser {
    #[sync(primary_key)]
    id: i64,
}

fn main() {}
