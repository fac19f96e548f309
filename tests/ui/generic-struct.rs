use schema_sync::SyncTable;

#[derive(SyncTable)]
struct Wrapper<T> {
    #[sync(primary_key)]
    id: i64,
    value: T,
}

fn main() {}
