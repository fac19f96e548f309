use schema_sync::SyncView;

#[derive(SyncView)]
#[sync(query(mysql = "SELECT id FROM users"))]
struct ActiveUser {
    id: i64,
}

fn main() {}
