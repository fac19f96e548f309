use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(tabel = "users")]
struct User {
    #[sync(primary_key)]
    id: i64,
}

fn main() {}
