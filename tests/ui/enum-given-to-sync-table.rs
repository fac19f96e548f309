use schema_sync::SyncTable;

#[derive(SyncTable)]
enum Role {
    Owner,
    Member,
}

fn main() {}
