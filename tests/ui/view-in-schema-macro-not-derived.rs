struct ActiveUser {
    id: i64,
}

fn models() -> schema_sync::Schema {
    schema_sync::schema![ActiveUser]
}

fn main() {}
