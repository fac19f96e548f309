use schema_sync::SyncView;

#[derive(SyncView)]
#[sync(query = "SELECT 1")]
struct Nothing {}

fn main() {}
