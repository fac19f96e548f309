use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(primary_key(post_id, tag))]
struct PostTag {
    #[sync(primary_key)]
    post_id: i64,
    tag: String,
}

fn main() {}
