use schema_sync::SyncView;

#[derive(SyncView)]
#[sync(query = "SELECT id FROM users; DROP TABLE users")]
struct ActiveUser {
    id: i64,
}

fn main() {}
