use schema_sync::SyncTable;

#[derive(SyncTable)]
union Bits {
    int: i64,
    float: f64,
}

fn main() {}
