use schema_sync::SyncTable;

#[derive(SyncTable)]
struct User {
    #[sync(primary_key, sql_type = "bigserial")]
    id: i64,
    #[sync(sql_type = "varchar(20")]
    handle: String,
}

fn main() {}
