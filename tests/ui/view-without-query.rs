use schema_sync::SyncView;

#[derive(SyncView)]
#[sync(view = "active_users")]
struct ActiveUser {
    id: i64,
}

fn main() {}
