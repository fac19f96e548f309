use schema_sync::SyncView;

#[derive(SyncView)]
#[sync(materialized, security_invoker, query = "SELECT id FROM users")]
struct ActiveUser {
    id: i64,
}

fn main() {}
