use schema_sync::{schema, SyncTable};

#[derive(SyncTable)]
struct Note {
    #[sync(primary_key)]
    id: i64,
}

fn main() {
    let _ = schema![Note; sql_folder = "supabase/schemas"];
}
