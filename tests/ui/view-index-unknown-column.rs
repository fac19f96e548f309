use schema_sync::SyncView;

#[derive(SyncView)]
#[sync(materialized, query = "SELECT id FROM users", index(columns = ["email"]))]
struct ActiveUser {
    id: i64,
}

fn main() {}
