use schema_sync::SyncEnum;

#[derive(SyncEnum)]
struct Status {
    label: String,
}

fn main() {}
