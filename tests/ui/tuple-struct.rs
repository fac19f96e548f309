use schema_sync::SyncTable;

#[derive(SyncTable)]
struct UserId(i64);

fn main() {}
