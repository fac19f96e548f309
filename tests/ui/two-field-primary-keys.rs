use schema_sync::SyncTable;

#[derive(SyncTable)]
struct PostTag {
    #[sync(primary_key)]
    post_id: i64,
    #[sync(primary_key)]
    tag: String,
}

fn main() {}
