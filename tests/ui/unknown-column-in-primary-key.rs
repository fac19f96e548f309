use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(primary_key(post_id, tag_id))]
struct PostTag {
    post_id: i64,
    tag: String,
}

fn main() {}
