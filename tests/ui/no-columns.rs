use schema_sync::SyncTable;

#[derive(SyncTable)]
struct Cache {
    #[sync(skip)]
    bytes: Vec<u8>,
}

fn main() {}
