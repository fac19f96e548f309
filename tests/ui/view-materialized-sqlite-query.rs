use schema_sync::SyncView;

#[derive(SyncView)]
#[sync(materialized, query(postgres = "SELECT id FROM users", sqlite = "SELECT id FROM users"))]
struct ActiveUser {
    id: i64,
}

fn main() {}
