use schema_sync::SyncView;

#[derive(SyncView)]
#[sync(query = "DELETE FROM users")]
struct ActiveUser {
    id: i64,
}

fn main() {}
