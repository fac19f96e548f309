use schema_sync::SyncView;

#[derive(SyncView)]
#[sync(table = "active_users", query = "SELECT id FROM users")]
struct ActiveUser {
    id: i64,
}

fn main() {}
