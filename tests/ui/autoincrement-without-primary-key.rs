use schema_sync::SyncTable;

#[derive(SyncTable)]
struct Event {
    #[sync(primary_key)]
    id: String,
    #[sync(autoincrement)]
    seq: i64,
}

fn main() {}
