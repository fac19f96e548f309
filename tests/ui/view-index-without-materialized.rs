use schema_sync::SyncView;

#[derive(SyncView)]
#[sync(query = "SELECT id FROM users", index(columns = ["id"]))]
struct ActiveUser {
    id: i64,
}

fn main() {}
